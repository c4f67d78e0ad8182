// Rows of the consultations view and the pure helpers the consultations page uses to
// present them: order, who may vote for which organisation, tally bars, the body of an
// open-consultation command. Kept apart from the components to be tested alone.
import type { LiveRow } from '../live';
import type { User } from '../session';

/** The kinds of question a consultation asks. */
export const KINDS = ['yes_no_abstain', 'single_choice', 'multiple_choice', 'ranked'] as const;
export type Kind = (typeof KINDS)[number];

/** What a consultation decided (services/consultations Outcome). */
export type Outcome = 'adopted' | 'rejected' | 'no_quorum' | 'decided' | 'tie' | 'no_votes';

export interface Option {
  id: string;
  label: string;
}

export interface Elector {
  organisation_id: string;
  weight: number;
}

/** An organisation that voted; choices only when the reader may see them. */
export interface Participant {
  organisation_id: string;
  weight: number;
  via_proxy: boolean;
  cast_by_organisation: string;
  at: string;
  changed_at?: string;
  changes: number;
  choices?: string[];
  /** What the voter could see at its (last) ballot. */
  saw?: { text_sha256?: string; tally_visible: boolean; ballots_before: number };
}

export interface Proxy {
  from_organisation_id: string;
  to_organisation_id: string;
  signed_on: string;
  note?: string;
  recorded_by_secretariat: boolean;
}

export interface OptionCount {
  option_id: string;
  weight: number;
  ballots: number;
  points?: number;
}

/** A tally: live (open, results live, not secret) or the one the close recorded. */
export interface Result {
  kind: Kind;
  counts: OptionCount[] | null;
  ballots_cast: number;
  participating_weight: number;
  expressed_weight: number;
  electorate_weight: number;
  participation_percent: number;
  min_participation: number;
  quorum_reached: boolean;
  outcome: Outcome;
  winners?: string[];
}

export interface Turnout {
  ballots: number;
  weight: number;
  electors: number;
  electorate_weight: number;
  percent: number;
  quorum_reached: boolean;
}

/** A row of the consultations view (projections/consultations ConsultationRow). */
export interface Consultation extends LiveRow {
  question: string;
  description?: string;
  kind: Kind;
  options: Option[];
  max_choices?: number;
  electorate: Elector[];
  quorum: number;
  deadline: string;
  secret: boolean;
  results: 'live' | 'at_close';
  status: 'open' | 'closed';
  opened_at: string;
  participants: Participant[];
  turnout: Turnout;
  proxies: Proxy[];
  tally?: Result;
  result?: Result;
  closed_at?: string;
  at_deadline?: boolean;
  close_reason?: string;
  opinion_id?: string;
  opinion_text_sha256?: string;
  position: number;
}

/** Whether voting has ended: closed, or its deadline passed (the close is on its way). */
export function votingEnded(c: Pick<Consultation, 'status' | 'deadline'>, now: number): boolean {
  return c.status === 'closed' || Date.parse(c.deadline) <= now;
}

