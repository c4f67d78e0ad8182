// The ballot form of a consultation (for the organisations the user may vote for) and the
// secretariat's "close now". Both show success only once the consultation's row shows
// the command's effect (read-your-writes), and keep the input on failure.
import { useMemo, useState } from 'preact/hooks';
import { ProblemAlert, SubmitButton, SuccessAlert } from '../forms';
import { useCommand } from '../hooks';
import type { LiveClient } from '../live';
import type { User } from '../session';
import { useI18n } from '../ui';
import { type Consultation, ballotSeats, rankedChoices } from './consultations-model';
import { formatDateTime } from './consultations-shared';

export function BallotPanel({
  live,
  user,
  c,
  now,
  name,
}: {
  live: LiveClient;
  user: User;
  c: Consultation;
  now: number;
  name: (id: string) => string;
}) {
  const { lang, t } = useI18n();
  const seats = ballotSeats(c, user, now);
  const [seatId, setSeatId] = useState<string>('');
  const seat = seats.find((s) => s.organisation_id === seatId) ?? seats[0];
  if (user.role !== 'member' && user.role !== 'secretariat') return null;
  if (!seat) {
    if (c.status === 'closed') return null;
    return (
      <section class="panel form-panel" aria-labelledby="ballot-title">
        <h2 id="ballot-title">{t('consultations.ballot.title')}</h2>
        <p class="form-intro">{t('consultations.ballot.notElector')}</p>
      </section>
    );
  }
  return (
    <section class="panel form-panel cons-ballot" aria-labelledby="ballot-title" data-testid="cons-ballot">
      <h2 id="ballot-title">{t('consultations.ballot.title')}</h2>
      {seats.length > 1 && (
        <div class="field">
          <label for="ballot-seat">{t('consultations.ballot.for')}</label>
          <select id="ballot-seat" value={seat.organisation_id} onChange={(e) => setSeatId((e.currentTarget as HTMLSelectElement).value)}>
            {seats.map((s) => (
              <option key={s.organisation_id} value={s.organisation_id}>
                {s.via_proxy ? t('consultations.ballot.forProxy', { org: name(s.organisation_id) }) : name(s.organisation_id)}
              </option>
            ))}
          </select>
        </div>
      )}
      {seats.length === 1 && (
        <p class="form-intro">
          {seat.via_proxy
            ? t('consultations.ballot.forProxy', { org: name(seat.organisation_id) })
            : t('consultations.ballot.forOrg', { org: name(seat.organisation_id) })}
        </p>
      )}
      {seat.participant && (
        <p class="cons-current" data-testid="cons-current">
          {t('consultations.ballot.cast', { date: formatDateTime(lang, seat.participant.changed_at ?? seat.participant.at) })}
          {seat.participant.choices && seat.participant.choices.length > 0 && (
            <>
              {' '}
              {t('consultations.choice', {
                choices: seat.participant.choices.map((id) => c.options.find((o) => o.id === id)?.label ?? id).join(' › '),
              })}
            </>
          )}
        </p>
      )}
      {seat.may_vote ? (
        <BallotForm
          key={seat.organisation_id}
          live={live}
          c={c}
          organisationId={seat.organisation_id}
          change={!!seat.participant}
          current={seat.participant?.choices}
        />
      ) : (
        <p class="form-intro">
          {c.status === 'closed' || now >= Date.parse(c.deadline)
            ? t('consultations.ballot.over')
            : t('consultations.ballot.secretFinal')}
        </p>
      )}
    </section>
  );
}

