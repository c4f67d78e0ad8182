// Small pieces the opinions list and detail share: labels, dates, who acted, statuses,
// outcomes of commands.
import { type ComponentChildren } from 'preact';
import { OutcomeAlert } from '../forms';
import type { CommandOutcome } from '../hooks';
import { type Lang, type Translate, codeLabel } from '../i18n';
import { roleLabel } from '../model';
import { StatusBadge, type Tone, useI18n } from '../ui';
import type { Actor } from './opinions-model';

/** A label from a family of keys (opinions.status.<v>…), or the raw value for one this build does not know. */
export function label(t: Translate, family: string, value: string): string {
  return codeLabel(t, `opinions.${family}`, value);
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
export function whoText(lang: Lang, t: Translate, a: Actor | undefined, acronyms: ReadonlyMap<string, string>): string {
  if (!a) return t('opinions.who.unknown');
  if (a.role === 'system') return t('opinions.who.system');
  const org = a.organisation_id ? acronyms.get(a.organisation_id) : undefined;
  const role = a.role ? roleLabel(lang, a.role) : '';
  if (org && role) return t('opinions.who.org', { org, role });
  return org || a.user || role || t('opinions.who.unknown');
}

/** The tone of the badge of a text's status or an amendment's state. */
const TONES: Record<string, Tone> = {
  in_review: 'accent',
  proposed: 'accent',
  voting: 'warning',
  adopted: 'success',
  published: 'success',
  accepted: 'success',
  rejected: 'error',
  withdrawn: 'error',
};

/** The status of a text as a badge: always text, colour only as a second cue. */
export function OpinionStatus({ status, outcome }: { status: string; outcome?: string }) {
  const { t } = useI18n();
  const text =
    status === 'published' && outcome
      ? t('opinions.publishedOutcome', { outcome: label(t, 'outcome', outcome) })
      : label(t, 'status', status);
  return (
    <StatusBadge tone={TONES[status]} testid="opinion-status" status={status}>
      {text}
    </StatusBadge>
  );
}

/** The state of an amendment as a badge. */
export function AmendmentState({ state }: { state: string }) {
  const { t } = useI18n();
  return (
    <StatusBadge tone={TONES[state]} testid="amendment-state">
      {label(t, 'amendment.state', state)}
    </StatusBadge>
  );
}

/**
 * The outcome of a command: the success message once the views show it (read-your-writes),
 * or the server's problem, focused so that keyboard and screen reader users meet it.
 */
export function Outcome({ outcome, success, testid }: { outcome: CommandOutcome | null; success?: string; testid: string }) {
  const { t } = useI18n();
  return <OutcomeAlert outcome={outcome} title={t('opinions.failed')} success={success} testid={testid} />;
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
