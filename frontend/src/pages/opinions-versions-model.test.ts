import { ChangeSet, Text } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { type ChangeRow, authorship, diffWords, textAt } from './opinions-versions-model';

/** Change rows taking a text through the given versions, each change made by who[i]. */
function rowsThrough(texts: string[], who: string[]): ChangeRow[] {
  const rows: ChangeRow[] = [];
  let doc = Text.empty;
  texts.forEach((t, i) => {
    // One change replacing the differing middle, as an editor would send.
    const old = doc.toString();
    let p = 0;
    while (p < old.length && p < t.length && old[p] === t[p]) p++;
    let s = 0;
    while (s < old.length - p && s < t.length - p && old[old.length - 1 - s] === t[t.length - 1 - s]) s++;
    const cs = ChangeSet.of([{ from: p, to: old.length - s, insert: t.slice(p, t.length - s) }], old.length);
    doc = cs.apply(doc);
    rows.push({
      id: `op/${String(i + 1).padStart(10, '0')}`,
      opinion_id: 'op',
      version: i + 1,
      source: i === 0 ? 'initial' : 'push',
      actor: { organisation_id: who[i] },
      time: `2026-03-01T09:0${i}:00Z`,
      position: i + 1,
      changes: cs.toJSON(),
    });
  });
  return rows;
}

describe('textAt', () => {
  it('rebuilds every version from the changes, accents and emoji included', () => {
    const texts = ['Le comité recommande.', 'Le comité 🇫🇷 recommande.', 'Le comité 🇫🇷 recommande vivement.'];
    const rows = rowsThrough(texts, ['A', 'B', 'A']);
    expect([0, 1, 2, 3, 9].map((v) => textAt(rows, v))).toEqual(['', ...texts, texts[2]]);
    // Out of order or with a gap: only the versions that follow from the first.
    expect(textAt([rows[2]!, rows[0]!], 3)).toBe(texts[0]);
  });
});

describe('authorship', () => {
  it('names who wrote each passage of the text', () => {
    const rows = rowsThrough(['Le comité recommande.', 'Le comité recommande vivement.', 'Le comité propose vivement.'], ['A', 'B', 'C']);
    const { text, runs } = authorship(rows);
    expect(text).toBe('Le comité propose vivement.');
    const by = runs.map((r) => [text.slice(r.from, r.to), rows[r.by]!.actor.organisation_id]);
    expect(by).toEqual([
      ['Le comité ', 'A'],
      ['propos', 'C'],
      ['e', 'A'],
      [' vivement', 'B'],
      ['.', 'A'],
    ]);
    // The runs cover the text exactly.
    expect(runs[0]!.from).toBe(0);
    expect(runs.at(-1)!.to).toBe(text.length);
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.from).toBe(runs[i - 1]!.to);
  });
  it('stops at a version, and at a change that does not fit', () => {
    const rows = rowsThrough(['abc', 'abXc'], ['A', 'B']);
    expect(authorship(rows, 1).text).toBe('abc');
    const broken = [...rows, { ...rows[1]!, version: 3, changes: [99, [0, 'x']] }];
    expect(authorship(broken).text).toBe('abXc');
  });
});

describe('diffWords', () => {
  const join = (parts: { op: string; text: string }[], keep: string) =>
    parts
      .filter((p) => p.op === '=' || p.op === keep)
      .map((p) => p.text)
      .join('');
  it('shows the words removed and added', () => {
    expect(diffWords('le comité recommande', 'le comité propose')).toEqual([
      { op: '=', text: 'le comité ' },
      { op: '-', text: 'recommande' },
      { op: '+', text: 'propose' },
    ]);
    expect(diffWords('same', 'same')).toEqual([{ op: '=', text: 'same' }]);
    expect(diffWords('', 'new text')).toEqual([{ op: '+', text: 'new text' }]);
    expect(diffWords('old', '')).toEqual([{ op: '-', text: 'old' }]);
  });
  it('always rebuilds both texts (random texts)', () => {
    const words = ['le', 'comité', 'avis', 'école', '🇫🇷', 'numérique', '\n'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const text = () => Array.from({ length: rnd(12) }, () => words[rnd(words.length)]).join(rnd(2) ? ' ' : '  ');
    for (let i = 0; i < 300; i++) {
      const a = text();
      const b = text();
      const parts = diffWords(a, b);
      expect(join(parts, '-')).toBe(a);
      expect(join(parts, '+')).toBe(b);
    }
  });
});
