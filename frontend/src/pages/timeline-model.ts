// The decision timeline's rows (view "timeline", projections/timeline) and the pure
// functions that turn them into sentences, links and filtered lists. Shared by the
// timeline page, the dashboard's recent activity and the notifications.
import { type Lang, type MessageKey, type Translate, codeLabel, translate } from '../i18n';
import { roleLabel } from '../model';
import { href } from '../router';

/** Who caused an entry; user (an e-mail address) is absent for observers. */
export interface EntryActor {
  user?: string;
  name?: string;
  organisation?: string;
  role?: string;
}

/** One row of the timeline view. */
export interface TimelineEntry {
  id: string;
  position: number;
  /** RFC 3339, UTC. */
  time: string;
  /** For text changes folded into one row: when the first one happened. */
  since?: string;
  /** Event type, e.g. "opinions.opinion.adopted". */
  type: string;
  context: string;
  actor: EntryActor;
  group_id?: string;
  object: { kind: string; id: string };
  organisations?: string[];
  summary?: Record<string, string>;
  count?: number;
  public?: boolean;
  removed?: boolean;
}

/** The contexts entries come from, in the order the filter offers them. */
export const CONTEXTS = ['membership', 'workinggroups', 'opinions', 'consultations', 'actionsheets'] as const;

/** An organisation as the sentences name it. */
export interface OrgRef {
  id: string;
  acronym?: string;
  name?: string;
}

type T = Translate;

/** Entries newest first (by position, which orders the log). */
export function sortEntries<E extends Pick<TimelineEntry, 'position' | 'id'>>(items: readonly E[]): E[] {
  return [...items].sort((a, b) => b.position - a.position || (a.id < b.id ? 1 : -1));
}

/** Whether a value looks like a timeline row (a missing field is tolerated, a wrong shape is not). */
export function isEntry(v: unknown): v is TimelineEntry {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.type === 'string' && typeof r.position === 'number';
}

/** Where an entry links to: the object's page, or nothing. */
export function entryHref(e: TimelineEntry): string | undefined {
  const id = e.object?.id;
  switch (e.object?.kind) {
    case 'opinion':
      return id ? href('opinions', id) : href('opinions');
    case 'consultation':
      return id ? href('consultations', id) : href('consultations');
    case 'group':
      return id ? href('groups', id) : href('groups');
    case 'sheet':
      return href('sheets');
    case 'organisation':
    case 'committee':
      return href('organisations');
    default:
      return undefined;
  }
}

