// One consultation: its question and rules, the live tally (or the turnout only, as its
// rules say), the result once closed, who voted, the proxies; the ballot form for those
// who may vote and, for the secretariat, the button that closes it now.
import { useLiveRow, useNow } from '../hooks';
import { plural } from '../i18n';
import type { LiveClient } from '../live';
import { href } from '../router';
import type { User } from '../session';
import { Fact, useI18n } from '../ui';
import { BallotPanel, CloseConsultation } from './consultations-ballot';
import { type Consultation, votingEnded } from './consultations-model';
import type { OpinionDetail } from './opinions-model';
import { RecountPanel } from './consultations-recount';
import {
  Bars,
  ConsultationMeta,
  formatDate,
  formatDateTime,
  formatPercent,
  turnoutText,
  useOrgName,
} from './consultations-shared';

export function ConsultationDetail({ live, user, id }: { live: LiveClient; user: User; id: string }) {
  const { lang, t } = useI18n();
  const { row, loaded } = useLiveRow<Consultation>(live, 'consultations', id);
  const [now] = useNow(30_000);
  const orgs = useOrgName(live);

  if (!row) {
    return (
      <section class="container consultation" aria-labelledby="cons-q" data-loaded={loaded ? 'true' : 'false'}>
        <p class="cons-back">
          <a href={href('consultations')}>{t('consultations.back')}</a>
        </p>
        <h1 id="cons-q" data-autofocus tabIndex={-1}>
          {t('consultations.one')}
        </h1>
        <p class={loaded ? 'empty' : 'checking'} role="status">
          {loaded ? t('consultations.notFound') : t('consultations.loadingOne')}
        </p>
      </section>
    );
  }

  const open = row.status === 'open';
  return (
    <section class="container consultation" aria-labelledby="cons-q" data-loaded="true" data-id={row.id}>
      <p class="cons-back">
        <a href={href('consultations')}>{t('consultations.back')}</a>
      </p>
      <h1 id="cons-q" data-autofocus tabIndex={-1}>
        {row.question}
      </h1>
      <ConsultationMeta c={row} now={now} />
      {row.description && <p class="lead cons-description">{row.description}</p>}
      <dl class="facts">
        <Fact label={t('consultations.deadline')}>{formatDateTime(lang, row.deadline)}</Fact>
        {row.closed_at && <Fact label={t('consultations.closedAt')}>{formatDateTime(lang, row.closed_at)}</Fact>}
        <Fact label={t('consultations.quorum')}>
          {row.quorum > 0 ? formatPercent(lang, row.quorum) : t('consultations.quorum.none')}
        </Fact>
        <Fact label={t('consultations.results')}>
          {t(row.results === 'live' ? 'consultations.results.live' : 'consultations.results.at_close')}
        </Fact>
        {row.kind === 'multiple_choice' && row.max_choices ? <Fact label={t('consultations.maxChoices')}>{row.max_choices}</Fact> : null}
        {row.opinion_id && (
          <Fact label={t('consultations.opinion')}>
            <a href={href('opinions', row.opinion_id)}>{t('consultations.opinion.link')}</a>
            {row.opinion_text_sha256 && (
              <span class="cons-hash">
                {t('consultations.opinion.hash')} <code>{row.opinion_text_sha256}</code>
              </span>
            )}
            <TextChangedWarning live={live} opinionId={row.opinion_id} consultationId={row.id} />
          </Fact>
        )}
      </dl>
      {open && votingEnded(row, now) && (
        <p class="alert alert--info" role="status">
          {t('consultations.ended')}
        </p>
      )}
      <div class="layout">
        <div>
          <ResultsSection c={row} />
          <TurnoutSection c={row} name={orgs.name} />
        </div>
        <div class="cons-side">
          <BallotPanel live={live} user={user} c={row} now={now} name={orgs.name} />
          {open && user.role === 'secretariat' && <CloseConsultation live={live} c={row} />}
          {row.status === 'closed' && row.result && <RecountPanel c={row} name={orgs.name} />}
        </div>
      </div>
    </section>
  );
}

function ResultsSection({ c }: { c: Consultation }) {
  const { lang, t } = useI18n();
  if (c.result) {
    const r = c.result;
    const winners = (r.winners ?? []).map((w) => c.options.find((o) => o.id === w)?.label ?? w);
    return (
      <section class="panel cons-results" aria-labelledby="cons-results-title" data-testid="cons-result">
        <h2 id="cons-results-title" class="panel__head">
          {t('consultations.result')}
        </h2>
        <p class="cons-outcome" data-testid="cons-outcome">
          <strong>{t(`consultations.outcome.${r.outcome}`)}</strong>
          {winners.length > 0 && ` — ${winners.join(', ')}`}
        </p>
        <p class="cons-note">
          {t(c.at_deadline ? 'consultations.closed.atDeadline' : 'consultations.closed.early')}
          {c.close_reason && ` ${t('consultations.closed.reason', { reason: c.close_reason })}`}
        </p>
        <Bars c={c} r={r} final />
        <p class="cons-note">
          {t('consultations.expressed', { expressed: r.expressed_weight, participating: r.participating_weight })}{' '}
          {t(r.quorum_reached ? 'consultations.quorum.reached' : 'consultations.quorum.missed', {
            percent: formatPercent(lang, r.participation_percent),
          })}
        </p>
      </section>
    );
  }
  if (c.tally) {
    return (
      <section class="panel cons-results" aria-labelledby="cons-results-title" data-testid="cons-tally">
        <h2 id="cons-results-title" class="panel__head">
          {t('consultations.tally')}
        </h2>
        <p class="cons-note">{t('consultations.tally.note')}</p>
        <Bars c={c} r={c.tally} />
      </section>
    );
  }
  return (
    <section class="panel cons-results" aria-labelledby="cons-results-title" data-testid="cons-no-tally">
      <h2 id="cons-results-title" class="panel__head">
        {t('consultations.options')}
      </h2>
      <p class="cons-note">{t(c.secret ? 'consultations.hidden.secret' : 'consultations.hidden.atClose')}</p>
      <ul class="cons-options">
        {c.options.map((o) => (
          <li key={o.id}>{o.label}</li>
        ))}
      </ul>
    </section>
  );
}


