import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CLOSE_UNAUTHENTICATED,
  LiveClient,
  backoffDelay,
  liveUrl,
  type LiveOptions,
  type LiveRow,
  type LiveStatus,
  type NetworkWatcher,
  type SocketLike,
  type ViewState,
} from './live';

/** A WebSocket stand-in the test opens, feeds and drops by hand. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  sent: Record<string, unknown>[] = [];
  closedByClient = false;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.closedByClient = true;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(msg: unknown): void {
    this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code });
  }
}

interface Org extends LiveRow {
  name: string;
}

function setup(extra: Partial<LiveOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const client = new LiveClient({
    url: 'ws://test/api/v1/live',
    socket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    random: () => 0.5,
    network: null,
    ...extra,
  });
  const statuses: LiveStatus[] = [];
  client.onStatus((s) => statuses.push(s));
  const last = () => sockets[sockets.length - 1]!;
  return { client, sockets, statuses, last };
}

function follow(client: LiveClient, view: string) {
  const states: ViewState<Org>[] = [];
  client.subscribe<Org>(view, (s) => states.push(s));
  return {
    states,
    get current() {
      return states[states.length - 1]!;
    },
    names() {
      return states[states.length - 1]!.items.map((r) => r.name);
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('liveUrl', () => {
  it('follows the page scheme', () => {
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/v1/live');
    expect(liveUrl({ protocol: 'https:', host: 'comite.example' })).toBe('wss://comite.example/api/v1/live');
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and keeps half of it as jitter', () => {
    expect(backoffDelay(1, 500, 15000, () => 0)).toBe(250);
    expect(backoffDelay(1, 500, 15000, () => 0.999999)).toBeCloseTo(500, 2);
    expect(backoffDelay(2, 500, 15000, () => 0)).toBe(500);
    expect(backoffDelay(3, 500, 15000, () => 0)).toBe(1000);
    expect(backoffDelay(20, 500, 15000, () => 1)).toBe(15000);
    expect(backoffDelay(20, 500, 15000, () => 0)).toBe(7500);
  });
});

describe('LiveClient', () => {
  it('subscribes every view once the socket opens, from position 0', () => {
    const { client, sockets, last, statuses } = setup();
    follow(client, 'committee');
    follow(client, 'organisations');
    client.start();
    expect(sockets).toHaveLength(1);
    expect(last().url).toBe('ws://test/api/v1/live');
    expect(statuses).toEqual(['connecting']);
    last().open();
    expect(statuses).toEqual(['connecting', 'live']);
    expect(last().sent).toEqual([
      { type: 'subscribe', view: 'committee', since: 0 },
      { type: 'subscribe', view: 'organisations', since: 0 },
    ]);
  });

  it('subscribes a view added after the socket opened', () => {
    const { client, last } = setup();
    client.start();
    last().open();
    follow(client, 'organisations');
    expect(last().sent).toEqual([{ type: 'subscribe', view: 'organisations', since: 0 }]);
    follow(client, 'organisations');
    expect(last().sent).toHaveLength(1);
  });

  it('starts a new subscription from a given position, and unsubscribes one-row keys nobody follows', () => {
    const { client, last } = setup();
    client.start();
    last().open();
    const stop = client.subscribe('opinion-updates:o1', () => {}, { since: 42 });
    expect(last().sent).toEqual([{ type: 'subscribe', view: 'opinion-updates:o1', since: 42 }]);
    stop();
    expect(last().sent[1]).toEqual({ type: 'unsubscribe', view: 'opinion-updates:o1' });
  });

  it('asks again from the start when someone wants every row of a subscription made from a position', () => {
    const { client, last } = setup();
    client.start();
    last().open();
    const seen: number[][] = [];
    client.subscribe('opinion-updates:o1', (s) => seen.push([...s.items.map((r) => Number(r.id))]), { since: 42 });
    last().receive({ type: 'patch', view: 'opinion-updates:o1', position: 43, items: [{ id: '43' }] });
    const all = follow(client, 'opinion-updates:o1');
    expect(last().sent.at(-1)).toEqual({ type: 'subscribe', view: 'opinion-updates:o1', since: 0 });
    last().receive({ type: 'snapshot', view: 'opinion-updates:o1', position: 43, items: [{ id: '1' }, { id: '43' }] });
    expect(all.current.items.map((r) => r.id)).toEqual(['1', '43']);
    expect(seen.at(-1)).toEqual([1, 43]);
    // A second caller with since does not restart it.
    client.subscribe('opinion-updates:o1', () => {}, { since: 43 });
    expect(last().sent.filter((m) => m.type === 'subscribe')).toHaveLength(2);
  });

  it('applies every presence message, which has no position', () => {
    const { client, last } = setup();
    const peers = follow(client, 'presence:o1');
    client.start();
    last().open();
    last().receive({ type: 'snapshot', view: 'presence:o1', position: 0, items: [] });
    last().receive({ type: 'patch', view: 'presence:o1', position: 0, items: [{ id: 't1', name: 'AMF' }] });
    last().receive({ type: 'patch', view: 'presence:o1', position: 0, items: [{ id: 't2', name: 'ADF' }] });
    expect(peers.names()).toEqual(['AMF', 'ADF']);
    last().receive({ type: 'patch', view: 'presence:o1', position: 0, items: [{ id: 't1', removed: true }] });
    expect(peers.names()).toEqual(['ADF']);
  });

  it('announces presence only while connected', () => {
    const { client, last } = setup();
    client.start();
    client.announce('o1', { anchor: 1, head: 2 }, 3);
    last().open();
    client.announce('o1', { anchor: 1, head: 2 }, 3);
    client.announce('o1', null, 4);
    expect(last().sent.filter((m) => m.type === 'presence')).toEqual([
      { type: 'presence', view: 'presence:o1', cursor: { anchor: 1, head: 2 }, version: 3 },
      { type: 'presence', view: 'presence:o1', version: 4 },
    ]);
  });

  it('replaces rows on a snapshot and merges patches by id', () => {
    const { client, last } = setup();
    const orgs = follow(client, 'organisations');
    client.start();
    last().open();
    expect(orgs.current).toEqual({ position: 0, items: [], loaded: false });

    last().receive({
      type: 'snapshot',
      view: 'organisations',
      position: 10,
      items: [
        { id: 'a', name: 'AMF' },
        { id: 'b', name: 'ADF' },
      ],
    });
    expect(orgs.current.position).toBe(10);
    expect(orgs.current.loaded).toBe(true);
    expect(orgs.names()).toEqual(['AMF', 'ADF']);

    last().receive({
      type: 'patch',
      view: 'organisations',
      position: 12,
      items: [
        { id: 'b', name: 'Départements de France' },
        { id: 'c', name: 'Villes Internet' },
      ],
    });
    expect(orgs.current.position).toBe(12);
    expect(orgs.names()).toEqual(['AMF', 'Départements de France', 'Villes Internet']);

    // A later snapshot is the whole truth: rows it lacks are gone.
    last().receive({ type: 'snapshot', view: 'organisations', position: 20, items: [{ id: 'c', name: 'Villes Internet' }] });
    expect(orgs.names()).toEqual(['Villes Internet']);
  });

  it('drops rows a patch marks removed, and never keeps removed rows of a snapshot', () => {
    const { client, last } = setup();
    const orgs = follow(client, 'organisations');
    client.start();
    last().open();
    last().receive({
      type: 'snapshot',
      view: 'organisations',
      position: 3,
      items: [
        { id: 'a', name: 'AMF' },
        { id: 'z', name: 'gone', removed: true },
        { id: 'b', name: 'ADF' },
      ],
    });
    expect(orgs.names()).toEqual(['AMF', 'ADF']);
    last().receive({ type: 'patch', view: 'organisations', position: 4, items: [{ id: 'a', removed: true }] });
    expect(orgs.names()).toEqual(['ADF']);
    // Removing a row the client never had is harmless.
    last().receive({ type: 'patch', view: 'organisations', position: 5, items: [{ id: 'nope', removed: true }] });
    expect(orgs.names()).toEqual(['ADF']);
    expect(orgs.current.position).toBe(5);
  });

  it('ignores patches and snapshots older than what it holds', () => {
    const { client, last } = setup();
    const orgs = follow(client, 'organisations');
    client.start();
    last().open();
    last().receive({ type: 'snapshot', view: 'organisations', position: 10, items: [{ id: 'a', name: 'AMF' }] });
    last().receive({ type: 'patch', view: 'organisations', position: 14, items: [{ id: 'a', name: 'AMF (2)' }] });
    const calls = orgs.states.length;

    // Out of order: an older patch must not revert the row.
    last().receive({ type: 'patch', view: 'organisations', position: 12, items: [{ id: 'a', name: 'AMF (1)' }] });
    // Duplicate delivery of the patch already applied.
    last().receive({ type: 'patch', view: 'organisations', position: 14, items: [{ id: 'b', name: 'dup' }] });
    // A stale snapshot.
    last().receive({ type: 'snapshot', view: 'organisations', position: 9, items: [] });
    expect(orgs.states).toHaveLength(calls);
    expect(orgs.names()).toEqual(['AMF (2)']);
    expect(orgs.current.position).toBe(14);
  });

  it('keeps views apart and ignores views it did not subscribe to', () => {
    const { client, last } = setup();
    const orgs = follow(client, 'organisations');
    const committee = follow(client, 'committee');
    client.start();
    last().open();
    last().receive({
      type: 'snapshot',
      view: 'committee',
      position: 7,
      items: [{ id: 'cte', name: 'Comité des partenaires du numérique pour l’éducation' }],
    });
    last().receive({ type: 'snapshot', view: 'opinions', position: 8, items: [{ id: 'x', name: 'x' }] });
    expect(committee.names()).toEqual(['Comité des partenaires du numérique pour l’éducation']);
    expect(committee.current.position).toBe(7);
    expect(orgs.current).toEqual({ position: 0, items: [], loaded: false });
    expect(client.view('opinions').loaded).toBe(false);
  });

  it('survives junk on the socket', () => {
    const { client, last } = setup();
    const orgs = follow(client, 'organisations');
    client.start();
    last().open();
    last().receive('not json');
    last().receive('null');
    last().receive({ type: 'what-is-this' });
    last().receive({ type: 'patch', view: 'organisations', position: 'x', items: [] });
    last().receive({ type: 'patch', view: 'organisations', position: 2, items: [{ name: 'no id' }, 3, null] });
    expect(orgs.current.items).toEqual([]);
    expect(orgs.current.position).toBe(2);
  });

  it('reconnects with growing delays and resubscribes with the last positions', () => {
    const { client, sockets, last, statuses } = setup({ initialDelayMs: 100, maxDelayMs: 1000, offlineAfter: 10 });
    const orgs = follow(client, 'organisations');
    follow(client, 'committee');
    client.start();
    last().open();
    last().receive({ type: 'snapshot', view: 'organisations', position: 10, items: [{ id: 'a', name: 'AMF' }] });
    last().receive({ type: 'snapshot', view: 'committee', position: 6, items: [{ id: 'c', name: 'Comité' }] });
    last().receive({ type: 'patch', view: 'organisations', position: 11, items: [{ id: 'b', name: 'ADF' }] });

    last().drop();
    expect(statuses[statuses.length - 1]).toBe('reconnecting');
    // Attempt 1 waits 100ms * (0.5 + 0.5 * 0.5) = 75ms.
    vi.advanceTimersByTime(74);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);

    // That attempt fails too: attempt 2 waits 200 * 0.75 = 150ms.
    last().drop();
    vi.advanceTimersByTime(149);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);

    last().open();
    expect(statuses[statuses.length - 1]).toBe('live');
    expect(last().sent).toEqual([
      { type: 'subscribe', view: 'organisations', since: 11 },
      { type: 'subscribe', view: 'committee', since: 6 },
    ]);

    // The server sends only what was missed; the rows already held stay, once each.
    last().receive({
      type: 'patch',
      view: 'organisations',
      position: 15,
      items: [
        { id: 'b', name: 'ADF' },
        { id: 'c', name: 'AMRF' },
      ],
    });
    expect(orgs.names()).toEqual(['AMF', 'ADF', 'AMRF']);
    expect(orgs.current.position).toBe(15);
  });

  it('accepts a fresh snapshot after a reconnect without duplicating rows', () => {
    const { client, last } = setup();
    const orgs = follow(client, 'organisations');
    client.start();
    last().open();
    last().receive({
      type: 'snapshot',
      view: 'organisations',
      position: 10,
      items: [
        { id: 'a', name: 'AMF' },
        { id: 'b', name: 'ADF' },
      ],
    });
    last().drop();
    vi.runOnlyPendingTimers();
    last().open();
    expect(last().sent).toEqual([{ type: 'subscribe', view: 'organisations', since: 10 }]);
    last().receive({
      type: 'snapshot',
      view: 'organisations',
      position: 40,
      items: [
        { id: 'b', name: 'ADF' },
        { id: 'a', name: 'AMF' },
        { id: 'c', name: 'AMRF' },
      ],
    });
    expect(orgs.names()).toEqual(['ADF', 'AMF', 'AMRF']);
    expect(new Set(orgs.current.items.map((r) => r.id)).size).toBe(3);
  });

  it('says offline after repeated failures but keeps trying, and resets the backoff on success', () => {
    const { client, sockets, last, statuses } = setup({ initialDelayMs: 100, maxDelayMs: 400, offlineAfter: 3 });
    client.start();
    last().drop(); // attempt 1 failed
    expect(client.status).toBe('reconnecting');
    vi.runOnlyPendingTimers();
    last().drop(); // 2
    expect(client.status).toBe('reconnecting');
    vi.runOnlyPendingTimers();
    last().drop(); // 3
    expect(client.status).toBe('offline');
    vi.runOnlyPendingTimers();
    last().drop(); // 4: the capped delay, 400 * 0.75
    vi.advanceTimersByTime(299);
    const before = sockets.length;
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(before + 1);
    last().open();
    expect(client.status).toBe('live');
    last().receive({ type: 'snapshot', view: 'organisations', position: 1, items: [] });
    last().drop();
    expect(client.status).toBe('reconnecting');
    // Back to the first delay: 100 * 0.75.
    const n = sockets.length;
    vi.advanceTimersByTime(75);
    expect(sockets).toHaveLength(n + 1);
    expect(statuses).toEqual(['connecting', 'reconnecting', 'offline', 'live', 'reconnecting']);
  });

  it('follows the device going offline and reconnects at once when it comes back', () => {
    let online = true;
    let notify: () => void = () => {};
    const network: NetworkWatcher = {
      online: () => online,
      watch(fn) {
        notify = fn;
        return () => {
          notify = () => {};
        };
      },
    };
    const { client, sockets, last } = setup({ network, initialDelayMs: 10_000, maxDelayMs: 60_000 });
    client.start();
    last().open();
    expect(client.status).toBe('live');
    online = false;
    notify();
    expect(client.status).toBe('offline');
    last().drop();
    expect(client.status).toBe('offline');
    const n = sockets.length;
    online = true;
    notify();
    // No waiting for the 7.5s backoff.
    expect(sockets).toHaveLength(n + 1);
    last().open();
    expect(client.status).toBe('live');
  });

  it('reports server errors', () => {
    const { client, last } = setup();
    const errors: unknown[] = [];
    client.onServerError((e) => errors.push(e));
    client.start();
    last().open();
    last().receive({ type: 'error', code: 'unknown_view', message: 'no such view' });
    expect(errors).toEqual([{ code: 'unknown_view', message: 'no such view' }]);
  });

  it('seeds a view from an HTTP read, and the socket only moves it forward', () => {
    const { client, last } = setup();
    const orgs = follow(client, 'organisations');
    client.seed('organisations', 10, [{ id: 'a', name: 'AMF' } as Org]);
    expect(orgs.names()).toEqual(['AMF']);
    client.start();
    last().open();
    expect(last().sent).toEqual([{ type: 'subscribe', view: 'organisations', since: 10 }]);
    last().receive({ type: 'patch', view: 'organisations', position: 11, items: [{ id: 'b', name: 'ADF' }] });
    // A slower HTTP answer from before must not undo the patch.
    client.seed('organisations', 10, [{ id: 'a', name: 'AMF' } as Org]);
    expect(orgs.names()).toEqual(['AMF', 'ADF']);
    // Seeding a view nobody follows does nothing.
    client.seed('nobody', 1, [{ id: 'x' }]);
    expect(client.view('nobody').loaded).toBe(false);
  });

  it('stops for good on close', () => {
    const { client, sockets, last } = setup();
    const orgs = follow(client, 'organisations');
    client.start();
    last().open();
    client.close();
    client.close();
    expect(last().closedByClient).toBe(true);
    expect(client.status).toBe('offline');
    vi.runAllTimers();
    expect(sockets).toHaveLength(1);
    // Late events from the old socket change nothing.
    last().receive({ type: 'snapshot', view: 'organisations', position: 3, items: [{ id: 'a', name: 'x' }] });
    expect(orgs.current.loaded).toBe(false);
    client.start();
    expect(sockets).toHaveLength(1);
  });

  it('retries when the socket cannot even be constructed', () => {
    let fail = true;
    const sockets: FakeSocket[] = [];
    const client = new LiveClient({
      url: 'ws://test/api/v1/live',
      socket: (url) => {
        if (fail) throw new Error('blocked');
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      random: () => 0,
      network: null,
    });
    client.start();
    expect(client.status).toBe('reconnecting');
    fail = false;
    vi.runOnlyPendingTimers();
    expect(sockets).toHaveLength(1);
    sockets[0]!.open();
    expect(client.status).toBe('live');
  });
});

describe('LiveClient and the session', () => {
  /** Lets pending promise callbacks run, without moving the fake clock. */
  async function settle() {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }

  function authSetup(answers: (boolean | undefined | Error)[]) {
    let asked = 0;
    let gone = 0;
    const env = setup({
      checkAuth: async () => {
        const a = answers[Math.min(asked++, answers.length - 1)];
        if (a instanceof Error) throw a;
        return a;
      },
      onUnauthenticated: () => gone++,
    });
    return { ...env, asked: () => asked, gone: () => gone };
  }

  it('asks about the session when an attempt is refused, and stops for good on a no', async () => {
    const env = authSetup([false]);
    env.client.start();
    // A refused upgrade (401) reaches the page as a close without open.
    env.last().drop();
    expect(env.asked()).toBe(1);
    await settle();
    expect(env.gone()).toBe(1);
    expect(env.client.status).toBe('offline');
    vi.runAllTimers();
    expect(env.sockets).toHaveLength(1);
  });

  it('keeps reconnecting when the session is fine or the answer unknown', async () => {
    const env = authSetup([true, undefined, new Error('network')]);
    env.client.start();
    for (let i = 1; i <= 3; i++) {
      env.last().drop();
      await settle();
      vi.runOnlyPendingTimers();
      expect(env.sockets).toHaveLength(i + 1);
    }
    expect(env.asked()).toBe(3);
    env.last().open();
    expect(env.client.status).toBe('live');
    expect(env.gone()).toBe(0);
  });

  it('does not ask when a connection that had opened drops (the next attempt will)', () => {
    const env = authSetup([true]);
    env.client.start();
    env.last().open();
    env.last().drop();
    expect(env.asked()).toBe(0);
    vi.runOnlyPendingTimers();
    env.last().drop();
    expect(env.asked()).toBe(1);
  });

  it('stops at once on the unauthenticated close code or error message', () => {
    const a = authSetup([true]);
    a.client.start();
    a.last().open();
    a.last().drop(CLOSE_UNAUTHENTICATED);
    expect(a.gone()).toBe(1);
    expect(a.client.status).toBe('offline');
    vi.runAllTimers();
    expect(a.sockets).toHaveLength(1);

    const b = authSetup([true]);
    const errors: string[] = [];
    b.client.onServerError((e) => errors.push(e.code));
    b.client.start();
    b.last().open();
    b.last().receive({ type: 'error', code: 'unauthenticated', message: 'sign in' });
    expect(errors).toEqual(['unauthenticated']);
    expect(b.gone()).toBe(1);
    expect(b.last().closedByClient).toBe(true);
    expect(b.asked()).toBe(0);
  });
});
