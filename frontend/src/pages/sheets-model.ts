// Action sheets (fiches-actions): the rows of the action-sheets view and the pure rules the
// board applies to them — filters, the overdue test, grouping by level, who may do what,
// and the reading of a CSV import's line-numbered errors. Kept apart from the components
// so that vitest checks them alone.
import type { LiveRow } from '../live';

/** Levels of government, from the commune to the State (the board's order). */
export const LEVELS = ['commune', 'intercommunalite', 'departement', 'region', 'etat'] as const;
/** A level of government. */
export type Level = (typeof LEVELS)[number];

/** The committee's six themes, in the charter's order. */
export const THEMES = ['gouvernance', 'usages', 'accompagnement', 'referentiels', 'infrastructures', 'filiere'] as const;
/** A theme code. */
export type Theme = (typeof THEMES)[number];

/** Statuses of a sheet: planned → in_progress → done | abandoned. */
export const STATUSES = ['planned', 'in_progress', 'done', 'abandoned'] as const;
/** A sheet's status. */
export type Status = (typeof STATUSES)[number];

/** One progress report. */
export interface ProgressEntry {
  /** Civil date (YYYY-MM-DD) the figure describes. */
  as_of: string;
  percent: number;
  comment: string;
  /** Instant (RFC 3339) the report was made. */
  recorded_at: string;
  /** Organisation the reporter acted for, if any. */
  by?: string;
}

/** One move of the due date. */
export interface Reschedule {
  from: string;
  to: string;
  reason: string;
  at: string;
}

/** A row of the action-sheets view (projections/actionboard.SheetRow). */
export interface SheetRow extends LiveRow {
  committee_id: string;
  title: string;
  description?: string;
  level: Level | string;
  theme: Theme | string;
  organisation_id: string;
  status: Status | string;
  /** Civil date, YYYY-MM-DD. */
  due_date: string;
  opinion_id?: string;
  created_at: string;
  started_at?: string;
  closed_at?: string;
  outcome?: string;
  percent: number;
  progress: ProgressEntry[];
  reschedules: Reschedule[];
  import_line?: number;
  /** The board stream's revision at this sheet's last event. */
  revision: number;
  updated_at: string;
  position: number;
}

