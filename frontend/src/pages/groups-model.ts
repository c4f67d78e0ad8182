// The working groups as the `groups` view serves them, and the pure functions the page
// uses to order, split and describe them (unit-tested in groups-model.test.ts).
import type { LiveRow } from '../live';

/** The six themes of the committee's charter, in its order. */
export const THEMES = ['gouvernance', 'usages', 'accompagnement', 'referentiels', 'infrastructures', 'filiere'] as const;

/** Kinds of meetings, from the charter. */
export const MEETING_KINDS = ['meeting', 'journee_de_partage', 'conference_de_consensus'] as const;

/** A kind of meeting. */
export type MeetingKind = (typeof MEETING_KINDS)[number];

/** A member organisation of a group. */
export interface GroupMember {
  organisation_id: string;
  /** Day it joined, YYYY-MM-DD. */
  since: string;
  lead?: boolean;
}

/** One item of an agenda, in order. */
export interface AgendaItem {
  title: string;
  presenter_organisation_id?: string;
}

/** Who attended a meeting (never shown to observers). */
export interface Attendance {
  version: number;
  present: string[];
  excused: string[];
  recorded_at: string;
}

/** One published version of a meeting's minutes. */
export interface Minutes {
  version: number;
  text: string;
  published_at: string;
}

/** A meeting of a group. */
export interface Meeting {
  id: string;
  title: string;
  kind: MeetingKind | string;
  /** RFC 3339, UTC. */
  starts_at: string;
  place?: string;
  video_url?: string;
  agenda: AgendaItem[];
  attendance?: Attendance;
  minutes_published: boolean;
  minutes: Minutes[];
}

/** A row of the `groups` view. */
export interface Group extends LiveRow {
  name: string;
  theme: string;
  status: 'open' | 'closed' | string;
  description?: string;
  close_reason?: string;
  lead_organisation_id: string;
  members: GroupMember[];
  meetings: Meeting[];
  revision: number;
  position: number;
}

/** What the page needs to know of an organisation of the committee. */
export interface OrgLike {
  id: string;
  name: string;
  acronym?: string;
}

/** Who is acting: the signed-in user's role and organisation. */
export interface Actor {
  role: string;
  organisation_id?: string | null;
}

