// One working group (#/groups/<id>): its mandate, members and meetings (upcoming first,
// then past) with agenda, attendance and minutes, and the actions the user's role allows.
import { useMemo } from 'preact/hooks';
import type { Organisation } from '../api';
import type { LiveClient, ViewState } from '../live';
import { href } from '../router';
import type { User } from '../session';
import { plural } from '../i18n';
import { BackLink, Fact, useI18n } from '../ui';
import { AddMemberForm, AttendanceForm, MinutesForm, ScheduleMeetingForm } from './groups-forms';
import {
  type Group,
  type Meeting,
  type OrgLike,
  attendanceOf,
  candidates,
  hasStarted,
  latestMinutes,
  mayManage,
  mayMeet,
  orgLabel,
  safeHttps,
  splitMeetings,
} from './groups-model';
import { GroupStatus, formatDateTime, formatDay, kindLabel, themeLabel } from './groups-ui';

export function GroupDetail({
  live,
  user,
  id,
  groups,
  orgs,
  orgList,
  now,
}: {
  live: LiveClient;
  user: User;
  id: string;
  groups: ViewState<Group>;
  orgs: ReadonlyMap<string, OrgLike>;
  orgList: Organisation[];
  now: number;
}) {
  const { lang, t } = useI18n();
  const group = groups.items.find((g) => g.id === id);
  const back = (
    <BackLink href={href('groups')} class="groups__back">
      {t('groups.back')}
    </BackLink>
  );
  if (!group) {
    return (
      <div class="container groups" data-loaded={groups.loaded ? 'true' : 'false'}>
        {back}
        <h1 data-autofocus tabIndex={-1}>
          {groups.loaded ? t('groups.notFound.title') : t('groups.title')}
        </h1>
        <p class="lead" role="status">
          {groups.loaded ? t('groups.notFound') : t('groups.loading')}
        </p>
      </div>
    );
  }
  const unknown = t('groups.org.unknown');
  const lead = orgs.get(group.lead_organisation_id);
  const meets = mayMeet(user, group);
  return (
    <div class="groups groups-detail" data-loaded="true" data-id={group.id}>
      <section class="groups-hero" aria-labelledby="group-title">
        <div class="container">
          {back}
          <p class="eyebrow">{t('groups.eyebrow')}</p>
          <h1 id="group-title" data-autofocus tabIndex={-1}>
            {group.name}
          </h1>
          {group.description && <p class="lead">{group.description}</p>}
          <dl class="facts">
            <Fact label={t('groups.fact.theme')}>{themeLabel(t, group.theme)}</Fact>
            <Fact label={t('groups.fact.status')}>
              <GroupStatus status={group.status} />
            </Fact>
            <Fact label={t('groups.fact.lead')}>{lead ? `${lead.name}${lead.acronym ? ` (${lead.acronym})` : ''}` : unknown}</Fact>
            <Fact label={t('groups.fact.members')} testid="member-count">
              {plural(lang, 'groups.members', group.members.length)}
            </Fact>
          </dl>
          {group.status !== 'open' && group.close_reason && (
            <p class="groups__closed">{t('groups.closedReason', { reason: group.close_reason })}</p>
          )}
        </div>
      </section>
      <div class="container">
        <div class="layout">
          <MeetingsSection live={live} user={user} group={group} orgs={orgs} now={now} meets={meets} />
          <div class="groups-detail__side">
            <MembersSection live={live} user={user} group={group} orgs={orgs} orgList={orgList} />
            {meets ? <ScheduleMeetingForm live={live} group={group} /> : <ReadOnlyNote user={user} group={group} />}
          </div>
        </div>
      </div>
    </div>
  );
}

/** What the sections of a group's page share. */
interface SectionProps {
  live: LiveClient;
  user: User;
  group: Group;
  orgs: ReadonlyMap<string, OrgLike>;
}

