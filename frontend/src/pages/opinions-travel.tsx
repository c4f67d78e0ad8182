// Time travel over one text (#/opinions/<id>, section "Remonter le temps"): a slider over
// every step of its history — each change of its text, each decision, each ballot of its
// consultations, in log order — that shows the text and the tallies as they were then,
// read from the server's views with ?at=<position>.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ProblemError, problemMessage, readView } from '../api';
import { useLiveView } from '../hooks';
import { plural } from '../i18n';
import type { LiveClient } from '../live';
import { useI18n } from '../ui';
import { type Consultation, tallyBars } from './consultations-model';
import { TextBlock } from './opinions-detail';
import type { OpinionDetail } from './opinions-model';
import { historySteps, pastStep, type Step, type TextUpdate } from './opinions-travel-model';
import { OpinionStatus, Section, formatDateTime, label, whoText } from './opinions-ui';
import { type TimelineEntry, describeEntry } from './timeline-model';
import { useOrgRefs } from './timeline-ui';

/** What the server's views showed at a step. */
interface PastState {
  position: number;
  opinion?: OpinionDetail;
  consultations: Consultation[];
}

export function TimeTravel({ live, opinion: o, acronyms }: { live: LiveClient; opinion: OpinionDetail; acronyms: ReadonlyMap<string, string> }) {
  const { lang, t } = useI18n();
  const timeline = useLiveView<TimelineEntry>(live, 'timeline');
  const updates = useLiveView<TextUpdate>(live, `opinion-updates:${o.id}`);
  const orgs = useOrgRefs(live);
  const consultationIds = o.consultations.map((c) => c.id);
  const steps = useMemo(
    () => historySteps(timeline.items, updates.items, new Set([o.id, ...consultationIds])),
    [timeline.items, updates.items, o.id, consultationIds.join(',')],
  );
  // null follows the present; a number is a step the reader moved to.
  const [index, setIndex] = useState<number | null>(null);
  const [past, setPast] = useState<PastState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const step = pastStep(steps, index);

  useEffect(() => {
    if (!step) {
      setPast(null);
      return;
    }
    const abort = new AbortController();
    const at = step.position;
    // A short pause, so that holding an arrow key asks for the last step only.
    const timer = setTimeout(() => {
      const optional = <T,>(view: string) =>
        readView<T>(view, { at, signal: abort.signal }).then(
          (r) => r.items[0],
          (err: unknown) => {
            if (err instanceof ProblemError && err.status === 404) return undefined;
            throw err;
          },
        );
      Promise.all([optional<OpinionDetail>(`opinion-details:${o.id}`), ...consultationIds.map((id) => optional<Consultation>(`consultations:${id}`))])
        .then(([opinion, ...cs]) => {
          setError(null);
          setPast({
            position: at,
            opinion: opinion as OpinionDetail | undefined,
            consultations: cs.filter((c): c is Consultation => c !== undefined),
          });
        })
        .catch((err: unknown) => {
          if (abort.signal.aborted) return;
          setError(err instanceof ProblemError ? (problemMessage(err.problem, lang) ?? err.message) : String(err));
        });
    }, 150);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [step?.position, o.id, consultationIds.join(',')]);

  if (steps.length < 2) return null;
  const last = steps.length - 1;
  const shown = index === null ? last : Math.min(index, last);
  const describe = (s: Step) =>
    s.entry
      ? describeEntry(lang, s.entry, orgs, t)
      : t('opinions.travel.textChange', {
          version: s.update?.version ?? 0,
          who: whoText(lang, t, s.update?.actor, acronyms),
          source: label(t, 'text.source', s.update?.source ?? ''),
        });
  const current = steps[shown]!;
  const loading = step !== undefined && past?.position !== step.position && !error;

  return (
    <Section id="op-travel" title={t('opinions.travel.title')}>
      <p class="op-meta">{t('opinions.travel.intro')}</p>
      <div class="op-travel__controls">
        <label for="op-travel-range">{t('opinions.travel.step', { n: shown + 1, total: steps.length })}</label>
        <input
          id="op-travel-range"
          type="range"
          min={0}
          max={last}
          step={1}
          value={shown}
          aria-valuetext={`${formatDateTime(lang, current.time)} — ${describe(current)}`}
          data-testid="travel-range"
          onInput={(e) => setIndex(Number((e.target as HTMLInputElement).value))}
        />
        <div class="op-travel__buttons">
          <button type="button" class="button button--secondary" disabled={shown === 0} onClick={() => setIndex(Math.max(0, shown - 1))}>
            {t('opinions.travel.previous')}
          </button>
          <button type="button" class="button button--secondary" disabled={shown === last} onClick={() => setIndex(shown + 1)}>
            {t('opinions.travel.next')}
          </button>
          <button type="button" class="button button--secondary" disabled={index === null} onClick={() => setIndex(null)}>
            {t('opinions.travel.present')}
          </button>
        </div>
      </div>
      <p class="op-travel__step" data-testid="travel-step" data-position={current.position} aria-live="polite">
        <time dateTime={current.time}>{formatDateTime(lang, current.time)}</time> — {describe(current)}
      </p>
      {error && (
        <p class="alert alert--error" role="alert">
          {t('opinions.travel.error', { error })}
        </p>
      )}
      {!step ? (
        <p class="op-meta" data-testid="travel-present">
          {t('opinions.travel.atPresent')}
        </p>
      ) : (
        <div class="op-travel__past" data-testid="travel-past" aria-busy={loading ? 'true' : 'false'} data-position={loading ? undefined : past?.position}>
          {loading || !past ? (
            <p class="checking" role="status">
              {t('opinions.travel.loading')}
            </p>
          ) : (
            <PastView past={past} />
          )}
        </div>
      )}
    </Section>
  );
}

/** The text and the consultations as they were at a past position. */
function PastView({ past }: { past: PastState }) {
  const { lang, t } = useI18n();
  const p = past.opinion;
  return (
    <>
      <h3>{t('opinions.travel.asOf', { position: past.position })}</h3>
      {p ? (
        <>
          <p class="op-meta">
            <OpinionStatus status={p.status} outcome={p.outcome} /> · {t('opinions.travel.version', { version: p.version })}
          </p>
          <TextBlock text={p.text} testid="travel-text" />
        </>
      ) : (
        <p class="empty">{t('opinions.travel.notYet')}</p>
      )}
      {past.consultations.map((c) => {
        const r = c.result ?? c.tally;
        return (
          <div class="op-travel__vote" key={c.id} data-testid="travel-consultation" data-id={c.id}>
            <h4>{c.question}</h4>
            <p class="op-meta" data-testid="travel-turnout">
              {c.status === 'closed' ? t('opinions.travel.closed') : t('opinions.travel.open')} ·{' '}
              {plural(lang, 'opinions.travel.turnout', c.turnout.ballots, { electors: c.turnout.electors })}
            </p>
            {r ? (
              <ul class="op-travel__tally" data-testid="travel-tally">
                {tallyBars(c.options, r).map((b) => (
                  <li key={b.option.id} data-option={b.option.id} data-weight={b.weight}>
                    {plural(lang, 'opinions.travel.count', b.ballots, {
                      option: b.option.label,
                      weight: new Intl.NumberFormat(lang).format(b.weight),
                    })}
                  </li>
                ))}
              </ul>
            ) : (
              <p class="op-meta">{t(c.secret ? 'opinions.travel.secret' : 'opinions.travel.atClose')}</p>
            )}
          </div>
        );
      })}
    </>
  );
}