function TurnoutSection({ c, name }: { c: Consultation; name: (id: string) => string }) {
  const { lang, t } = useI18n();
  const voted = new Set(c.participants.map((p) => p.organisation_id));
  const missing = c.electorate.filter((e) => !voted.has(e.organisation_id));
  const weighted = c.electorate.some((e) => e.weight !== 1);
  const choiceLabel = (id: string) => c.options.find((o) => o.id === id)?.label ?? id;
  return (
    <section class="panel cons-turnout" aria-labelledby="cons-turnout-title">
      <h2 id="cons-turnout-title" class="panel__head">
        {t('consultations.participation')}
      </h2>
      <p data-testid="cons-turnout">{turnoutText(t, lang, c)}</p>
      <div class="cons-bar__track cons-turnout__track" aria-hidden="true">
        <span class="cons-bar__fill" style={{ width: `${Math.min(100, c.turnout.percent)}%` }} />
      </div>
      {weighted && (
        <p class="cons-note">{t('consultations.turnout.weight', { weight: c.turnout.weight, total: c.turnout.electorate_weight })}</p>
      )}
      {c.quorum > 0 && (
        <p class="cons-note">
          {t(c.turnout.quorum_reached ? 'consultations.quorum.reached' : 'consultations.quorum.notYet', {
            percent: formatPercent(lang, c.quorum),
          })}
        </p>
      )}
      <h3>{t('consultations.voted', { n: c.participants.length })}</h3>
      {c.participants.length === 0 ? (
        <p class="empty">{t('consultations.voted.none')}</p>
      ) : (
        <ul class="cons-people" data-testid="cons-participants">
          {c.participants.map((p) => (
            <li key={p.organisation_id} data-org={p.organisation_id}>
              <strong>{name(p.organisation_id)}</strong>{' '}
              <span class="cons-note">
                {t('consultations.votedAt', { date: formatDateTime(lang, p.changed_at ?? p.at) })}
                {p.via_proxy && ` ${t('consultations.viaProxy', { holder: name(p.cast_by_organisation) })}`}
                {p.changes > 0 && ` ${t('consultations.changed')}`}
              </span>
              {p.saw && (
                <span class="cons-note cons-saw" data-testid="cons-saw">
                  {' '}
                  {plural(lang, p.saw.tally_visible ? 'consultations.saw.tally' : 'consultations.saw.noTally', p.saw.ballots_before)}
                  {p.saw.text_sha256 && ` ${t('consultations.saw.text', { hash: p.saw.text_sha256.slice(0, 12) })}`}
                </span>
              )}
              {p.choices && p.choices.length > 0 && (
                <span class="cons-choice"> {t('consultations.choice', { choices: p.choices.map(choiceLabel).join(' › ') })}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {missing.length > 0 && (
        <>
          <h3>{t(c.status === 'closed' ? 'consultations.didNotVote' : 'consultations.notYet', { n: missing.length })}</h3>
          <p class="cons-missing">{missing.map((e) => name(e.organisation_id)).join(', ')}</p>
        </>
      )}
      {c.proxies.length > 0 && (
        <>
          <h3>{t('consultations.proxies')}</h3>
          <ul class="cons-people">
            {c.proxies.map((p) => (
              <li key={p.from_organisation_id}>
                {t('consultations.proxy', {
                  from: name(p.from_organisation_id),
                  to: name(p.to_organisation_id),
                  date: formatDate(lang, p.signed_on),
                })}
                {p.recorded_by_secretariat && ` ${t('consultations.proxy.paper')}`}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** An alert when the text this consultation is bound to changed after the vote opened. */
function TextChangedWarning({ live, opinionId, consultationId }: { live: LiveClient; opinionId: string; consultationId: string }) {
  const { lang, t } = useI18n();
  const { row } = useLiveRow<OpinionDetail>(live, 'opinion-details', opinionId);
  const link = row?.consultations.find((c) => c.id === consultationId);
  if (!link?.text_changed) return null;
  return (
    <strong class="cons-warning" role="alert" data-testid="text-changed">
      {t('consultations.opinion.textChanged', { date: formatDateTime(lang, link.text_changed_at) })}
    </strong>
  );
}
