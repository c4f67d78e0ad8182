// The working groups page: the list of groups (#/groups) and one group's detail
// (#/groups/<id>, in groups-detail.tsx), both live over the `groups` view.
import { useEffect, useMemo } from 'preact/hooks';
import type { Organisation } from '../api';
import { useLiveView, useNow } from '../hooks';
import { plural } from '../i18n';
import { href } from '../router';
import { DataTable, LiveCount, useI18n } from '../ui';
import { GroupDetail } from './groups-detail';
import { GroupStatus, formatDateTime, kindLabel, themeLabel } from './groups-ui';
import { type Group, type OrgLike, nextMeeting, nextStart, sortGroups } from './groups-model';
import type { PageProps } from './page';
import './groups.css';

export function GroupsPage({ live, user, id }: PageProps) {
  const groups = useLiveView<Group>(live, 'groups');
  const orgsView = useLiveView<Organisation>(live, 'organisations');
  const orgs = useMemo(() => new Map<string, OrgLike>(orgsView.items.map((o) => [o.id, o])), [orgsView.items]);
  const now = useMeetingClock(groups.items);
  if (id) {
    return <GroupDetail live={live} user={user} id={id} groups={groups} orgs={orgs} orgList={orgsView.items} now={now} />;
  }
  return <GroupList groups={groups.items} loaded={groups.loaded} orgs={orgs} now={now} />;
}

function GroupList({
  groups,
  loaded,
  orgs,
  now,
}: {
  groups: Group[];
  loaded: boolean;
  orgs: ReadonlyMap<string, OrgLike>;
  now: number;
}) {
  const { lang, t } = useI18n();
  const rows = useMemo(() => sortGroups(groups, lang), [groups, lang]);
  return (
    <div class="container groups">
      <h1 data-autofocus tabIndex={-1}>
        {t('groups.title')}
      </h1>
      <p class="lead">{t('groups.intro')}</p>
      <section class="groups__list" aria-labelledby="groups-list-title" data-loaded={loaded ? 'true' : 'false'}>
        <div class="panel__head">
          <h2 id="groups-list-title" class="visually-hidden">
            {t('groups.title')}
          </h2>
          <LiveCount id="groups-count" testid="groups-count">
            {loaded ? plural(lang, 'groups.count', rows.length) : t('groups.loading')}
          </LiveCount>
        </div>
        {loaded && rows.length === 0 && <p class="empty">{t('groups.empty')}</p>}
        {rows.length > 0 && (
          <DataTable
            titleId="groups-list-title"
            countId="groups-count"
            columns={(['name', 'theme', 'status', 'members', 'next'] as const).map((c) => t(`groups.col.${c}`))}
          >
            {rows.map((g) => (
              <GroupListRow key={g.id} group={g} orgs={orgs} now={now} />
            ))}
          </DataTable>
        )}
      </section>
    </div>
  );
}

function GroupListRow({ group, orgs, now }: { group: Group; orgs: ReadonlyMap<string, OrgLike>; now: number }) {
  const { lang, t } = useI18n();
  const next = nextMeeting(group, now);
  const lead = orgs.get(group.lead_organisation_id);
  return (
    <tr data-id={group.id} data-testid="group-row">
      <th scope="row">
        <a href={href('groups', group.id)} class="groups__name">
          {group.name}
        </a>
        {lead && <span class="groups__lead">{lead.acronym || lead.name}</span>}
      </th>
      <td>{themeLabel(t, group.theme)}</td>
      <td>
        <GroupStatus status={group.status} />
      </td>
      <td class="groups__num">{plural(lang, 'groups.members', group.members.length)}</td>
      <td data-testid="next-meeting">
        {next ? (
          <>
            <span class="groups__next-title">{next.title}</span>
            <span class="groups__next-when">
              <time dateTime={next.starts_at}>{formatDateTime(lang, next.starts_at)}</time>
              {' · '}
              {kindLabel(t, next.kind)}
            </span>
          </>
        ) : (
          <span class="groups__muted">{t('groups.next.none')}</span>
        )}
      </td>
    </tr>
  );
}

/**
 * The current time, refreshed every 30 s and at the moment the next of these groups'
 * meetings starts, so that a meeting moves from "upcoming" to "past" on time.
 */
function useMeetingClock(groups: readonly Group[]): number {
  const [now, setNow] = useNow(30_000);
  const next = nextStart(groups, now);
  useEffect(() => {
    if (next === undefined) return;
    const wait = Math.min(Math.max(next - Date.now() + 50, 0), 2 ** 31 - 1);
    const timer = setTimeout(() => setNow(Date.now()), wait);
    return () => clearTimeout(timer);
  }, [next]);
  return now;
}
