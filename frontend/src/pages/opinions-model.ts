// The rows of the `opinions` and `opinion-details` views and the pure rules the opinions
// page applies to them: filtering, ordering, who may do what, where a passage is.
import type { LiveRow } from '../live';

/** Lifecycle statuses of a text, in lifecycle order. */
export const STATUSES = ['draft', 'in_review', 'voting', 'adopted', 'rejected', 'published', 'withdrawn'] as const;
export type OpinionStatus = (typeof STATUSES)[number];

/** Kinds of texts the committee produces. */
export const KINDS = ['contribution', 'opinion', 'recommendation'] as const;

/** Who did something, as the views record it (user is hidden from observers). */
export interface Actor {
  user?: string;
  organisation_id?: string;
  role?: string;
}

/** A row of the `opinions` view. */
export interface OpinionRow extends LiveRow {
  kind: string;
  title: string;
  theme?: string;
  group_id: string;
  group_name?: string;
  status: OpinionStatus | string;
  outcome?: string;
  /** UTF-16 code units, like String.length. */
  text_length: number;
  version: number;
  pending_amendments: number;
  frozen_sha256?: string;
  consultation_id?: string;
  created_at: string;
  updated_at: string;
  revision: number;
  position: number;
}

export interface TextEdit {
  version: number;
  source: string;
  at: string;
  actor: Actor;
}

export interface StatusChange {
  status: string;
  from?: string;
  at: string;
  actor: Actor;
  version: number;
  reason?: string;
  outcome?: string;
  consultation_id?: string;
}

export interface Amendment {
  id: string;
  state: 'proposed' | 'accepted' | 'rejected' | string;
  passage: string;
  replacement: string;
  reason?: string;
  offset: number;
  outdated?: boolean;
  version: number;
  proposed_by: Actor;
  proposed_at: string;
  decided_by?: Actor;
  decided_at?: string;
  decision_reason?: string;
}

export interface FrozenVersion {
  version: number;
  text: string;
  sha256: string;
  at: string;
  actor: Actor;
}

export interface LinkedConsultation {
  id: string;
  question: string;
  text_sha256: string;
  opened_at: string;
  deadline: string;
  closed: boolean;
  closed_at?: string;
  /** The text changed after the vote opened: it is no longer the text voted (and since when). */
  text_changed?: boolean;
  text_changed_at?: string;
}

export interface LinkedSheet {
  id: string;
  title: string;
  level: string;
  status: string;
  due_date: string;
}

/** A row of the `opinion-details` view. */
export interface OpinionDetail extends OpinionRow {
  text: string;
  text_error?: boolean;
  last_edit?: TextEdit;
  group_members: string[];
  group_closed?: boolean;
  withdrawn_reason?: string;
  history: StatusChange[];
  amendments: Amendment[];
  frozen_versions: FrozenVersion[];
  consultations: LinkedConsultation[];
  action_sheets: LinkedSheet[];
}

/** The list's filters; '' means every value. */
export interface Filters {
  status: string;
  group: string;
}

/** The rows that pass the filters, the most recently updated first (then by title). */
export function filterOpinions(rows: readonly OpinionRow[], f: Filters, lang: string): OpinionRow[] {
  const collator = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
  return rows
    .filter((r) => (!f.status || r.status === f.status) && (!f.group || r.group_id === f.group))
    .sort((a, b) => (b.updated_at > a.updated_at ? 1 : b.updated_at < a.updated_at ? -1 : 0) || collator.compare(a.title, b.title));
}

/** The drafting groups the rows name, by name, for the group filter. */
export function groupOptions(rows: readonly OpinionRow[], lang: string): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const r of rows) if (!seen.has(r.group_id)) seen.set(r.group_id, r.group_name || r.group_id);
  const collator = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => collator.compare(a.name, b.name));
}

