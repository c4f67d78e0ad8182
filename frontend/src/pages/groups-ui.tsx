// Small pieces the working groups page and its detail share: labels, dates.
import { type Lang, type Translate, codeLabel } from '../i18n';
import { StatusBadge, useI18n } from '../ui';

/** The group's status as text (never colour alone). */
export function GroupStatus({ status }: { status: string }) {
  const { t } = useI18n();
  const open = status === 'open';
  return (
    <StatusBadge tone={open ? 'success' : 'neutral'} testid="group-status">
      {t(open ? 'groups.status.open' : 'groups.status.closed')}
    </StatusBadge>
  );
}

/** A theme's name, or its code for a theme this build does not know. */
export function themeLabel(t: Translate, theme: string): string {
  return codeLabel(t, 'groups.theme', theme);
}

/** A kind of meeting's name, or its code for a kind this build does not know. */
export function kindLabel(t: Translate, kind: string): string {
  return codeLabel(t, 'groups.kind', kind);
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
