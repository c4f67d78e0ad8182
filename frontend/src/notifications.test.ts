import { describe, expect, it } from 'vitest';
import type { LiveRow, ViewState } from './live';
import {
  ArrivalWatcher,
  MAX_NOTIFICATIONS,
  type Me,
  NotificationStore,
  concerns,
  groupsOfOrganisation,
  storageKey,
} from './notifications';
import type { TimelineEntry } from './pages/timeline-model';

const AMF = 'org-amf';
const CDC = 'org-cdc';
const me: Me = { email: 'amf@demo.invalid', organisationId: AMF, groups: new Set(['g-gov']) };

function entry(over: Partial<TimelineEntry>): TimelineEntry {
  return {
    id: 'e',
    position: 1,
    time: '2024-03-04T09:00:00Z',
    type: 'actionsheets.sheet.started',
    context: 'actionsheets',
    actor: { user: 'secretariat@demo.invalid', organisation: 'org-dne', role: 'secretariat' },
    object: { kind: 'sheet', id: 's' },
    ...over,
  };
}

function state(rows: TimelineEntry[], position: number, loaded = true): ViewState<LiveRow> {
  return { position, items: rows, loaded };
}

describe('what concerns me', () => {
  it('is a vote my organisation must cast, my organisation, or one of my groups', () => {
    expect(concerns(entry({ type: 'consultations.consultation.opened', organisations: ['org-dne', AMF, CDC] }), me)).toBe('vote');
    expect(concerns(entry({ type: 'consultations.consultation.opened', organisations: ['org-dne', CDC] }), me)).toBeNull();
    expect(concerns(entry({ organisations: ['org-dne', AMF] }), me)).toBe('organisation');
    expect(concerns(entry({ actor: { user: 'x@amf', organisation: AMF, role: 'member' } }), me)).toBe('organisation');
    expect(concerns(entry({ group_id: 'g-gov' }), me)).toBe('group');
    expect(concerns(entry({ group_id: 'g-other' }), me)).toBeNull();
  });

  it('is never my own action, nor a text change', () => {
    expect(concerns(entry({ actor: { user: 'amf@demo.invalid', organisation: AMF }, organisations: [AMF] }), me)).toBeNull();
    expect(concerns(entry({ type: 'opinions.draft.changed', group_id: 'g-gov' }), me)).toBeNull();
  });

  it('is nothing for someone without an organisation or group', () => {
    const observer: Me = { email: 'observer@demo.invalid', groups: new Set() };
    expect(concerns(entry({ type: 'consultations.consultation.opened', organisations: [AMF] }), observer)).toBeNull();
    expect(concerns(entry({ group_id: 'g-gov', organisations: [AMF] }), observer)).toBeNull();
  });
});

describe('arrivals', () => {
  it('are the rows above the highest position of the first load', () => {
    const w = new ArrivalWatcher();
    const a = entry({ id: 'a', position: 3 });
    const b = entry({ id: 'b', position: 7 });
    expect(w.next(state([], 0, false))).toEqual([]);
    expect(w.next(state([a, b], 9))).toEqual([]); // the initial snapshot is not news
    const c = entry({ id: 'c', position: 10 });
    const d = entry({ id: 'd', position: 11 });
    expect(w.next(state([a, b, d, c], 11)).map((e) => e.id)).toEqual(['c', 'd']);
    expect(w.next(state([a, b, c, d], 11))).toEqual([]); // seen once only
    // A row that only became visible (an older position) is not news.
    const old = entry({ id: 'old', position: 5 });
    expect(w.next(state([a, old, b, c, d], 12))).toEqual([]);
  });
});

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

describe('the notification list', () => {
  it('keeps each entry once, newest first, counts and marks them read, and survives a reload', () => {
    const storage = new MemoryStorage();
    const key = storageKey('user-1');
    const s = new NotificationStore(storage, key);
    const seen: number[] = [];
    s.subscribe((items) => seen.push(items.length));
    expect(s.add(entry({ id: 'a' }), 'group')).toBe(true);
    expect(s.add(entry({ id: 'b' }), 'vote')).toBe(true);
    expect(s.add(entry({ id: 'a' }), 'group')).toBe(false);
    expect(s.list().map((n) => n.id)).toEqual(['b', 'a']);
    expect(s.unread()).toBe(2);
    s.markRead('a');
    expect(s.unread()).toBe(1);
    expect(seen).toEqual([0, 1, 2, 2]);

    const again = new NotificationStore(storage, key);
    expect(again.list().map((n) => [n.id, n.reason, n.read])).toEqual([
      ['b', 'vote', false],
      ['a', 'group', true],
    ]);
    again.markAllRead();
    expect(again.unread()).toBe(0);
    again.clear();
    expect(new NotificationStore(storage, key).list()).toEqual([]);
  });

  it('keeps the last ones only, and works without storage or with garbage in it', () => {
    const s = new NotificationStore(undefined, 'k');
    for (let i = 0; i < MAX_NOTIFICATIONS + 5; i++) s.add(entry({ id: `n${i}`, position: i }), 'group');
    expect(s.list()).toHaveLength(MAX_NOTIFICATIONS);
    expect(s.list()[0]!.id).toBe(`n${MAX_NOTIFICATIONS + 4}`);
    const storage = new MemoryStorage();
    storage.setItem('k', '{not json');
    expect(new NotificationStore(storage, 'k').list()).toEqual([]);
    storage.setItem('k', JSON.stringify([{ id: 'x' }, { id: 'y', reason: 'group', entry: entry({ id: 'y' }) }]));
    expect(new NotificationStore(storage, 'k').list().map((n) => n.id)).toEqual(['y']);
    const full = { getItem: () => null, setItem: () => { throw new Error('quota'); } };
    const s2 = new NotificationStore(full, 'k');
    expect(s2.add(entry({ id: 'z' }), 'vote')).toBe(true);
    expect(s2.unread()).toBe(1);
  });
});

describe('my groups', () => {
  it('come from the groups view, whatever the members look like', () => {
    const rows = [
      { id: 'g1', members: [{ organisation_id: AMF }, { organisation_id: CDC }] },
      { id: 'g2', members: [CDC] },
      { id: 'g3', lead_organisation_id: AMF },
      { id: 'g4' },
      null,
      'garbage',
    ];
    expect([...groupsOfOrganisation(rows, AMF)]).toEqual(['g1', 'g3']);
    expect([...groupsOfOrganisation(rows, CDC)]).toEqual(['g1', 'g2']);
    expect(groupsOfOrganisation(rows, null).size).toBe(0);
  });
});
