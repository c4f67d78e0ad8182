// The time-travel slider shared by the pages that replay a history: steps (log positions,
// oldest first), buttons to move step by step, the step's description, and the past state
// the page reads from the server for the chosen step (views with ?at=<position>).
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ProblemError, problemMessage } from './api';
import { useI18n } from './ui';

/** A step of a history: the log position it ends at and when it happened. */
export interface TravelStep {
  position: number;
  time: string;
}

/** The step shown for a slider index, or undefined for the present (no index, or the last). */
export function pastIndex(count: number, index: number | null): number | undefined {
  if (index === null || index < 0 || index >= count - 1) return undefined;
  return index;
}

export function TravelSlider<S extends TravelStep, T>({
  id,
  steps,
  describe,
  load,
  render,
}: {
  /** Prefix of the element IDs (one slider per page). */
  id: string;
  steps: readonly S[];
  describe: (step: S) => string;
  /** Reads the past state at a position; signal aborts it when the reader moves on. */
  load: (at: number, signal: AbortSignal) => Promise<T>;
  render: (past: T, position: number) => ComponentChildren;
}) {
  const { lang, t } = useI18n();
  // null follows the present; a number is a step the reader moved to.
  const [index, setIndex] = useState<number | null>(null);
  const [past, setPast] = useState<{ position: number; state: T } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const at = pastIndex(steps.length, index);
  const step = at === undefined ? undefined : steps[at];

  useEffect(() => {
    if (!step) {
      setPast(null);
      return;
    }
    const abort = new AbortController();
    const position = step.position;
    // A short pause, so that holding an arrow key asks for the last step only.
    const timer = setTimeout(() => {
      load(position, abort.signal)
        .then((state) => {
          setError(null);
          setPast({ position, state });
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
  }, [step?.position]);

  if (steps.length < 2) return null;
  const last = steps.length - 1;
  const shown = index === null ? last : Math.min(index, last);
  const current = steps[shown]!;
  const loading = step !== undefined && past?.position !== step.position && !error;
  const when = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(current.time));
  return (
    <>
      <div class="travel__controls">
        <label for={`${id}-range`}>{t('travel.step', { n: shown + 1, total: steps.length })}</label>
        <input
          id={`${id}-range`}
          type="range"
          min={0}
          max={last}
          step={1}
          value={shown}
          aria-valuetext={`${when} — ${describe(current)}`}
          data-testid="travel-range"
          onInput={(e) => setIndex(Number((e.target as HTMLInputElement).value))}
        />
        <div class="travel__buttons">
          <button type="button" class="button button--secondary" disabled={shown === 0} onClick={() => setIndex(Math.max(0, shown - 1))}>
            {t('travel.previous')}
          </button>
          <button type="button" class="button button--secondary" disabled={shown === last} onClick={() => setIndex(shown + 1)}>
            {t('travel.next')}
          </button>
          <button type="button" class="button button--secondary" disabled={index === null} onClick={() => setIndex(null)}>
            {t('travel.present')}
          </button>
        </div>
      </div>
      <p class="travel__step" data-testid="travel-step" data-position={current.position} aria-live="polite">
        <time dateTime={current.time}>{when}</time> — {describe(current)}
      </p>
      {error && (
        <p class="alert alert--error" role="alert">
          {t('travel.error', { error })}
        </p>
      )}
      {!step ? (
        <p class="travel__present" data-testid="travel-present">
          {t('travel.atPresent')}
        </p>
      ) : (
        <div class="travel__past" data-testid="travel-past" aria-busy={loading ? 'true' : 'false'} data-position={loading ? undefined : past?.position}>
          {loading || !past ? (
            <p class="checking" role="status">
              {t('travel.loading')}
            </p>
          ) : (
            render(past.state, past.position)
          )}
        </div>
      )}
    </>
  );
}