function fmtDate(lang: Lang, iso: string | undefined, withTime: boolean): string {
  if (!iso) return '';
  // A civil date (YYYY-MM-DD) is a day, not an instant: no time zone shift.
  const civil = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  const d = new Date(civil ? `${iso}T12:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  const opts: Intl.DateTimeFormatOptions = withTime && !civil ? { dateStyle: 'long', timeStyle: 'short' } : { dateStyle: 'long' };
  if (civil) opts.timeZone = 'UTC';
  return new Intl.DateTimeFormat(lang, opts).format(d);
}

/** The date and time of an instant in the user's locale. */
export function formatTime(lang: Lang, iso: string): string {
  return fmtDate(lang, iso, true);
}

/** The time of day of an instant in the user's locale. */
export function formatClock(lang: Lang, iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : new Intl.DateTimeFormat(lang, { timeStyle: 'short' }).format(d);
}

/** The day of an instant, as a heading: "lundi 4 mars 2024". */
export function formatDay(lang: Lang, iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : new Intl.DateTimeFormat(lang, { dateStyle: 'full' }).format(d);
}

/** The local calendar day of an instant (YYYY-MM-DD), to group entries by day. */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function label(t: T, prefix: string, value: string | undefined): string {
  return value ? codeLabel(t, prefix, value) : '';
}

/**
 * Who did it, as a sentence names them: the person's name and organisation when the
 * directory knows them ("Marie Curie (AMF)"), else the organisation ("MEN-DNE"), else the
 * address; actorDetail gives the address to show beside the sentence.
 */
export function actorLabel(lang: Lang, t: T, actor: EntryActor | undefined, orgs: ReadonlyMap<string, OrgRef>): string {
  if (!actor) return t('timeline.actor.unknown');
  if (actor.role === 'system') return t('timeline.actor.system');
  const org = actor.organisation ? orgs.get(actor.organisation) : undefined;
  const acronym = org?.acronym || org?.name || '';
  if (actor.name) return acronym ? `${actor.name} (${acronym})` : actor.name;
  if (acronym) return acronym;
  if (actor.user) return actor.user;
  return actor.role ? roleLabel(lang, actor.role) : t('timeline.actor.unknown');
}

/** The address of who acted, when the sentence names them by organisation only. */
export function actorDetail(actor: EntryActor | undefined): string {
  return actor && !actor.name && actor.role !== 'system' && actor.organisation ? (actor.user ?? '') : '';
}

/** The message key of an entry's sentence and its parameters. */
export function sentenceOf(
  lang: Lang,
  t: T,
  e: TimelineEntry,
  orgs: ReadonlyMap<string, OrgRef>,
): { key: MessageKey; params: Record<string, string | number> } {
  const s = e.summary ?? {};
  const params: Record<string, string | number> = { actor: actorLabel(lang, t, e.actor, orgs) };
  for (const [k, v] of Object.entries(s)) params[k] = v;
  // Placeholders the tables use and the summary may lack: never leave "{title}" on screen.
  for (const k of ['title', 'question', 'group', 'acronym', 'name', 'lead', 'owner', 'from', 'to']) {
    if (!params[k]) params[k] = t('timeline.unnamed');
  }
  params.kind = '';
  params.role = s.role ? roleLabel(lang, s.role) : '';
  params.previous_role = s.previous_role ? roleLabel(lang, s.previous_role) : '';
  params.outcome = label(t, 'timeline.outcome', s.outcome);
  params.level = label(t, 'timeline.level', s.level);
  params.starts_at = fmtDate(lang, s.starts_at, true);
  params.deadline = fmtDate(lang, s.deadline, true);
  params.due_date = fmtDate(lang, s.due_date, false);
  params.previous_due_date = fmtDate(lang, s.previous_due_date, false);
  params.count = e.count ?? 1;
  params.percent = s.percent ? Number(s.percent) : 0;
  params.version = s.version ? Number(s.version) : 0;
  switch (e.type) {
    case 'opinions.opinion.created':
      params.kind = label(t, 'timeline.opinionKind', s.kind || 'opinion');
      break;
    case 'workinggroups.meeting.scheduled':
      params.kind = label(t, 'timeline.meetingKind', s.kind || 'meeting');
      break;
    case 'opinions.draft.changed':
      return { key: (e.count ?? 1) > 1 ? 'timeline.event.opinions.draft.changed.many' : 'timeline.event.opinions.draft.changed', params };
    case 'consultations.consultation.closed':
      if (s.at_deadline === 'true') return { key: 'timeline.event.consultations.consultation.closed.deadline', params };
      break;
  }
  const key = `timeline.event.${e.type}` as MessageKey;
  if (t(key) === key) return { key: 'timeline.event.unknown', params: { ...params, type: e.type } };
  return { key, params };
}

/** The summary parameter naming the object an entry links to, per object kind. */
const LINKED: Record<string, string> = {
  opinion: 'title',
  consultation: 'question',
  group: 'group',
  sheet: 'title',
  organisation: 'acronym',
  committee: 'name',
};

/** A piece of a sentence: text, and for the object's name, the link to its page. */
export interface Part {
  text: string;
  href?: string;
}

/**
 * An entry as a sentence in lang, in pieces: the object's name is the link to its page
 * (or the whole sentence, when it does not name the object).
 */
export function sentenceParts(lang: Lang, e: TimelineEntry, orgs: ReadonlyMap<string, OrgRef>, t?: T): Part[] {
  const tr: T = t ?? ((k, p) => translate(lang, k, p));
  const { key, params } = sentenceOf(lang, tr, e, orgs);
  const suffix = e.summary?.via_proxy === 'true' ? tr('timeline.viaProxy') : '';
  const link = entryHref(e);
  const hole = LINKED[e.object?.kind ?? ''];
  const template = tr(key);
  const at = hole ? template.indexOf(`{${hole}}`) : -1;
  if (!link || at < 0) return [{ text: tr(key, params) + suffix, href: link }];
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(fmt(lang, params[name]!)) : whole));
  const parts: Part[] = [
    { text: fill(template.slice(0, at)) },
    { text: String(params[hole] ?? ''), href: link },
    { text: fill(template.slice(at + hole!.length + 2)) + suffix },
  ];
  return parts.filter((p) => p.text !== '' || p.href);
}

function fmt(lang: Lang, v: string | number): string {
  return typeof v === 'number' ? new Intl.NumberFormat(lang).format(v) : v;
}

/** An entry as a sentence in lang: who did what (the "when" is shown beside it). */
export function describeEntry(lang: Lang, e: TimelineEntry, orgs: ReadonlyMap<string, OrgRef>, t?: T): string {
  return sentenceParts(lang, e, orgs, t)
    .map((p) => p.text)
    .join('');
}

/** What the user filters the timeline by; empty strings mean "any". */
export interface TimelineFilter {
  context: string;
  group: string;
  organisation: string;
  text: string;
}

export const NO_FILTER: TimelineFilter = { context: '', group: '', organisation: '', text: '' };

/** Lower case, without accents: "Élise" matches "elise". */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Whether an entry concerns an organisation: it acted, or the entry names it. */
export function concernsOrganisation(e: TimelineEntry, orgID: string): boolean {
  return e.actor?.organisation === orgID || (e.organisations ?? []).includes(orgID);
}

/**
 * The entries that pass the filter. sentence(e) is the entry as the user reads it: the
 * free text matches it (and the summary), ignoring case and accents, every word anywhere.
 */
export function filterEntries(
  entries: readonly TimelineEntry[],
  f: TimelineFilter,
  sentence: (e: TimelineEntry) => string,
): TimelineEntry[] {
  const words = fold(f.text).split(/\s+/).filter(Boolean);
  return entries.filter((e) => {
    if (f.context && e.context !== f.context) return false;
    if (f.group && e.group_id !== f.group) return false;
    if (f.organisation && !concernsOrganisation(e, f.organisation)) return false;
    if (words.length === 0) return true;
    const hay = fold([sentence(e), ...Object.values(e.summary ?? {})].join(' '));
    return words.every((w) => hay.includes(w));
  });
}

/** Entries grouped by local day, newest day first, keeping the order within a day. */
export function byDay(entries: readonly TimelineEntry[]): { day: string; entries: TimelineEntry[] }[] {
  const out: { day: string; entries: TimelineEntry[] }[] = [];
  for (const e of entries) {
    const day = dayKey(e.time);
    const last = out[out.length - 1];
    if (last && last.day === day) last.entries.push(e);
    else out.push({ day, entries: [e] });
  }
  return out;
}

/** The groups named by entries (ID → name), for the filter when the groups view is not there. */
export function groupsOf(entries: readonly TimelineEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    if (e.group_id && !out.has(e.group_id)) {
      const name = e.object?.kind === 'group' ? e.summary?.group : undefined;
      if (name) out.set(e.group_id, name);
    }
  }
  for (const e of entries) {
    if (e.group_id && !out.has(e.group_id)) out.set(e.group_id, e.summary?.group || e.group_id.slice(0, 8));
  }
  return out;
}
