// The consultations page: the list (open ones first, with their deadline and turnout, and
// for the secretariat the form that opens one) at #/consultations, and one consultation
// (ballot form, live tally or turnout, result) at #/consultations/<id>.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLiveView } from '../hooks';
import type { Lang } from '../i18n';
import type { LiveClient } from '../live';
import { href } from '../router';
import type { User } from '../session';
import { useI18n } from '../ui';
import './consultations.css';
import { ConsultationDetail } from './consultations-detail';
import { type Consultation, ballotSeats, sortConsultations } from './consultations-model';
import { OpenConsultationForm } from './consultations-open';
import { StatusBadge, formatDateTime, turnoutText, useNow } from './consultations-shared';
import type { PageProps } from './page';

export function ConsultationsPage({ live, user, id }: PageProps) {
  return id ? <ConsultationDetail live={live} user={user} id={id} /> : <ConsultationList live={live} user={user} />;
}

function ConsultationList({ live, user }: { live: LiveClient; user: User }) {
  const { lang, t } = useI18n();
  const view = useLiveView<Consultation>(live, 'consultations');
  const now = useNow();
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
          <p class="count" aria-live="polite" aria-atomic="true" data-testid="cons-count">
            {view.loaded ? t('consultations.count', { open: open.length, closed: closed.length }) : t('consultations.loading')}
          </p>
          <section class="cons-group" aria-labelledby="cons-open-title">
            <h2 id="cons-open-title" class="panel__head">
              {t('consultations.open.title')}
            </h2>
            {view.loaded && open.length === 0 && <p class="empty">{t('consultations.open.empty')}</p>}
            <ul class="cons-list" data-testid="cons-open">
              {open.map((c) => (
                <ConsultationCard key={c.id} c={c} user={user} now={now} fresh={fresh.has(c.id)} lang={lang} />
              ))}
            </ul>
          </section>
          <section class="cons-group" aria-labelledby="cons-closed-title">
            <h2 id="cons-closed-title" class="panel__head">
              {t('consultations.closed.title')}
            </h2>
            {view.loaded && closed.length === 0 && <p class="empty">{t('consultations.closed.empty')}</p>}
            <ul class="cons-list" data-testid="cons-closed">
              {closed.map((c) => (
                <ConsultationCard key={c.id} c={c} user={user} now={now} fresh={fresh.has(c.id)} lang={lang} />
              ))}
            </ul>
          </section>
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
      <p class="cons-card__meta">
        <StatusBadge c={c} now={now} />
        <span>{t(`consultations.kind.${c.kind}`)}</span>
        <span>{t(c.secret ? 'consultations.ballot.secret' : 'consultations.ballot.open')}</span>
      </p>
      <dl class="cons-card__facts">
        <div>
          <dt>{c.status === 'closed' ? t('consultations.closedAt') : t('consultations.deadline')}</dt>
          <dd>{formatDateTime(lang, c.status === 'closed' ? c.closed_at : c.deadline)}</dd>
        </div>
        <div>
          <dt>{t('consultations.participation')}</dt>
          <dd data-testid="cons-turnout">{turnoutText(t, lang, c)}</dd>
        </div>
        {c.result && (
          <div>
            <dt>{t('consultations.result')}</dt>
            <dd>{t(`consultations.outcome.${c.result.outcome}`)}</dd>
          </div>
        )}
      </dl>
      {toVote > 0 && <p class="cons-card__todo">{t('consultations.toVote')}</p>}
    </li>
  );
}

/** IDs that appeared after the first load, kept for a few seconds to highlight them. */
function useFreshIds(loaded: boolean, items: readonly { id: string }[]): ReadonlySet<string> {
  const known = useRef<Set<string> | null>(null);
  const timers = useRef<ReturnType<typeof setTimeout>[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (!loaded) return;
    if (known.current === null) {
      known.current = new Set(items.map((r) => r.id));
      return;
    }
    const seen = known.current;
    const added = items.map((r) => r.id).filter((id) => !seen.has(id));
    if (added.length === 0) return;
    for (const id of added) seen.add(id);
    setFresh((prev) => new Set([...prev, ...added]));
    timers.current.push(setTimeout(() => setFresh((prev) => new Set([...prev].filter((id) => !added.includes(id)))), 6000));
  }, [loaded, items]);
  useEffect(() => () => timers.current.forEach(clearTimeout), []);
  return fresh;
}