function MembersSection({ live, user, group, orgs, orgList }: SectionProps & { orgList: Organisation[] }) {
  const { lang, t } = useI18n();
  const unknown = t('groups.org.unknown');
  const others = useMemo(() => candidates(orgList, group, lang), [orgList, group, lang]);
  return (
    <section class="panel groups-members" aria-labelledby="members-title" data-testid="group-members">
      <div class="panel__head">
        <h2 id="members-title">{t('groups.members.title')}</h2>
      </div>
      <ul class="groups-members__list">
        {group.members.map((m) => {
          const o = orgs.get(m.organisation_id);
          return (
            <li key={m.organisation_id} data-id={m.organisation_id}>
              <span class="groups-members__name">
                {o ? (
                  <>
                    <strong>{o.acronym || o.name}</strong>
                    {o.acronym && <span class="groups-members__full"> — {o.name}</span>}
                  </>
                ) : (
                  unknown
                )}
                {m.lead && <span class="badge">{t('groups.members.lead')}</span>}
              </span>
              <span class="groups-members__since">{t('groups.members.since', { date: formatDay(lang, m.since) })}</span>
            </li>
          );
        })}
      </ul>
      {mayManage(user, group) && <AddMemberForm live={live} group={group} candidates={others} />}
    </section>
  );
}

function MeetingsSection({ live, user, group, orgs, now, meets }: SectionProps & { now: number; meets: boolean }) {
  const { t } = useI18n();
  const { upcoming, past } = splitMeetings(group.meetings, now);
  return (
    <section class="groups-meetings" aria-labelledby="meetings-title">
      <div class="panel__head">
        <h2 id="meetings-title">{t('groups.meetings.title')}</h2>
      </div>
      {(
        [
          ['upcoming', upcoming, 'groups.meetings.upcoming', 'groups.meetings.noneUpcoming'],
          ['past', past, 'groups.meetings.past', 'groups.meetings.nonePast'],
        ] as const
      ).map(([which, meetings, title, none]) => (
        <section key={which} aria-labelledby={`${which}-title`} data-testid={`${which}-meetings`}>
          <h3 id={`${which}-title`}>{t(title)}</h3>
          {meetings.length === 0 ? (
            <p class="empty">{t(none)}</p>
          ) : (
            meetings.map((m) => <MeetingCard key={m.id} live={live} user={user} group={group} meeting={m} orgs={orgs} now={now} meets={meets} />)
          )}
        </section>
      ))}
    </section>
  );
}

function MeetingCard({
  live,
  user,
  group,
  meeting,
  orgs,
  now,
  meets,
}: SectionProps & { meeting: Meeting; now: number; meets: boolean }) {
  const { lang, t } = useI18n();
  const started = hasStarted(meeting, now);
  const video = safeHttps(meeting.video_url);
  const titleId = `meeting-${meeting.id}`;
  const unknown = t('groups.org.unknown');
  return (
    <article class="groups-meeting" aria-labelledby={titleId} data-id={meeting.id} data-testid="meeting">
      <p class="groups-meeting__kind">{kindLabel(t, meeting.kind)}</p>
      <h4 id={titleId}>{meeting.title}</h4>
      <dl class="groups-meeting__facts">
        <Fact label={t('groups.meeting.when')}>
          <time dateTime={meeting.starts_at}>{formatDateTime(lang, meeting.starts_at)}</time>
        </Fact>
        {meeting.place && <Fact label={t('groups.meeting.place')}>{meeting.place}</Fact>}
        {video && (
          <Fact label={t('groups.meeting.video')}>
            <a href={video} rel="noopener noreferrer">
              {t('groups.meeting.videoLink')}
            </a>
          </Fact>
        )}
      </dl>
      <h5>{t('groups.meeting.agenda')}</h5>
      <ol class="groups-meeting__agenda" data-testid="agenda">
        {meeting.agenda.map((it, i) => (
          <li key={i}>
            {it.title}
            {it.presenter_organisation_id && (
              <span class="groups__muted">
                {' — '}
                {t('groups.meeting.presenter', { org: orgLabel(orgs, it.presenter_organisation_id, unknown) })}
              </span>
            )}
          </li>
        ))}
      </ol>
      {started && user.role !== 'observer' && <AttendanceBlock group={group} meeting={meeting} orgs={orgs} />}
      {(started || meeting.minutes_published) && <MinutesBlock meeting={meeting} />}
      {started && meets && (
        <div class="groups-meeting__actions">
          <AttendanceForm live={live} group={group} meeting={meeting} orgs={orgs} />
          <MinutesForm live={live} group={group} meeting={meeting} />
        </div>
      )}
    </article>
  );
}

