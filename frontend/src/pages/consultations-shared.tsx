// Pieces the consultations list and detail share: the clock, organisation names, dates,
// the status badge and the turnout line.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Organisation } from '../api';
import { useLiveView } from '../hooks';
import type { Lang, MessageKey } from '../i18n';
import type { LiveClient } from '../live';
import { useI18n } from '../ui';
import { type Consultation, votingEnded } from './consultations-model';

/** The current time, refreshed every 30 s, so that passed deadlines show without reload. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/** A function naming an organisation by its acronym (or name), from the live directory. */
export function useOrgName(live: LiveClient): { name: (id: string) => string; full: (id: string) => string; orgs: Organisation[] } {
  const view = useLiveView<Organisation>(live, 'organisations');
  return useMemo(() => {
    const byId = new Map(view.items.map((o) => [o.id, o]));
    return {
      name: (id: string) => byId.get(id)?.acronym || byId.get(id)?.name || id.slice(0, 8),
      full: (id: string) => byId.get(id)?.name || byId.get(id)?.acronym || id,
      orgs: view.items,
    };
  }, [view.items]);
}

/** A date and time in the user's language, e.g. « 12 mars 2026 à 17:00 ». */
export function formatDateTime(lang: Lang, iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(d);
}

/** A civil date (YYYY-MM-DD) in the user's language. */
export function formatDate(lang: Lang, day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

/** A percentage in the user's language (« 45,5 % »). */
export function formatPercent(lang: Lang, percent: number): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(percent / 100);
}

/** Where a consultation stands, in words (never colour alone). */
export function StatusBadge({ c, now }: { c: Consultation; now: number }) {
  const { t } = useI18n();
  const state = c.status === 'closed' ? 'closed' : votingEnded(c, now) ? 'ended' : 'open';
  const key: MessageKey = `consultations.status.${state}`;
  return <span class={`cons-status cons-status--${state}`}>{t(key)}</span>;
}

/** « 5 organisations sur 11 ont voté (45,5 % des voix) ». */
export function turnoutText(t: ReturnType<typeof useI18n>['t'], lang: Lang, c: Consultation): string {
  return t('consultations.turnout', {
    ballots: c.turnout.ballots,
    electors: c.turnout.electors,
    percent: formatPercent(lang, c.turnout.percent),
  });
}
