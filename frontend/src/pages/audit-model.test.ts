import { describe, expect, it } from 'vitest';
import { type BrowsedEvent, categories, firstBrokenLink } from './audit-model';

const s = (stream: string, category: string) => ({ stream, category, events: 1, first_position: 1, last_position: 1, last_type: 't', last_time: '' });

describe('categories', () => {
  it('counts the streams of each category, by name', () => {
    expect(categories([s('opinion-1', 'opinion'), s('group-1', 'group'), s('opinion-2', 'opinion')])).toEqual([
      { category: 'group', streams: 1 },
      { category: 'opinion', streams: 2 },
    ]);
  });
});

describe('firstBrokenLink', () => {
  const ev = (revision: number, position: number, prev: string, hash: string): BrowsedEvent => ({
    id: `e${revision}`, type: 't', stream: 's', revision, position, time: '', prev_hash: prev, hash,
  });
  it('is -1 for a stream whose events link up', () => {
    expect(firstBrokenLink([ev(0, 3, '', 'a'), ev(1, 7, 'a', 'b'), ev(2, 9, 'b', 'c')])).toBe(-1);
  });
  it('names the first event that does not', () => {
    expect(firstBrokenLink([ev(0, 3, '', 'a'), ev(1, 7, 'x', 'b')])).toBe(1);
    expect(firstBrokenLink([ev(0, 3, '', 'a'), ev(2, 7, 'a', 'b')])).toBe(1);
    expect(firstBrokenLink([ev(0, 3, '', 'a'), ev(1, 2, 'a', 'b')])).toBe(1);
    expect(firstBrokenLink([ev(0, 3, 'z', 'a')])).toBe(0);
  });
});
