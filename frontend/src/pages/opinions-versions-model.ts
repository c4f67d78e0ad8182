// A text's versions rebuilt from its changes (the `opinion-updates` rows, CodeMirror
// change sets), who wrote each passage of it, and the differences between two versions.
// Positions are UTF-16 code units, like CodeMirror's and String.length.
import { ChangeSet, Text } from '@codemirror/state';
import type { TextUpdate } from './opinions-travel-model';

/** A change row with its change set (CodeMirror's ChangeSet.toJSON). */
export interface ChangeRow extends TextUpdate {
  changes: unknown;
}

/** The rows in version order, from the first (the initial text) on, without gaps. */
function inOrder(rows: readonly ChangeRow[]): ChangeRow[] {
  const sorted = [...rows].sort((a, b) => a.version - b.version);
  return sorted.filter((r, i) => r.version === i + 1);
}

/**
 * The text at version v (0: the empty text before the first; past the last, the last),
 * rebuilt from the changes; it stops at the first change that does not fit.
 */
export function textAt(rows: readonly ChangeRow[], v: number): string {
  let doc = Text.empty;
  for (const r of inOrder(rows).slice(0, Math.max(0, v))) {
    try {
      doc = ChangeSet.fromJSON(r.changes).apply(doc);
    } catch {
      break;
    }
  }
  return doc.toString();
}

/** A passage of the text and the change (index into the rows in version order) that wrote it. */
export interface Run {
  from: number;
  to: number;
  by: number;
}

/** Runs of the text covering [from, to) of the previous text, cut out of runs. */
function cut(runs: readonly { len: number; by: number }[], from: number, to: number, out: { len: number; by: number }[]): void {
  let at = 0;
  for (const r of runs) {
    const start = Math.max(from, at);
    const end = Math.min(to, at + r.len);
    if (end > start) push(out, end - start, r.by);
    at += r.len;
    if (at >= to) return;
  }
}

function push(out: { len: number; by: number }[], len: number, by: number): void {
  const last = out[out.length - 1];
  if (last && last.by === by) last.len += len;
  else out.push({ len, by });
}

/**
 * Who wrote each passage of the text at version `upTo` (the last by default): runs over
 * that text, each naming the change that inserted it. What a change deletes loses its
 * author; what it inserts is its own.
 */
export function authorship(rows: readonly ChangeRow[], upTo?: number): { text: string; runs: Run[]; rows: ChangeRow[] } {
  const ordered = inOrder(rows).slice(0, upTo ?? Infinity);
  let doc = Text.empty;
  let runs: { len: number; by: number }[] = [];
  let used = 0;
  for (const [i, r] of ordered.entries()) {
    let cs: ChangeSet;
    try {
      cs = ChangeSet.fromJSON(r.changes);
      if (cs.length !== doc.length) break;
    } catch {
      break;
    }
    const next: { len: number; by: number }[] = [];
    let pos = 0;
    cs.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
      cut(runs, pos, fromA, next);
      if (inserted.length > 0) push(next, inserted.length, i);
      pos = toA;
    });
    cut(runs, pos, doc.length, next);
    doc = cs.apply(doc);
    runs = next;
    used = i + 1;
  }
  const out: Run[] = [];
  let at = 0;
  for (const r of runs) {
    out.push({ from: at, to: at + r.len, by: r.by });
    at += r.len;
  }
  return { text: doc.toString(), runs: out, rows: ordered.slice(0, used) };
}

/** A piece of a comparison: kept (=), removed from the first text (-), added in the second (+). */
export interface DiffPart {
  op: '=' | '-' | '+';
  text: string;
}

/** Words and the spaces between them, as the units of a comparison. */
function tokens(s: string): string[] {
  return s.match(/\s+|[^\s]+/g) ?? [];
}

/**
 * The differences between a and b, word by word (Myers' O(ND) algorithm): the parts of
 * a kept, removed and added, in order. Joining the = and - parts gives a; the = and +
 * parts, b.
 */
export function diffWords(a: string, b: string): DiffPart[] {
  const x = tokens(a);
  const y = tokens(b);
  const n = x.length;
  const m = y.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let i = k === -d || (k !== d && v[max + k - 1]! < v[max + k + 1]!) ? v[max + k + 1]! : v[max + k - 1]! + 1;
      let j = i - k;
      while (i < n && j < m && x[i] === y[j]) {
        i++;
        j++;
      }
      v[max + k] = i;
      if (i >= n && j >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace back from (n, m) to (0, 0).
  const parts: DiffPart[] = [];
  const add = (op: DiffPart['op'], text: string) => {
    const last = parts[0];
    if (last && last.op === op) last.text = text + last.text;
    else parts.unshift({ op, text });
  };
  let i = n;
  let j = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!;
    const k = i - j;
    const prevK = k === -d || (k !== d && vd[max + k - 1]! < vd[max + k + 1]!) ? k + 1 : k - 1;
    const prevI = d === 0 ? 0 : vd[max + prevK]!;
    const prevJ = prevI - prevK;
    while (i > prevI && j > prevJ) {
      add('=', x[--i]!);
      j--;
    }
    if (d > 0) {
      if (i === prevI) add('+', y[--j]!);
      else add('-', x[--i]!);
    }
  }
  return parts;
}