/** The reader's civil date today (YYYY-MM-DD), in the device's time zone. */
export function localToday(now: Date = new Date()): string {
  const y = String(now.getFullYear()).padStart(4, '0');
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** Milliseconds until the reader's next midnight (when "today", hence "overdue", changes). */
export function msUntilTomorrow(now: Date = new Date()): number {
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return Math.max(1000, next.getTime() - now.getTime());
}

/** Whether a sheet can still change: neither done nor abandoned. */
export function isOpen(s: Pick<SheetRow, 'status'>): boolean {
  return s.status === 'planned' || s.status === 'in_progress';
}

/**
 * Whether a sheet is overdue on the reader's date today: still open, and due on a day
 * before today. The view carries no such flag (it depends on today, which moves without
 * any event), so it is computed here; a sheet due today is not overdue yet.
 */
export function isOverdue(s: Pick<SheetRow, 'status' | 'due_date'>, today: string): boolean {
  return isOpen(s) && /^\d{4}-\d{2}-\d{2}$/.test(s.due_date) && s.due_date < today;
}

/** The board's filters; an empty string means "any". */
export interface SheetFilters {
  level: string;
  theme: string;
  status: string;
  owner: string;
  overdueOnly: boolean;
}

/** No filter. */
export const NO_FILTERS: SheetFilters = { level: '', theme: '', status: '', owner: '', overdueOnly: false };

/** Whether any filter is set. */
export function filtering(f: SheetFilters): boolean {
  return f.level !== '' || f.theme !== '' || f.status !== '' || f.owner !== '' || f.overdueOnly;
}

/** The sheets that pass every filter, in their order. */
export function filterSheets<T extends SheetRow>(rows: readonly T[], f: SheetFilters, today: string): T[] {
  return rows.filter(
    (s) =>
      (!f.level || s.level === f.level) &&
      (!f.theme || s.theme === f.theme) &&
      (!f.status || s.status === f.status) &&
      (!f.owner || s.organisation_id === f.owner) &&
      (!f.overdueOnly || isOverdue(s, today)),
  );
}

/** Sheets of one level, for the board's sections. */
export interface LevelGroup<T> {
  level: string;
  sheets: T[];
}

/**
 * The sheets grouped by level, levels in the board's order (unknown ones last, by code),
 * each group sorted by due date, then title (in lang's collation); empty levels left out.
 */
export function groupByLevel<T extends SheetRow>(rows: readonly T[], lang: string): LevelGroup<T>[] {
  const collator = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
  const groups = new Map<string, T[]>();
  for (const s of rows) {
    const list = groups.get(s.level);
    if (list) list.push(s);
    else groups.set(s.level, [s]);
  }
  const rank = (l: string) => {
    const i = (LEVELS as readonly string[]).indexOf(l);
    return i < 0 ? LEVELS.length : i;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([level, sheets]) => ({
      level,
      sheets: sheets.sort(
        (a, b) =>
          (a.due_date < b.due_date ? -1 : a.due_date > b.due_date ? 1 : 0) ||
          collator.compare(a.title, b.title) ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      ),
    }));
}

/**
 * The board stream's current revision: every event of the board names one sheet, so it
 * is the largest revision over the rows (-1 for an empty board). Sent as If-Match, it
 * has a command refused if anything on the board changed since.
 */
export function boardRevision(rows: readonly Pick<SheetRow, 'revision'>[]): number {
  return rows.reduce((m, s) => Math.max(m, s.revision), -1);
}

/** Who is signed in, as far as the board's permissions go. */
export interface Actor {
  role: string;
  organisation_id?: string | null;
}

/** Whether the actor may create sheets (the secretariat for anyone, a member for its organisation). */
export function mayCreate(a: Actor): boolean {
  return a.role === 'secretariat' || (a.role === 'member' && !!a.organisation_id);
}

/** Whether the actor may import a CSV file: the secretariat alone. */
export function mayImport(a: Actor): boolean {
  return a.role === 'secretariat';
}

/** Whether the actor may act on a sheet: the secretariat, or a member of its owner. */
export function mayAct(a: Actor, s: Pick<SheetRow, 'organisation_id'>): boolean {
  return a.role === 'secretariat' || (a.role === 'member' && !!a.organisation_id && a.organisation_id === s.organisation_id);
}

/** The actions a sheet offers in its status (before the actor's rights are checked). */
export function actionsFor(s: Pick<SheetRow, 'status'>): ('start' | 'progress' | 'complete')[] {
  if (s.status === 'planned') return ['start'];
  if (s.status === 'in_progress') return ['progress', 'complete'];
  return [];
}

/** One problem of an import file: its line (0 when unknown), the column or header cell, the rule. */
export interface ImportProblem {
  line: number;
  column?: string;
  rule: string;
}

/**
 * The problems of a csv_invalid refusal, from its fields ("ligne 3: echeance" →
 * "date_in_past", "ligne 7" → "syntax"), sorted by line, then column.
 */
export function importProblems(fields: Record<string, string> | undefined): ImportProblem[] {
  if (!fields) return [];
  const out: ImportProblem[] = [];
  for (const [key, rule] of Object.entries(fields)) {
    const m = /^\s*(?:ligne|line)\s+(\d+)\s*(?::\s*(.*))?$/i.exec(key);
    if (m) {
      const column = m[2]?.trim();
      out.push(column ? { line: Number(m[1]), column, rule: String(rule) } : { line: Number(m[1]), rule: String(rule) });
    } else {
      out.push({ line: 0, column: key, rule: String(rule) });
    }
  }
  return out.sort(
    (a, b) => a.line - b.line || (a.column ?? '').localeCompare(b.column ?? '') || a.rule.localeCompare(b.rule),
  );
}

/** The canonical (French) column names of an import file. */
export const IMPORT_COLUMNS = ['titre', 'description', 'niveau', 'theme', 'organisation', 'echeance', 'avis'] as const;

/** The rule's name without its parameter: "max=300" → "max". */
export function ruleName(rule: string): string {
  return rule.split(/[=,]/)[0]!.trim().toLowerCase();
}

/** A civil date (YYYY-MM-DD) as a Date at UTC midnight, or undefined. */
export function civilDate(s: string | undefined): Date | undefined {
  const m = s ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) : null;
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}
