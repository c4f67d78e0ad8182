// The dashboard (#/): what needs me — votes my organisation must cast, amendments waiting
// in my groups, meetings to come, overdue action sheets — and the recent activity. Every
// list is live; the rows come from the other pages' views (see dashboard-model.ts).
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLiveView, useNow } from '../hooks';
import { type Lang, type MessageKey, plural } from '../i18n';
import type { LiveClient } from '../live';
import { href } from '../router';
import { LiveCount, useI18n } from '../ui';
import {
  type ConsultationRow,
  type GroupRow,
  type OpinionRow,
  type SheetRow,
  amendmentsToReview,
  civilToday,
  daysLate,
  groupsOf,
  meetingsComing,
  overdueSheets,
  sectionsFor,
  votesToCast,
} from './dashboard-model';
import type { PageProps } from './page';
import { type TimelineEntry, formatTime, isEntry, sortEntries } from './timeline-model';
import { EntryLine, useOrgRefs } from './timeline-ui';
import './dashboard.css';
import './timeline.css';

/** How many recent timeline entries the dashboard shows. */
const RECENT = 8;

/** The views the server refused or does not serve: their lists say so instead of loading forever. */
function useViewErrors(live: LiveClient): ReadonlySet<string> {
  const [errors, setErrors] = useState<ReadonlySet<string>>(new Set());
  useEffect(
    () =>
      live.onServerError((e) => {
        if (e.view) setErrors((prev) => new Set([...prev, e.view!]));
      }),
    [live],
  );
  return errors;
}

