import { EditorState } from '@codemirror/state';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Announcer, HEARTBEAT_MS, PEER_TTL_MS, SLOTS, freshPeers, orgSlot, remoteCursorField, remoteCursors, setRemoteCursors, type Peer } from './presence';

describe('orgSlot', () => {
  it('gives an organisation the same colour slot everywhere, within the slots', () => {
    expect(orgSlot('5544eb56-de9c-59f3-819f-d5f30c46c064')).toBe(orgSlot('5544eb56-de9c-59f3-819f-d5f30c46c064'));
    const slots = new Set(Array.from({ length: 50 }, (_, i) => orgSlot(`org-${i}`)));
    expect([...slots].every((s) => s >= 0 && s < SLOTS)).toBe(true);
    expect(slots.size).toBeGreaterThan(4);
  });
});

describe('freshPeers', () => {
  it('keeps the peers heard from lately, not the ones that left, in a stable order', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    const at = (ms: number) => new Date(now - ms).toISOString();
    const peers: Peer[] = [
      { id: 't2', organisation_id: 'B', at: at(1000) },
      { id: 't1', organisation_id: 'A', at: at(PEER_TTL_MS - 1) },
      { id: 't3', organisation_id: 'A', at: at(PEER_TTL_MS + 1) },
      { id: 't4', organisation_id: 'A', at: at(0), removed: true },
    ];
    expect(freshPeers(peers, now).map((p) => p.id)).toEqual(['t1', 't2']);
  });
});

describe('Announcer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  it('sends at most once per gap (the last position wins) and on every heartbeat', () => {
    const sent: number[] = [];
    let head = 0;
    const a = new Announcer((c) => sent.push(c.head), () => ({ anchor: head, head, version: 1 }), 200, () => Date.now());
    a.moved();
    head = 1;
    a.moved();
    head = 2;
    a.moved();
    expect(sent).toEqual([0]);
    vi.advanceTimersByTime(200);
    expect(sent).toEqual([0, 2]);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(sent).toEqual([0, 2, 2]);
    a.close();
    vi.advanceTimersByTime(HEARTBEAT_MS * 2);
    expect(sent).toHaveLength(3);
  });
});

describe('remoteCursors', () => {
  /** The decorations: [from, to, class or caret label]. */
  const drawn = (state: EditorState) => {
    const out: [number, number, string][] = [];
    state.field(remoteCursorField).between(0, state.doc.length, (from, to, d) => {
      const w = d.spec.widget as { label?: string } | undefined;
      out.push([from, to, w?.label ?? String(d.spec.class)]);
    });
    return out;
  };
  it('draws the others carets and selections, clamped to the text, and moves them with local edits', () => {
    let state = EditorState.create({ doc: 'Le comité', extensions: [remoteCursors()] });
    state = state.update({ effects: setRemoteCursors.of([{ id: 't1', label: 'AMF', slot: 2, anchor: 3, head: 9 }, { id: 't2', label: 'ADF', slot: 5, anchor: 99, head: 99 }]) }).state;
    expect(drawn(state)).toEqual([
      [3, 9, 'cm-remote-selection op-author--2'],
      [9, 9, 'AMF'],
      [9, 9, 'ADF'],
    ]);
    state = state.update({ changes: { from: 0, insert: 'Avis : ' } }).state;
    expect(drawn(state)).toEqual([
      [10, 16, 'cm-remote-selection op-author--2'],
      [16, 16, 'AMF'],
      [16, 16, 'ADF'],
    ]);
  });
});
