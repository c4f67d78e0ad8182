// Small pieces the opinions list and detail share: labels, dates, who acted, outcomes of
// commands.
import { type ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { problemMessage } from '../api';
import type { CommandOutcome } from '../hooks';
import type { Lang, MessageKey } from '../i18n';
import { roleLabel } from '../model';
import { useI18n } from '../ui';
import type { Actor } from './opinions-model';

export type T = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The message key if the table has it, else undefined. */
function known(t: T, key: string): string | undefined {
  const s = t(key as MessageKey);
  return s === key ? undefined : s;
}

/** A label from a family of keys (opinions.status.<v>…), or the raw value for one this build does not know. */
export function label(t: T, family: string, value: string): string {
  return known(t, `opinions.${family}.${value}`) ?? value;
}

/** "{n} thing(s)" with the language's plural rules; base.one / base.other must exist. */
export function countText(lang: Lang, t: T, base: string, n: number, params: Record<string, string | number> = {}): string {
  const form = new Intl.PluralRules(lang).select(n) === 'one' ? 'one' : 'other';
  return t(`${base}.${form}` as MessageKey, { n, ...params });
}

/** A date and time in the user's language and time zone. */
export function formatDateTime(lang: Lang, iso: string | undefined): string {
  const d = new Date(iso ?? '');
  if (Number.isNaN(d.getTime())) return iso ?? '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A civil day (YYYY-MM-DD) or an instant, as a day in the user's language. */
export function formatDay(lang: Lang, value: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const d = new Date(day ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: day ? 'UTC' : undefined }).format(d);
}

/** A <time> element showing a date and time. */
export function When({ iso }: { iso: string | undefined }) {
  const { lang } = useI18n();
  return <time dateTime={iso}>{formatDateTime(lang, iso)}</time>;
}

/** Who acted, in words: the organisation's acronym and the role (the e-mail, when shown, in a title). */
export function whoText(lang: Lang, t: T, a: Actor | undefined, acronyms: ReadonlyMap<string, string>): string {
  if (!a) return t('opinions.who.unknown');
  if (a.role === 'system') return t('opinions.who.system');
  const org = a.organisation_id ? acronyms.get(a.organisation_id) : undefined;
  const role = a.role ? roleLabel(lang, a.role) : '';
  if (org && role) return t('opinions.who.org', { org, role });
  return org || a.user || role || t('opinions.who.unknown');
}

/** The status of a text as a badge: always text, colour only as a second cue. */
export function StatusBadge({ status, outcome }: { status: string; outcome?: string }) {
  const { t } = useI18n();
  const text =
    status === 'published' && outcome
      ? t('opinions.publishedOutcome', { outcome: label(t, 'outcome', outcome) })
      : label(t, 'status', status);
  return (
    <span class={`op-status op-status--${status}`} data-testid="opinion-status" data-status={status}>
      {text}
    </span>
  );
}

/**
 * The outcome of a command: the success message once the views show it (read-your-writes),
 * or the server's problem, focused so that keyboard and screen reader users meet it.
 */
export function Outcome({
  outcome,
  success,
  testid,
}: {
  outcome: CommandOutcome | null;
  success?: string;
  testid: string;
}) {
  const { lang, t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (outcome && outcome.kind !== 'success') ref.current?.focus();
  }, [outcome]);
  if (!outcome) return null;
  if (outcome.kind === 'success') {
    return success ? (
      <div class="alert alert--success" role="status" data-testid={`${testid}-success`}>
        <p>{success}</p>
      </div>
    ) : null;
  }
  return (
    <div class="alert alert--error" role="alert" tabIndex={-1} ref={ref} data-testid={`${testid}-error`}>
      <p class="alert__title">{t('opinions.failed')}</p>
      <p>
        {outcome.kind === 'network'
          ? t('opinions.network')
          : (problemMessage(outcome.problem, lang) ?? t('opinions.unexpected', { status: outcome.status }))}
      </p>
    </div>
  );
}

/** A section of the detail page with its heading. */
export function Section({
  id,
  title,
  children,
  extra,
}: {
  id: string;
  title: string;
  children: ComponentChildren;
  extra?: ComponentChildren;
}) {
  return (
    <section class="op-section" aria-labelledby={`${id}-title`} data-testid={id}>
      <div class="panel__head">
        <h2 id={`${id}-title`}>{title}</h2>
        {extra}
      </div>
      {children}
    </section>
  );
}
