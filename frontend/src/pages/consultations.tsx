// The consultations page: the list (open ones first, with their deadline and turnout, and
// for the secretariat the form that opens one) at #/consultations, and one consultation
// (ballot form, live tally or turnout, result) at #/consultations/<id>.
import { useMemo } from 'preact/hooks';
import { useFreshIds, useLiveView, useNow } from '../hooks';
import type { Lang } from '../i18n';
import type { LiveClient } from '../live';
import { href } from '../router';
import type { User } from '../session';
import { Fact, LiveCount, useI18n } from '../ui';
import './consultations.css';
import { ConsultationDetail } from './consultations-detail';
import { type Consultation, ballotSeats, sortConsultations } from './consultations-model';
import { OpenConsultationForm } from './consultations-open';
import { ConsultationMeta, formatDateTime, turnoutText } from './consultations-shared';
import type { PageProps } from './page';

export function ConsultationsPage({ live, user, id }: PageProps) {
  return id ? <ConsultationDetail live={live} user={user} id={id} /> : <ConsultationList live={live} user={user} />;
}

function ConsultationList({ live, user }: { live: LiveClient; user: User }) {
  const { lang, t } = useI18n();
  const view = useLiveView<Consultation>(live, 'consultations');
  const [now] = useNow(30_000);
  const rows = useMemo(() => sortConsultations(view.items), [view.items]);
  const open = rows.filter((c) => c.status === 'open');
  const closed = rows.filter((c) => c.status === 'closed');
  const fresh = useFreshIds(view.loaded, view.items);
  const secretariat = user.role === 'secretariat';

  return (
    <section class="container consultations" aria-labelledby="cons-title" data-loaded={view.loaded ? 'true' : 'false'}>
      <h1 id="cons-title" data-autofocus tabIndex={-1}>
        {t('consultations.title')}
      </h1>
      <p class="lead">{t('consultations.intro')}</p>
      <div class={secretariat ? 'layout' : 'cons-single'}>
        <div>
          <LiveCount testid="cons-count">
            {view.loaded ? t('consultations.count', { open: open.length, closed: closed.length }) : t('consultations.loading')}
          </LiveCount>
          {(
            [
              ['open', open, 'consultations.open.title', 'consultations.open.empty'],
              ['closed', closed, 'consultations.closed.title', 'consultations.closed.empty'],
            ] as const
          ).map(([which, list, title, empty]) => (
            <section key={which} class="cons-group" aria-labelledby={`cons-${which}-title`}>
              <h2 id={`cons-${which}-title`} class="panel__head">
                {t(title)}
              </h2>
              {view.loaded && list.length === 0 && <p class="empty">{t(empty)}</p>}
              <ul class="cons-list" data-testid={`cons-${which}`}>
                {list.map((c) => (
                  <ConsultationCard key={c.id} c={c} user={user} now={now} fresh={fresh.has(c.id)} lang={lang} />
                ))}
              </ul>
            </section>
          ))}
        </div>
        {secretariat && <OpenConsultationForm live={live} />}
      </div>
    </section>
  );
}

function ConsultationCard({ c, user, now, fresh, lang }: { c: Consultation; user: User; now: number; fresh: boolean; lang: Lang }) {
  const { t } = useI18n();
  const seats = ballotSeats(c, user, now);
  const toVote = seats.filter((s) => s.may_vote && !s.participant).length;
  return (
    <li class={`cons-card${fresh ? ' is-new' : ''}`} data-id={c.id}>
      <h3 class="cons-card__title">
        <a href={href('consultations', c.id)}>{c.question}</a>
      </h3>
      <ConsultationMeta c={c} now={now} />
      <dl class="cons-card__facts">
        <Fact label={c.status === 'closed' ? t('consultations.closedAt') : t('consultations.deadline')}>
          {formatDateTime(lang, c.status === 'closed' ? c.closed_at : c.deadline)}
        </Fact>
        <Fact label={t('consultations.participation')} testid="cons-turnout">
          {turnoutText(t, lang, c)}
        </Fact>
        {c.result && <Fact label={t('consultations.result')}>{t(`consultations.outcome.${c.result.outcome}`)}</Fact>}
      </dl>
      {toVote > 0 && <p class="cons-card__todo">{t('consultations.toVote')}</p>}
    </li>
  );
}
