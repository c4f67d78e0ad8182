// Recount of a closed consultation under other rules (other weights, another quorum): a
// simulation the server computes from the log, shown beside — never instead of — the
// official result, and marked as such.
import { useState } from 'preact/hooks';
import { ProblemError, problemMessage, runQuery } from '../api';
import { ErrorAlert } from '../forms';
import { useI18n } from '../ui';
import { type Consultation, type Simulation, recountRules } from './consultations-model';
import { Bars, formatPercent } from './consultations-shared';

export function RecountPanel({ c, name }: { c: Consultation; name: (id: string) => string }) {
  const { lang, t } = useI18n();
  const [weights, setWeights] = useState<Record<string, string>>({});
  const [quorum, setQuorum] = useState(String(c.quorum));
  const [invalid, setInvalid] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [sim, setSim] = useState<Simulation | null>(null);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const { rules, errors } = recountRules(c, weights, quorum);
    setInvalid(errors);
    if (errors.length > 0) return;
    setBusy(true);
    setFailure(null);
    try {
      setSim(await runQuery<Simulation>('recount', c.id, rules));
    } catch (err) {
      setSim(null);
      setFailure(err instanceof ProblemError ? (problemMessage(err.problem, lang) ?? err.message) : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel form-panel cons-recount" aria-labelledby="recount-title" data-testid="cons-recount">
      <h2 id="recount-title">{t('consultations.recount.title')}</h2>
      <p class="form-intro">{t('consultations.recount.intro')}</p>
      <form onSubmit={onSubmit} noValidate aria-busy={busy}>
        {c.secret ? (
          <p class="cons-note">{t('consultations.recount.secret')}</p>
        ) : (
          <fieldset class="cons-recount__weights">
            <legend>{t('consultations.recount.weights')}</legend>
            {c.electorate.map((e) => {
              const id = `recount-w-${e.organisation_id}`;
              const bad = invalid.includes(e.organisation_id);
              return (
                <div class={bad ? 'field field--error cons-recount__weight' : 'field cons-recount__weight'} key={e.organisation_id}>
                  <label for={id}>{name(e.organisation_id)}</label>
                  <input
                    id={id}
                    type="number"
                    inputMode="numeric"
                    min={0}
                    max={1000}
                    value={weights[e.organisation_id] ?? String(e.weight)}
                    aria-invalid={bad ? 'true' : undefined}
                    aria-describedby={bad ? `${id}-error` : undefined}
                    data-org={e.organisation_id}
                    onInput={(ev) => setWeights({ ...weights, [e.organisation_id]: (ev.currentTarget as HTMLInputElement).value })}
                  />
                  {bad && (
                    <p class="field__error" id={`${id}-error`}>
                      {t('consultations.recount.badWeight')}
                    </p>
                  )}
                </div>
              );
            })}
          </fieldset>
        )}
        <div class={invalid.includes('min_participation') ? 'field field--error' : 'field'}>
          <label for="recount-quorum">{t('consultations.recount.quorum')}</label>
          <input
            id="recount-quorum"
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            value={quorum}
            aria-invalid={invalid.includes('min_participation') ? 'true' : undefined}
            aria-describedby={invalid.includes('min_participation') ? 'recount-quorum-error' : undefined}
            onInput={(ev) => setQuorum((ev.currentTarget as HTMLInputElement).value)}
          />
          {invalid.includes('min_participation') && (
            <p class="field__error" id="recount-quorum-error">
              {t('consultations.recount.badQuorum')}
            </p>
          )}
        </div>
        <button type="submit" class="button button--secondary" disabled={busy} data-testid="cons-recount-run">
          {busy ? t('form.submitting') : t('consultations.recount.run')}
        </button>
      </form>
      {failure && (
        <ErrorAlert title={t('consultations.recount.failed')} testid="cons-recount-error">
          <p>{failure}</p>
        </ErrorAlert>
      )}
      {sim && (
        <div class="cons-recount__result" role="status" data-testid="cons-recount-result" data-outcome={sim.recount.outcome}>
          <p>
            <strong class="badge cons-recount__badge">{t('consultations.recount.badge')}</strong>{' '}
            {t('consultations.recount.outcome', {
              outcome: t(`consultations.outcome.${sim.recount.outcome}`),
              official: t(`consultations.outcome.${sim.official.outcome}`),
            })}
          </p>
          <Bars c={c} r={sim.recount} final />
          <p class="cons-note">
            {t(sim.recount.quorum_reached ? 'consultations.quorum.reached' : 'consultations.quorum.missed', {
              percent: formatPercent(lang, sim.recount.participation_percent),
            })}
          </p>
        </div>
      )}
    </section>
  );
}
