import { describe, expect, it } from 'vitest';
import { historySteps, summariseChanges, type TextUpdate } from './opinions-travel-model';
import type { TimelineEntry } from './timeline-model';

const entry = (position: number, id: string, type = 'opinions.opinion.created'): TimelineEntry => ({
  id: `e${position}`,
  position,
  time: `2026-03-01T09:${String(position).padStart(2, '0')}:00Z`,
  type,
  context: type.split('.')[0]!,
  actor: {},
  object: { kind: 'x', id },
});
const update = (position: number, opinion: string, version: number): TextUpdate => ({
  id: `${opinion}/${String(version).padStart(10, '0')}`,
  opinion_id: opinion,
  version,
  source: 'push',
  actor: {},
  time: `2026-03-01T09:${String(position).padStart(2, '0')}:30Z`,
  position,
});

describe('historySteps', () => {
  it('interleaves the decisions about the text and its votes with each text change, oldest first', () => {
    const steps = historySteps(
      [entry(9, 'c1', 'consultations.ballot.cast'), entry(1, 'op'), entry(3, 'other'), entry(5, 'op', 'opinions.draft.changed')],
      [update(5, 'op', 2), update(4, 'op', 1), update(6, 'elsewhere', 1)],
      new Set(['op', 'c1']),
    );
    expect(steps.map((s) => s.position)).toEqual([1, 4, 5, 9]);
    // A position that is a text change is told as that change, not as the folded timeline row.
    expect(steps[2]!.update?.version).toBe(2);
    expect(steps[2]!.entry).toBeUndefined();
    expect(steps[3]!.entry?.type).toBe('consultations.ballot.cast');
  });

  it('leaves out removed timeline rows', () => {
    expect(historySteps([{ ...entry(2, 'op'), removed: true }], [], new Set(['op']))).toEqual([]);
  });
});

describe('summariseChanges', () => {
  it('groups the changes by who made them, in the order each first wrote', () => {
    const a = { user: 'a@x', organisation_id: 'A' };
    const b = { organisation_id: 'B' };
    const u = (position: number, actor: object, source: string): TextUpdate => ({ ...update(position, 'op', position), actor, source });
    const s = summariseChanges([u(3, b, 'push'), u(1, a, 'initial'), u(2, a, 'push'), u(4, a, 'push'), u(5, b, 'amendment')]);
    expect(s.map((x) => [x.actor, x.count, x.sources])).toEqual([
      [a, 3, ['initial', 'push']],
      [b, 2, ['push', 'amendment']],
    ]);
    expect(s[0]!.first < s[0]!.last).toBe(true);
  });
});