/** How many rows have each status (every status present, 0 if none). */
export function statusCounts(rows: readonly OpinionRow[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const r of rows) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

/** The signed-in person, as far as the rules below need. */
export interface Who {
  role: string;
  organisation_id?: string | null;
}

/** What the user may do to a text; the server decides anyway, this only hides useless buttons. */
export interface Allowed {
  editText: boolean;
  submit: boolean;
  propose: boolean;
  decideAmendments: boolean;
  openVote: boolean;
  publish: boolean;
  withdraw: boolean;
}

const PEOPLE = ['secretariat', 'member'];

/** Whether the user's organisation drafts the text (a person of a member organisation of its group). */
export function isDrafter(who: Who, o: Pick<OpinionDetail, 'group_members'>): boolean {
  return PEOPLE.includes(who.role) && !!who.organisation_id && o.group_members.includes(who.organisation_id);
}

/** The actions the services' rules (services/opinions, services/authz) allow the user on o. */
export function allowedActions(who: Who, o: OpinionDetail): Allowed {
  const drafter = isDrafter(who, o) && !o.group_closed;
  const actsForOrg = PEOPLE.includes(who.role) && !!who.organisation_id;
  return {
    editText: drafter && o.status === 'draft' && !o.text_error,
    submit: drafter && o.status === 'draft',
    propose: actsForOrg && o.status === 'in_review',
    decideAmendments: isDrafter(who, o) && o.status === 'in_review',
    openVote: isDrafter(who, o) && o.status === 'in_review',
    publish: who.role === 'secretariat' && (o.status === 'adopted' || o.status === 'rejected'),
    withdraw: isDrafter(who, o) && (o.status === 'draft' || o.status === 'in_review' || o.status === 'voting'),
  };
}

/** Whether any action at all is allowed. */
export function anyAllowed(a: Allowed): boolean {
  return Object.values(a).some(Boolean);
}

/** Whether a lifecycle action (submit, open the vote, publish, withdraw) is allowed. */
export function lifecycleAllowed(a: Allowed): boolean {
  return a.submit || a.openVote || a.publish || a.withdraw;
}

/** The amendments still to decide. */
export function pendingAmendments(o: Pick<OpinionDetail, 'amendments'>): Amendment[] {
  return o.amendments.filter((a) => a.state === 'proposed');
}

/**
 * The passage of an amendment in the current text with some context around it, or
 * undefined when the text no longer holds it at its offset (outdated). Offsets count
 * UTF-16 code units, as JavaScript strings do.
 */
export function passageInText(
  text: string,
  a: Pick<Amendment, 'offset' | 'passage'>,
  context = 60,
): { before: string; passage: string; after: string } | undefined {
  const end = a.offset + a.passage.length;
  if (a.offset < 0 || end > text.length || text.slice(a.offset, end) !== a.passage) return undefined;
  let from = Math.max(0, a.offset - context);
  let to = Math.min(text.length, end + context);
  // Never cut a character written as a surrogate pair in two.
  if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from++;
  if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to--;
  // Nor go beyond the passage's own lines.
  const lineStart = text.lastIndexOf('\n', a.offset - 1) + 1;
  if (lineStart > from) from = lineStart;
  const lineEnd = text.indexOf('\n', end);
  if (lineEnd >= 0 && lineEnd < to) to = lineEnd;
  return {
    before: (from > 0 && text[from - 1] !== '\n' ? '…' : '') + text.slice(from, a.offset),
    passage: a.passage,
    after: text.slice(end, to) + (to < text.length && text[to] !== '\n' ? '…' : ''),
  };
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** The text as paragraphs: blocks separated by blank lines (single line breaks stay inside). */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n(?:[ \t]*\n)+/)
    .map((p) => p.replace(/^\n+|\n+$/g, ''))
    .filter((p) => p.trim() !== '');
}

/** A SHA-256 in groups of eight hex digits, easier to read aloud and compare. */
export function groupedHash(sha: string): string {
  return (sha.match(/.{1,8}/g) ?? []).join(' ');
}

/** The selection's text if it lies inside container, else ''. */
export function selectedIn(container: Node | null, sel: Pick<Selection, 'rangeCount' | 'toString' | 'getRangeAt'> | null): string {
  if (!container || !sel || sel.rangeCount === 0) return '';
  const range = sel.getRangeAt(0);
  if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return '';
  return sel.toString();
}
