// The steps of one text's history for the time-travel slider: its decisions and votes
// (timeline entries about the text and its consultations) and every change of its text
// (the `opinion-updates` rows), interleaved in log order.
import type { LiveRow } from '../live';
import type { Actor } from './opinions-model';
import type { TimelineEntry } from './timeline-model';

/** A row of the `opinion-updates` view: one change of a text (projections/drafts UpdateRow). */
export interface TextUpdate extends LiveRow {
  opinion_id: string;
  version: number;
  source: string;
  actor: Actor;
  time: string;
  position: number;
}

/** One step of the history: the log position it ends at, and what happened there. */
export interface Step {
  position: number;
  time: string;
  entry?: TimelineEntry;
  update?: TextUpdate;
}

/**
 * The history of the things in ids (a text and its consultations), oldest first, one step
 * per log position. A position that is a change of the text is told as that change (the
 * timeline folds text changes together; the slider shows each).
 */
export function historySteps(
  entries: readonly TimelineEntry[],
  updates: readonly TextUpdate[],
  ids: ReadonlySet<string>,
): Step[] {
  const at = new Map<number, Step>();
  for (const e of entries) {
    if (!e.removed && e.object && ids.has(e.object.id)) at.set(e.position, { position: e.position, time: e.time, entry: e });
  }
  for (const u of updates) {
    if (ids.has(u.opinion_id)) at.set(u.position, { position: u.position, time: u.time, update: u });
  }
  return [...at.values()].sort((a, b) => a.position - b.position);
}

/** The changes one person made to a text: how many, from when to when, and how. */
export interface ChangeSummary {
  actor: Actor;
  count: number;
  first: string;
  last: string;
  sources: string[];
}

/**
 * The text's changes grouped by who made them (user, or organisation when the user is
 * hidden), in the order each first wrote: the drafting record of a history report.
 */
export function summariseChanges(updates: readonly TextUpdate[]): ChangeSummary[] {
  const byWho = new Map<string, ChangeSummary>();
  for (const u of [...updates].sort((a, b) => a.position - b.position)) {
    const key = u.actor?.user || `org:${u.actor?.organisation_id ?? ''}`;
    const s = byWho.get(key);
    if (!s) {
      byWho.set(key, { actor: u.actor, count: 1, first: u.time, last: u.time, sources: [u.source] });
    } else {
      s.count++;
      s.last = u.time;
      if (!s.sources.includes(u.source)) s.sources.push(u.source);
    }
  }
  return [...byWho.values()];
}