function AttendanceBlock({ group, meeting, orgs }: { group: Group; meeting: Meeting; orgs: ReadonlyMap<string, OrgLike> }) {
  const { t } = useI18n();
  const unknown = t('groups.org.unknown');
  const a = meeting.attendance;
  const lists = useMemo(() => {
    if (!a) return null;
    const absent = group.members.map((m) => m.organisation_id).filter((id) => attendanceOf(meeting, id) === 'absent');
    const names = (ids: string[]) => ids.map((id) => orgLabel(orgs, id, unknown));
    return { present: names(a.present), excused: names(a.excused), absent: names(absent) };
  }, [a, group.members, orgs, unknown]);
  return (
    <div class="groups-meeting__block" data-testid="attendance">
      <h5>{t('groups.meeting.attendance')}</h5>
      {!lists ? (
        <p class="groups__muted">{t('groups.meeting.attendance.none')}</p>
      ) : (
        <dl class="groups-meeting__attendance">
          {(
            [
              ['groups.attendance.presentList', lists.present],
              ['groups.attendance.excusedList', lists.excused],
              ['groups.attendance.absentList', lists.absent],
            ] as const
          ).map(([key, names]) =>
            names.length ? (
              <Fact key={key} label={t(key)}>
                {names.join(', ')}
              </Fact>
            ) : null,
          )}
        </dl>
      )}
    </div>
  );
}

function MinutesBlock({ meeting }: { meeting: Meeting }) {
  const { lang, t } = useI18n();
  const latest = latestMinutes(meeting);
  const earlier = meeting.minutes.slice(0, -1).reverse();
  return (
    <div class="groups-meeting__block" data-testid="minutes">
      <h5>{t('groups.meeting.minutes')}</h5>
      {!latest ? (
        <p class="groups__muted">{t('groups.meeting.minutes.none')}</p>
      ) : (
        <>
          <p class="groups__muted groups-minutes__meta">
            {t('groups.meeting.minutes.version', { version: latest.version, date: formatDay(lang, latest.published_at) })}
          </p>
          <div class="groups-minutes__text" data-testid="minutes-text">
            {latest.text}
          </div>
          {earlier.length > 0 && (
            <details class="groups-action">
              <summary>{t('groups.meeting.minutes.earlier', { n: earlier.length })}</summary>
              {earlier.map((m) => (
                <div key={m.version} class="groups-minutes__earlier">
                  <p class="groups__muted">
                    {t('groups.meeting.minutes.version', { version: m.version, date: formatDay(lang, m.published_at) })}
                  </p>
                  <div class="groups-minutes__text">{m.text}</div>
                </div>
              ))}
            </details>
          )}
        </>
      )}
    </div>
  );
}

function ReadOnlyNote({ user, group }: { user: User; group: Group }) {
  const { t } = useI18n();
  const key =
    group.status !== 'open' ? 'groups.readOnly.closed' : user.role === 'observer' ? 'groups.readOnly.observer' : 'groups.readOnly.other';
  return (
    <section class="panel form-panel" aria-labelledby="read-only-title" data-testid="read-only">
      <h2 id="read-only-title">{t('groups.readOnly.title')}</h2>
      <p class="form-intro">{t(key)}</p>
    </section>
  );
}