/** Open consultations first, the nearest deadline first; then closed ones, the latest first. */
export function sortConsultations<T extends Pick<Consultation, 'id' | 'status' | 'deadline' | 'closed_at'>>(
  rows: readonly T[],
): T[] {
  const time = (s: string | undefined) => (s ? Date.parse(s) : 0);
  return [...rows].sort((a, b) => {
    if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
    const d = a.status === 'open' ? time(a.deadline) - time(b.deadline) : time(b.closed_at) - time(a.closed_at);
    return d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

/** An organisation the user may cast a ballot for, and where that ballot stands. */
export interface BallotSeat {
  organisation_id: string;
  /** The user votes as holder of this organisation's proxy. */
  via_proxy: boolean;
  /** Its ballot, if it voted. */
  participant?: Participant;
  /** Whether a ballot may be sent now: a first one, or a change of an open ballot. */
  may_vote: boolean;
}

/**
 * The organisations user may vote for in c: its own if it is in the electorate, and
 * those whose proxy its organisation holds. Empty for auditors and observers, and for a
 * user acting for no organisation. The server decides anyway.
 */
export function ballotSeats(c: Consultation, user: Pick<User, 'role' | 'organisation_id'>, now: number): BallotSeat[] {
  const org = user.organisation_id ?? '';
  if (!org || (user.role !== 'member' && user.role !== 'secretariat')) return [];
  const inElectorate = (id: string) => c.electorate.some((e) => e.organisation_id === id);
  const ids: { id: string; via: boolean }[] = [];
  if (inElectorate(org)) ids.push({ id: org, via: false });
  for (const p of c.proxies) {
    if (p.to_organisation_id === org && inElectorate(p.from_organisation_id) && p.from_organisation_id !== org) {
      ids.push({ id: p.from_organisation_id, via: true });
    }
  }
  const open = !votingEnded(c, now);
  return ids.map(({ id, via }) => {
    const participant = c.participants.find((p) => p.organisation_id === id);
    return { organisation_id: id, via_proxy: via, participant, may_vote: open && (!participant || !c.secret) };
  });
}

/** One bar of a tally: an option's score and its share, in percent (0..100, one decimal). */
export interface Bar {
  option: Option;
  weight: number;
  ballots: number;
  points?: number;
  percent: number;
  winner: boolean;
}

/**
 * The bars of a tally, in the ballot paper's order. The share is of the participating
 * weight (for multiple choice, several options share a ballot, so shares may add up to
 * more than 100); for ranked consultations, of all the points given.
 */
export function tallyBars(options: readonly Option[], r: Result): Bar[] {
  const counts = new Map((r.counts ?? []).map((c) => [c.option_id, c]));
  const ranked = r.kind === 'ranked';
  const totalPoints = ranked ? (r.counts ?? []).reduce((s, c) => s + (c.points ?? 0), 0) : 0;
  const base = ranked ? totalPoints : r.participating_weight;
  const winners = new Set(r.winners ?? []);
  return options.map((option) => {
    const c = counts.get(option.id);
    const weight = c?.weight ?? 0;
    const score = ranked ? (c?.points ?? 0) : weight;
    const bar: Bar = {
      option,
      weight,
      ballots: c?.ballots ?? 0,
      percent: base > 0 ? Math.round((score * 1000) / base) / 10 : 0,
      winner: winners.has(option.id),
    };
    if (ranked) bar.points = c?.points ?? 0;
    return bar;
  });
}

/** An option ID made from its label: lower-case ASCII letters and digits joined by hyphens. */
export function slugify(label: string): string {
  return label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
}

/** Options from lines of text (one label a line, blank lines ignored), with unique IDs. */
export function optionsFromLines(text: string): Option[] {
  const seen = new Set<string>();
  const out: Option[] = [];
  for (const raw of text.split('\n')) {
    const label = raw.trim().replace(/\s+/g, ' ');
    if (!label) continue;
    const base = slugify(label) || `option-${out.length + 1}`;
    let id = base;
    for (let n = 2; seen.has(id); n++) id = `${base.slice(0, 36)}-${n}`;
    seen.add(id);
    out.push({ id, label });
  }
  return out;
}

/** What the open-consultation form holds. */
export interface OpenForm {
  question: string;
  description: string;
  kind: Kind;
  options: string;
  max_choices: string;
  /** Organisation ID → weight as typed, for the organisations ticked. */
  electorate: Record<string, string>;
  quorum: string;
  /** A datetime-local value (the user's local time). */
  deadline: string;
  secret: boolean;
  results: 'live' | 'at_close';
}

/** The open-consultation command's body for a filled form; local checks are the server's. */
export function openBody(f: OpenForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    question: f.question.trim(),
    kind: f.kind,
    electorate: Object.entries(f.electorate).map(([organisation_id, w]) => {
      const weight = Number.parseInt(w, 10);
      return Number.isFinite(weight) && weight !== 1 ? { organisation_id, weight } : { organisation_id };
    }),
    quorum: { min_participation: Number.parseInt(f.quorum, 10) || 0 },
    secret: f.secret,
    results: f.results,
  };
  if (f.description.trim()) body.description = f.description.trim();
  if (f.kind !== 'yes_no_abstain') body.options = optionsFromLines(f.options);
  if (f.kind === 'multiple_choice' && f.max_choices.trim()) body.max_choices = Number.parseInt(f.max_choices, 10) || 0;
  const at = f.deadline ? new Date(f.deadline) : null;
  body.deadline = at && !Number.isNaN(at.getTime()) ? at.toISOString() : f.deadline;
  return body;
}

/** A datetime-local value (YYYY-MM-DDTHH:MM, local time) for a date. */
export function localDateTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The default deadline of a new consultation: in a week, at 17:00 local time. */
export function defaultDeadline(now: Date): string {
  const d = new Date(now.getTime());
  d.setDate(d.getDate() + 7);
  d.setHours(17, 0, 0, 0);
  return localDateTime(d);
}

/** The ID of the consultation an open-consultation reply created (its stream is "consultation-<id>"). */
export function createdConsultationId(events: readonly { stream: string }[]): string | undefined {
  const s = events.find((e) => e.stream.startsWith('consultation-'))?.stream;
  return s ? s.slice('consultation-'.length) : undefined;
}

/**
 * The form field a server's field name belongs to: "options[2].id" → "options",
 * "electorate[0].organisation_id" → "electorate", "quorum.min_participation" → "quorum".
 */
export function formField(serverField: string): string {
  return serverField.split(/[.[]/, 1)[0]!.toLowerCase();
}

/**
 * Choices of a ranked ballot from the rank typed for each option ("" for unranked):
 * option IDs by rank, or the ID of the first option whose rank repeats another's.
 */
export function rankedChoices(ranks: Record<string, string>, options: readonly Option[]): { choices: string[]; duplicate?: string } {
  const ranked: { id: string; rank: number }[] = [];
  const used = new Map<number, string>();
  for (const o of options) {
    const r = Number.parseInt(ranks[o.id] ?? '', 10);
    if (!Number.isFinite(r)) continue;
    if (used.has(r)) return { choices: [], duplicate: o.id };
    used.set(r, o.id);
    ranked.push({ id: o.id, rank: r });
  }
  ranked.sort((a, b) => a.rank - b.rank);
  return { choices: ranked.map((x) => x.id) };
}

/** A recount simulation (services/consultations Simulation): never the official result. */
export interface Simulation {
  simulation: true;
  rules: { weights?: Record<string, number>; min_participation?: number };
  official: Result;
  recount: Result;
}

/**
 * The rules of a recount from the form: the weights typed that differ from the
 * electorate's, and the quorum if it differs; errors name the fields that are not whole
 * numbers in range (weights 0–1000, quorum 0–100).
 */
export function recountRules(
  c: Pick<Consultation, 'electorate' | 'quorum'>,
  weights: Readonly<Record<string, string>>,
  quorum: string,
): { rules: Simulation['rules']; errors: string[] } {
  const errors: string[] = [];
  const rules: Simulation['rules'] = {};
  const whole = (s: string, max: number) => (/^\d+$/.test(s.trim()) && Number(s) <= max ? Number(s) : undefined);
  for (const e of c.electorate) {
    const typed = weights[e.organisation_id];
    if (typed === undefined || typed.trim() === String(e.weight)) continue;
    const w = whole(typed, 1000);
    if (w === undefined) errors.push(e.organisation_id);
    else (rules.weights ??= {})[e.organisation_id] = w;
  }
  if (quorum.trim() !== String(c.quorum)) {
    const q = whole(quorum, 100);
    if (q === undefined) errors.push('min_participation');
    else rules.min_participation = q;
  }
  return { rules, errors };
}
