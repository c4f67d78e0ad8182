// Pieces the consultations list and detail share: organisation names, dates, the status
// line and the turnout line.
import { useMemo } from 'preact/hooks';
import type { Organisation } from '../api';
import { useLiveView } from '../hooks';
import type { Lang, MessageKey } from '../i18n';
import type { LiveClient } from '../live';
import { StatusBadge, type Tone, useI18n } from '../ui';
import { type Bar, type Consultation, type Result, tallyBars, votingEnded } from './consultations-model';

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

/** The tally as bars, one per option; final marks the winners of a closed count. */
export function Bars({ c, r, final = false }: { c: Consultation; r: Result; final?: boolean }) {
  const { lang, t } = useI18n();
  const bars = tallyBars(c.options, r);
  // The best option(s): leading while voting goes on, chosen or tied at the close.
  const best = !final ? t('consultations.leading') : r.outcome === 'tie' ? t('consultations.tied') : t('consultations.winner');
  const value = (b: Bar) =>
    b.points !== undefined
      ? t('consultations.bar.points', { points: b.points, ballots: b.ballots, percent: formatPercent(lang, b.percent) })
      : t('consultations.bar.value', { weight: b.weight, ballots: b.ballots, percent: formatPercent(lang, b.percent) });
  return (
    <ul class="cons-bars" aria-live="polite">
      {bars.map((b) => (
        <li key={b.option.id} class="cons-bar" data-option={b.option.id} data-weight={b.weight}>
          <span class="cons-bar__label">
            {b.option.label}
            {b.winner && <span class="badge">{best}</span>}
          </span>
          <span class="cons-bar__track" aria-hidden="true">
            <span class="cons-bar__fill" style={{ width: `${Math.min(100, b.percent)}%` }} />
          </span>
          <span class="cons-bar__value">{value(b)}</span>
        </li>
      ))}
    </ul>
  );
}
