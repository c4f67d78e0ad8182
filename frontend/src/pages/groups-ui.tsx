// Small pieces the working groups page and its detail share: labels, counts, dates.
import type { Lang, MessageKey } from '../i18n';
import { useI18n } from '../ui';

/** The group's status as text (never colour alone). */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const open = status === 'open';
  return (
    <span class={`groups__status groups__status--${open ? 'open' : 'closed'}`} data-testid="group-status">
      {t(open ? 'groups.status.open' : 'groups.status.closed')}
    </span>
  );
}

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

/** "{n} thing(s)" with the language's plural rules; base.one / base.other must exist. */
export function countText(lang: Lang, t: T, base: 'groups.count' | 'groups.members', n: number): string {
  const form = new Intl.PluralRules(lang).select(n) === 'one' ? 'one' : 'other';
  return t(`${base}.${form}` as MessageKey, { n });
}

/** A theme's name, or its code for a theme this build does not know. */
export function themeLabel(t: T, theme: string): string {
  const key = `groups.theme.${theme}`;
  const s = t(key as MessageKey);
  return s === key ? theme : s;
}

/** A kind of meeting's name, or its code for a kind this build does not know. */
export function kindLabel(t: T, kind: string): string {
  const key = `groups.kind.${kind}`;
  const s = t(key as MessageKey);
  return s === key ? kind : s;
}

/** A meeting's date and time in the user's language and time zone. */
export function formatDateTime(lang: Lang, iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short' }).format(d);
}

/** A day (YYYY-MM-DD or an instant) in the user's language. */
export function formatDay(lang: Lang, value: string): string {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) return value;
  const utcDay = /^\d{4}-\d{2}-\d{2}$/.test(value);
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: utcDay ? 'UTC' : undefined }).format(d);
}