function BallotForm({
  live,
  c,
  organisationId,
  change,
  current,
}: {
  live: LiveClient;
  c: Consultation;
  organisationId: string;
  change: boolean;
  /** The ballot being changed, when the user may see it: the form starts from it. */
  current?: string[];
}) {
  const { t } = useI18n();
  const { run, busy, outcome, reset } = useCommand(live);
  const [picked, setPicked] = useState<string[]>(() => current ?? []);
  const [ranks, setRanks] = useState<Record<string, string>>(() =>
    Object.fromEntries((current ?? []).map((id, i) => [id, String(i + 1)])),
  );
  const [local, setLocal] = useState<string | null>(null);
  // What the last successful submission did: the row then shows the ballot as cast.
  const [done, setDone] = useState<'cast' | 'changed' | null>(null);
  const single = c.kind === 'yes_no_abstain' || c.kind === 'single_choice';
  const ranked = c.kind === 'ranked';
  const max = c.max_choices || c.options.length;
  const hintId = `ballot-hint-${c.id}`;

  const choices = useMemo(() => (ranked ? rankedChoices(ranks, c.options) : { choices: picked }), [ranked, ranks, picked, c.options]);

  const toggle = (id: string, on: boolean) => {
    reset();
    setLocal(null);
    setPicked((prev) => (single ? [id] : on ? [...prev.filter((x) => x !== id), id] : prev.filter((x) => x !== id)));
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if ('duplicate' in choices && choices.duplicate) {
      setLocal(t('consultations.ballot.duplicateRank'));
      return;
    }
    if (choices.choices.length === 0) {
      setLocal(t('consultations.ballot.empty'));
      return;
    }
    if (c.kind === 'multiple_choice' && choices.choices.length > max) {
      setLocal(t('consultations.ballot.tooMany', { max }));
      return;
    }
    setLocal(null);
    const body = { consultation_id: c.id, organisation_id: organisationId, choices: choices.choices, change };
    const res = await run('consultations/cast-ballot', body, [`consultations:${c.id}`]);
    if (res) setDone(change ? 'changed' : 'cast');
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-busy={busy} data-testid="cons-ballot-form">
      <ProblemAlert outcome={outcome} title={t('consultations.ballot.failed')} testid="cons-error" focus />
      {local && (
        <div class="alert alert--error" role="alert" data-testid="cons-error">
          <p>{local}</p>
        </div>
      )}
      {outcome?.kind === 'success' && done && (
        <SuccessAlert testid="cons-ballot-success">
          {t(done === 'changed' ? 'consultations.ballot.changed' : 'consultations.ballot.success')}
        </SuccessAlert>
      )}
      <fieldset class="cons-fieldset" aria-describedby={hintId}>
        <legend>{t(change ? 'consultations.ballot.changeLegend' : 'consultations.ballot.legend')}</legend>
        <p class="field__hint" id={hintId}>
          {t(`consultations.ballot.hint.${c.kind}`, { max })}
        </p>
        {c.options.map((o) => {
          const id = `ballot-${c.id}-${o.id}`;
          if (ranked) {
            return (
              <div class="cons-rank" key={o.id}>
                <label for={id}>{o.label}</label>
                <select
                  id={id}
                  class="input"
                  value={ranks[o.id] ?? ''}
                  onChange={(e) => {
                    reset();
                    setLocal(null);
                    setRanks((prev) => ({ ...prev, [o.id]: (e.currentTarget as HTMLSelectElement).value }));
                  }}
                >
                  <option value="">{t('consultations.ballot.unranked')}</option>
                  {c.options.map((_, i) => (
                    <option key={i} value={String(i + 1)}>
                      {t('consultations.ballot.rank', { n: i + 1 })}
                    </option>
                  ))}
                </select>
              </div>
            );
          }
          return (
            <div class="cons-choice-row" key={o.id}>
              <input
                id={id}
                type={single ? 'radio' : 'checkbox'}
                name={`ballot-${c.id}`}
                value={o.id}
                checked={picked.includes(o.id)}
                onChange={(e) => toggle(o.id, (e.currentTarget as HTMLInputElement).checked)}
              />
              <label for={id}>{o.label}</label>
            </div>
          );
        })}
      </fieldset>
      <SubmitButton busy={busy} testid="cons-vote">
        {t(change ? 'consultations.ballot.change' : 'consultations.ballot.submit')}
      </SubmitButton>
    </form>
  );
}

export function CloseConsultation({ live, c }: { live: LiveClient; c: Consultation }) {
  const { t } = useI18n();
  const { run, busy, outcome } = useCommand(live);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, string> = { consultation_id: c.id };
    if (reason.trim()) body.reason = reason.trim();
    await run('consultations/close-consultation', body, [`consultations:${c.id}`]);
  };
  return (
    <section class="panel form-panel" aria-labelledby="close-title">
      <h2 id="close-title">{t('consultations.close.title')}</h2>
      <p class="form-intro">{t('consultations.close.intro')}</p>
      <ProblemAlert outcome={outcome} title={t('consultations.close.failed')} testid="cons-error" focus />
      {!confirming ? (
        <button type="button" class="button button--secondary" onClick={() => setConfirming(true)} data-testid="cons-close">
          {t('consultations.close.button')}
        </button>
      ) : (
        <form onSubmit={onSubmit} noValidate aria-busy={busy}>
          <div class="field">
            <label for="close-reason">{t('consultations.close.reason')}</label>
            <input id="close-reason" type="text" value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="cons-actions">
            <SubmitButton busy={busy} testid="cons-close-confirm">{t('consultations.close.confirm')}</SubmitButton>
            <button type="button" class="button button--secondary" onClick={() => setConfirming(false)} disabled={busy}>
              {t('consultations.close.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
