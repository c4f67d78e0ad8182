// Pieces the consultations list and detail share: organisation names, dates, the status
// line and the turnout line.
import { useMemo } from 'preact/hooks';
import type { Organisation } from '../api';
import { useLiveView } from '../hooks';
import type { Lang, MessageKey } from '../i18n';
import type { LiveClient } from '../live';
import { StatusBadge, type Tone, useI18n } from '../ui';
import { type Consultation, votingEnded } from './consultations-model';

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

const TONES: Record<'open' | 'ended' | 'closed', Tone> = { open: 'success', ended: 'warning', closed: 'neutral' };

/**
 * A consultation's status (in words, never colour alone: an outlined badge, see
 * consultations.css), its kind and whether the ballot is secret.
 */
export function ConsultationMeta({ c, now }: { c: Consultation; now: number }) {
  const { t } = useI18n();
  const state = c.status === 'closed' ? 'closed' : votingEnded(c, now) ? 'ended' : 'open';
  const key: MessageKey = `consultations.status.${state}`;
  return (
    <p class="cons-card__meta">
      <StatusBadge tone={TONES[state]} extra="cons-status">
        {t(key)}
      </StatusBadge>
      <span>{t(`consultations.kind.${c.kind}`)}</span>
      <span>{t(c.secret ? 'consultations.ballot.secret' : 'consultations.ballot.open')}</span>
    </p>
  );
}

/** « 5 organisations sur 11 ont voté (45,5 % des voix) ». */
export function turnoutText(t: ReturnType<typeof useI18n>['t'], lang: Lang, c: Consultation): string {
  return t('consultations.turnout', {
    ballots: c.turnout.ballots,
    electors: c.turnout.electors,
    percent: formatPercent(lang, c.turnout.percent),
  });
}
