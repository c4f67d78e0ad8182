// What the dashboard needs from the other views, and the pure functions that pick "what
// needs me" out of them. The row types declare only the fields used here, all optional:
// the views belong to other pages, and a field missing (an older server, a view not
// served yet) leaves a list empty instead of breaking the page.
import type { LiveRow } from '../live';

/** A row of the consultations view (projections/consultations). */
export interface ConsultationRow extends LiveRow {
  question?: string;
  status?: string;
  deadline?: string;
  electorate?: { organisation_id?: string }[];
  participants?: { organisation_id?: string }[];
  opinion_id?: string;
}

/** A row of the opinions view (projections/opinions). */
export interface OpinionRow extends LiveRow {
  title?: string;
  kind?: string;
  status?: string;
  group_id?: string;
  group_name?: string;
  pending_amendments?: number;
}

/** A meeting of a group in the groups view. */
export interface MeetingRow {
  id?: string;
  title?: string;
  kind?: string;
  starts_at?: string;
  place?: string;
  video_url?: string;
}

/** A row of the groups view (projections/groups). */
export interface GroupRow extends LiveRow {
  name?: string;
  status?: string;
  lead_organisation_id?: string;
  members?: ({ organisation_id?: string } | string)[];
  meetings?: MeetingRow[];
}

/** A row of the action-sheets view (projections/actionboard). */
export interface SheetRow extends LiveRow {
  title?: string;
  status?: string;
  level?: string;
  due_date?: string;
  organisation_id?: string;
}

const list = <T>(v: T[] | undefined | null): T[] => (Array.isArray(v) ? v : []);

function instant(iso: string | undefined): number {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? NaN : t;
}

/** The groups whose members include org. */
export function groupsOf(groups: readonly GroupRow[], org: string | null | undefined): Set<string> {
  const out = new Set<string>();
  if (!org) return out;
  for (const g of groups) {
    const has = list(g.members).some((m) => (typeof m === 'string' ? m === org : m?.organisation_id === org));
    if (has || g.lead_organisation_id === org) out.add(g.id);
  }
  return out;
}

/**
 * Open consultations whose electorate includes org and in which org has not voted yet,
 * soonest deadline first. A consultation past its deadline is no longer a vote to cast.
 */
export function votesToCast(rows: readonly ConsultationRow[], org: string | null | undefined, now: number): ConsultationRow[] {
  if (!org) return [];
  return rows
    .filter((c) => c.status === 'open')
    .filter((c) => list(c.electorate).some((e) => e?.organisation_id === org))
    .filter((c) => !list(c.participants).some((p) => p?.organisation_id === org))
    .filter((c) => {
      const d = instant(c.deadline);
      return Number.isNaN(d) || d > now;
    })
    .sort((a, b) => (instant(a.deadline) || Infinity) - (instant(b.deadline) || Infinity));
}

/** Opinions of my groups with amendments waiting for a decision, most waiting first. */
export function amendmentsToReview(rows: readonly OpinionRow[], myGroups: ReadonlySet<string>): OpinionRow[] {
  return rows
    .filter((o) => (o.pending_amendments ?? 0) > 0 && !!o.group_id && myGroups.has(o.group_id))
    .sort((a, b) => (b.pending_amendments ?? 0) - (a.pending_amendments ?? 0) || (a.title ?? '').localeCompare(b.title ?? ''));
}

/** A meeting to come with its group. */
export interface ComingMeeting {
  groupId: string;
  groupName: string;
  meeting: MeetingRow;
}

/**
 * Meetings that have not started yet, soonest first: of the groups in only (my groups),
 * or of every group when only is null.
 */
export function meetingsComing(
  groups: readonly GroupRow[],
  only: ReadonlySet<string> | null,
  now: number,
  limit = 5,
): ComingMeeting[] {
  const out: ComingMeeting[] = [];
  for (const g of groups) {
    if (only && !only.has(g.id)) continue;
    if (g.status === 'closed') continue;
    for (const m of list(g.meetings)) {
      const at = instant(m?.starts_at);
      if (!Number.isNaN(at) && at >= now) out.push({ groupId: g.id, groupName: g.name ?? '', meeting: m });
    }
  }
  return out.sort((a, b) => instant(a.meeting.starts_at) - instant(b.meeting.starts_at)).slice(0, limit);
}

/** Statuses of a sheet still to be done. */
const OPEN_SHEET = new Set(['planned', 'in_progress']);

/** Today as a civil date (YYYY-MM-DD) in the user's time zone. */
export function civilToday(now: number): string {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * Sheets past their due date and not done nor abandoned, the latest first: of
 * organisation owner, or all of them when owner is null.
 */
export function overdueSheets(rows: readonly SheetRow[], today: string, owner: string | null): SheetRow[] {
  return rows
    .filter((s) => !!s.due_date && s.due_date < today && OPEN_SHEET.has(s.status ?? ''))
    .filter((s) => owner === null || s.organisation_id === owner)
    .sort((a, b) => (a.due_date ?? '').localeCompare(b.due_date ?? ''));
}

/** Days between a civil due date and today (both YYYY-MM-DD). */
export function daysLate(due: string, today: string): number {
  const a = Date.parse(`${due}T00:00:00Z`);
  const b = Date.parse(`${today}T00:00:00Z`);
  return Number.isNaN(a) || Number.isNaN(b) ? 0 : Math.round((b - a) / 86_400_000);
}

/** What the dashboard shows a role: votes and amendments are for those who act. */
export function sectionsFor(role: string, organisationId: string | null | undefined) {
  const acts = role === 'secretariat' || role === 'member';
  return {
    votes: acts && !!organisationId,
    amendments: acts && !!organisationId,
    // Members follow their own groups' meetings and their own sheets; the secretariat,
    // auditors and observers follow everything.
    onlyMyGroups: role === 'member' && !!organisationId,
    onlyMySheets: role === 'member' && !!organisationId,
  };
}