function formatCivil(lang: Lang, day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

export function DashboardPage({ live, user }: PageProps) {
  const { lang, t } = useI18n();
  const [now] = useNow(60_000);
  const errors = useViewErrors(live);
  const timeline = useLiveView<TimelineEntry>(live, 'timeline');
  const consultations = useLiveView<ConsultationRow>(live, 'consultations');
  const opinions = useLiveView<OpinionRow>(live, 'opinions');
  const groups = useLiveView<GroupRow>(live, 'groups');
  const sheets = useLiveView<SheetRow>(live, 'action-sheets');
  const orgs = useOrgRefs(live);
  const org = user.organisation_id || null;
  const show = sectionsFor(user.role, org);
  const ready = (v: { loaded: boolean }, name: string) => v.loaded || errors.has(name);
  const stateOf = (v: { loaded: boolean }, name: string) => (errors.has(name) ? 'error' : v.loaded ? 'ready' : 'loading');

  const myGroups = useMemo(() => groupsOf(groups.items, org), [groups.items, org]);
  const votes = useMemo(() => votesToCast(consultations.items, org, now), [consultations.items, org, now]);
  const amendments = useMemo(() => amendmentsToReview(opinions.items, myGroups), [opinions.items, myGroups]);
  const meetings = useMemo(
    () => meetingsComing(groups.items, show.onlyMyGroups ? myGroups : null, now),
    [groups.items, myGroups, show.onlyMyGroups, now],
  );
  const today = civilToday(now);
  const overdue = useMemo(() => overdueSheets(sheets.items, today, show.onlyMySheets ? org : null), [sheets.items, today, org, show.onlyMySheets]);
  const recent = useMemo(() => sortEntries(timeline.items.filter(isEntry)).slice(0, RECENT), [timeline.items]);
  const groupNames = useMemo(() => new Map(groups.items.map((g) => [g.id, g.name ?? ''])), [groups.items]);

  const loaded =
    ready(timeline, 'timeline') &&
    ready(groups, 'groups') &&
    ready(sheets, 'action-sheets') &&
    (!show.votes || ready(consultations, 'consultations')) &&
    (!show.amendments || ready(opinions, 'opinions'));

  return (
    <div class="container dashboard" data-loaded={loaded ? 'true' : 'false'} data-testid="dashboard">
      <h1 data-autofocus tabIndex={-1}>
        {t('dashboard.title')}
      </h1>
      <p class="lead">{t('dashboard.greeting', { name: user.name })}</p>

      <div class="dashboard-grid">
        {show.votes && (
          <Card
            id="dash-votes"
            title={t('dashboard.votes.title')}
            count={plural(lang, 'dashboard.votes.count', votes.length)}
            state={stateOf(consultations, 'consultations')}
            empty={votes.length === 0 ? t('dashboard.votes.empty') : null}
          >
            <ul class="dash-list">
              {votes.map((c) => (
                <li key={c.id} data-id={c.id}>
                  <a href={href('consultations', c.id)}>{c.question || c.id}</a>
                  {c.deadline && (
                    <span class="dash-list__meta">
                      {t('dashboard.votes.deadline', { date: formatTime(lang, c.deadline) })}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </Card>
        )}

        {show.amendments && (
          <Card
            id="dash-amendments"
            title={t('dashboard.amendments.title')}
            count={plural(lang, 'dashboard.amendments.count', amendments.length)}
            state={stateOf(opinions, 'opinions')}
            empty={amendments.length === 0 ? t('dashboard.amendments.empty') : null}
          >
            <ul class="dash-list">
              {amendments.map((o) => (
                <li key={o.id} data-id={o.id}>
                  <a href={href('opinions', o.id)}>{o.title || o.id}</a>
                  <span class="dash-list__meta">
                    {plural(lang, 'dashboard.amendments.pending', o.pending_amendments ?? 0)}
                    {(o.group_name || groupNames.get(o.group_id ?? '')) &&
                      ` · ${t('dashboard.meetings.group', { group: o.group_name || groupNames.get(o.group_id ?? '')! })}`}
                  </span>
                </li>
              ))}
            </ul>
          </Card>
        )}

        <Card
          id="dash-meetings"
          title={show.onlyMyGroups ? t('dashboard.meetings.titleMine') : t('dashboard.meetings.title')}
          count={plural(lang, 'dashboard.meetings.count', meetings.length)}
          state={stateOf(groups, 'groups')}
          empty={meetings.length === 0 ? t('dashboard.meetings.empty') : null}
        >
          <ul class="dash-list">
            {meetings.map(({ groupId, groupName, meeting }) => (
              <li key={`${groupId}/${meeting.id}`} data-id={meeting.id}>
                <a href={href('groups', groupId)}>{meeting.title || groupName}</a>
                <span class="dash-list__meta">
                  <time dateTime={meeting.starts_at}>{formatTime(lang, meeting.starts_at ?? '')}</time>
                  {meeting.kind && ` · ${t(`timeline.meetingKind.${meeting.kind}` as MessageKey)}`}
                  {meeting.place ? ` · ${meeting.place}` : meeting.video_url ? ` · ${t('dashboard.meetings.video')}` : ''}
                </span>
                {groupName && <span class="dash-list__meta">{t('dashboard.meetings.group', { group: groupName })}</span>}
              </li>
            ))}
          </ul>
        </Card>

        <Card
          id="dash-sheets"
          title={show.onlyMySheets ? t('dashboard.sheets.titleMine') : t('dashboard.sheets.title')}
          count={plural(lang, 'dashboard.sheets.count', overdue.length)}
          state={stateOf(sheets, 'action-sheets')}
          empty={overdue.length === 0 ? t('dashboard.sheets.empty') : null}
        >
          <ul class="dash-list">
            {overdue.map((s) => (
              <li key={s.id} data-id={s.id}>
                <a href={href('sheets')}>{s.title || s.id}</a>
                <span class="dash-list__meta dash-list__late">
                  {plural(lang, 'dashboard.sheets.late', daysLate(s.due_date ?? '', today), { date: formatCivil(lang, s.due_date ?? '') })}
                </span>
                {s.organisation_id && (
                  <span class="dash-list__meta">
                    {t('dashboard.sheets.owner', { owner: orgs.get(s.organisation_id)?.acronym ?? '—' })}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </Card>

        <Card
          id="dash-activity"
          wide
          title={t('dashboard.activity.title')}
          state={stateOf(timeline, 'timeline')}
          empty={recent.length === 0 ? t('dashboard.activity.empty') : null}
        >
          <ol class="activity-list">
            {recent.map((e) => (
              <li key={e.id} class={`entry entry--${e.context}`} data-id={e.id} data-type={e.type}>
                <EntryLine entry={e} orgs={orgs} />
              </li>
            ))}
          </ol>
          <p class="dash-more">
            <a href={href('timeline')}>{t('dashboard.activity.all')}</a>
          </p>
        </Card>
      </div>
    </div>
  );
}

function Card({
  id,
  title,
  count,
  state,
  empty,
  wide = false,
  children,
}: {
  id: string;
  title: string;
  count?: string;
  state: 'loading' | 'ready' | 'error';
  empty: string | null;
  wide?: boolean;
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <section class={`panel dash-card${wide ? ' dash-card--wide' : ''}`} aria-labelledby={`${id}-title`} data-testid={id} data-state={state}>
      <div class="panel__head">
        <h2 id={`${id}-title`}>{title}</h2>
        {count && state === 'ready' && (
          <LiveCount>
            {count}
          </LiveCount>
        )}
      </div>
      {state === 'loading' && <p class="empty">{t('dashboard.loading')}</p>}
      {state === 'error' && <p class="empty">{t('dashboard.unavailable')}</p>}
      {state === 'ready' && (empty ? <p class="empty">{empty}</p> : children)}
    </section>
  );
}