/** Open groups first, then by name in the user's language. */
export function sortGroups(groups: readonly Group[], lang: string): Group[] {
  const coll = new Intl.Collator(lang, { sensitivity: 'base' });
  return [...groups].sort((a, b) => {
    if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
    return coll.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

/** The time a meeting starts, in ms since the epoch (NaN if unreadable). */
export function startsAt(m: Pick<Meeting, 'starts_at'>): number {
  return Date.parse(m.starts_at);
}

/** Whether a meeting has started at now (attendance and minutes may then be recorded). */
export function hasStarted(m: Pick<Meeting, 'starts_at'>, now: number): boolean {
  return startsAt(m) <= now;
}

/** Meetings still to come (soonest first), and those that started (latest first). */
export function splitMeetings(meetings: readonly Meeting[], now: number): { upcoming: Meeting[]; past: Meeting[] } {
  const upcoming = meetings.filter((m) => !hasStarted(m, now)).sort((a, b) => startsAt(a) - startsAt(b));
  const past = meetings.filter((m) => hasStarted(m, now)).sort((a, b) => startsAt(b) - startsAt(a));
  return { upcoming, past };
}

/** The group's next meeting at now, if any. */
export function nextMeeting(g: Pick<Group, 'meetings'>, now: number): Meeting | undefined {
  return splitMeetings(g.meetings, now).upcoming[0];
}

/** When the next meeting of any of these groups starts after now (ms), to re-render then. */
export function nextStart(groups: readonly Pick<Group, 'meetings'>[], now: number): number | undefined {
  let next: number | undefined;
  for (const g of groups) {
    for (const m of g.meetings) {
      const t = startsAt(m);
      if (t > now && (next === undefined || t < next)) next = t;
    }
  }
  return next;
}

/** Whether the organisation belongs to the group. */
export function isMember(g: Pick<Group, 'members'>, orgId: string | null | undefined): boolean {
  return !!orgId && g.members.some((m) => m.organisation_id === orgId);
}

/**
 * Whether the user may run the group's meetings (schedule, record attendance, publish
 * minutes): the secretariat, or a member of an organisation of the group; never on a
 * closed group. The server decides anyway; this only hides buttons that would fail.
 */
export function mayMeet(user: Actor, g: Pick<Group, 'members' | 'status'>): boolean {
  if (g.status !== 'open') return false;
  return user.role === 'secretariat' || (user.role === 'member' && isMember(g, user.organisation_id));
}

/** Whether the user may manage the group's membership: the secretariat or the lead organisation's members. */
export function mayManage(user: Actor, g: Pick<Group, 'lead_organisation_id' | 'status'>): boolean {
  if (g.status !== 'open') return false;
  return user.role === 'secretariat' || (user.role === 'member' && !!user.organisation_id && user.organisation_id === g.lead_organisation_id);
}

/** An organisation's short label: its acronym, else its name, else a hint that it left. */
export function orgLabel(orgs: ReadonlyMap<string, OrgLike>, id: string, unknown: string): string {
  const o = orgs.get(id);
  return o ? o.acronym || o.name : unknown;
}

/** Organisations of the committee that are not members of the group, by acronym. */
export function candidates(orgs: readonly OrgLike[], g: Pick<Group, 'members'>, lang: string): OrgLike[] {
  const coll = new Intl.Collator(lang, { sensitivity: 'base' });
  return orgs.filter((o) => !isMember(g, o.id)).sort((a, b) => coll.compare(a.acronym || a.name, b.acronym || b.name));
}

/** The agenda typed in a text area: one item per non-blank line, trimmed. */
export function parseAgenda(text: string): { title: string }[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((title) => ({ title }));
}

/**
 * The instant a datetime-local value ("2025-06-03T14:30") names in the browser's time
 * zone, as RFC 3339 UTC; undefined if the value is empty or unreadable.
 */
export function localToISO(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The latest published minutes of a meeting, if any. */
export function latestMinutes(m: Pick<Meeting, 'minutes'>): Minutes | undefined {
  return m.minutes.length ? m.minutes[m.minutes.length - 1] : undefined;
}

/** Each member's attendance at a meeting: present, excused, absent, or unknown if not recorded. */
export function attendanceOf(
  m: Pick<Meeting, 'attendance'>,
  orgId: string,
): 'present' | 'excused' | 'absent' | 'unknown' {
  const a = m.attendance;
  if (!a) return 'unknown';
  if (a.present.includes(orgId)) return 'present';
  if (a.excused.includes(orgId)) return 'excused';
  return 'absent';
}

/** Turns a per-organisation choice into the record-attendance command's lists. */
export function attendanceBody(choices: Readonly<Record<string, string>>): { present: string[]; excused: string[] } {
  const present: string[] = [];
  const excused: string[] = [];
  for (const [id, c] of Object.entries(choices)) {
    if (c === 'present') present.push(id);
    else if (c === 'excused') excused.push(id);
  }
  return { present: present.sort(), excused: excused.sort() };
}

/**
 * The field a problem's field path names in the schedule form ("agenda[2].title" is the
 * agenda), or undefined for a field the form does not have.
 */
export function scheduleField(path: string): 'title' | 'kind' | 'starts_at' | 'place' | 'video_url' | 'agenda' | undefined {
  const head = path.toLowerCase().replace(/\[.*$/, '').split('.')[0];
  switch (head) {
    case 'title':
    case 'kind':
    case 'starts_at':
    case 'place':
    case 'video_url':
    case 'agenda':
      return head;
  }
  return undefined;
}

/** An https URL safe to link to, or undefined. */
export function safeHttps(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
