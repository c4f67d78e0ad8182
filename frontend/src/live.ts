// Live views over the gateway's websocket (/api/v1/live).
//
// One socket per tab carries every view the page shows. The client keeps, for each view,
// the rows it holds and the global position they reflect, so that after a reconnect it can
// ask only for what it missed (`since`). It is framework-free on purpose: the UI layer
// subscribes with callbacks, and the unit tests drive it with a fake socket.

/** What the user is told about the connection. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** A row of a live view. Rows are keyed by `id`; `removed: true` in a patch drops the row. */
export interface LiveRow {
  id: string;
  removed?: boolean;
}

/** What a view holds at a given global position. */
export interface ViewState<T extends LiveRow = LiveRow> {
  /** Global log position the rows reflect; 0 before anything arrived. */
  position: number;
  /** Current rows, in the order they were first seen; removed rows are never here. */
  items: T[];
  /** False until a snapshot, a patch or seeded state has been applied. */
  loaded: boolean;
}

/** An error the server reported on the socket. */
export interface LiveServerError {
  code: string;
  message: string;
  view?: string;
}

/** The part of the browser's WebSocket the client uses, so tests can pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Opens a socket to url. */
export type SocketFactory = (url: string) => SocketLike;

/** Tells whether the device believes it is online, and when that changes. */
export interface NetworkWatcher {
  online(): boolean;
  /** Calls onChange on every change; returns a function that stops watching. */
  watch(onChange: () => void): () => void;
}

/** Settings of a LiveClient; only url is required. */
export interface LiveOptions {
  /** ws: or wss: URL of the live endpoint; see liveUrl. */
  url: string;
  /** Defaults to the browser's WebSocket. */
  socket?: SocketFactory;
  /** First reconnect delay before jitter, in ms (default 500). */
  initialDelayMs?: number;
  /** Cap of the exponential reconnect delay, in ms (default 15000). */
  maxDelayMs?: number;
  /** Source of jitter in [0, 1) (default Math.random). */
  random?: () => number;
  /** Consecutive failed attempts after which the status says offline (default 4). */
  offlineAfter?: number;
  /** A connection that lasted this long (ms) resets the backoff when it drops (default 10000). */
  stableMs?: number;
  /** Defaults to navigator.onLine and the window's online/offline events; null disables. */
  network?: NetworkWatcher | null;
  /**
   * Asked when a connection attempt fails before opening: whether the session is still
   * valid (false: no, undefined: cannot tell). A browser hides the 401 of a refused
   * upgrade behind a plain close, so only this question tells "signed out" from "server down".
   */
  checkAuth?: () => Promise<boolean | undefined>;
  /** Called once when the server says the session is gone; the client has closed for good. */
  onUnauthenticated?: () => void;
}

/** Close code a server may use to end a socket whose session ended (4000 + HTTP 401). */
export const CLOSE_UNAUTHENTICATED = 4401;

const OPEN = 1;

interface ViewEntry {
  position: number;
  rows: Map<string, LiveRow>;
  loaded: boolean;
  /** Subscribed from a position (since): the rows before it were never asked for. */
  partial?: boolean;
  listeners: Set<(state: ViewState<LiveRow>) => void>;
}

/** Whether a key follows something outside the log (presence), whose messages have no position. */
function isVolatile(view: string): boolean {
  return view.startsWith('presence:');
}

/** The live endpoint of the page's own origin: ws: for http:, wss: for https:. */
export function liveUrl(loc: { protocol: string; host: string }): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/v1/live`;
}

/** The exponential delay before reconnect attempt n (1-based), with "equal jitter". */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const exp = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half random: never hammers the server, and tabs that lost the same
  // server at the same instant spread out instead of reconnecting in lockstep.
  return exp / 2 + random() * (exp / 2);
}

function browserNetwork(): NetworkWatcher | null {
  if (typeof window === 'undefined' || typeof navigator === 'undefined') return null;
  return {
    online: () => navigator.onLine !== false,
    watch(onChange) {
      window.addEventListener('online', onChange);
      window.addEventListener('offline', onChange);
      return () => {
        window.removeEventListener('online', onChange);
        window.removeEventListener('offline', onChange);
      };
    },
  };
}

function isRow(v: unknown): v is LiveRow {
  return typeof v === 'object' && v !== null && typeof (v as LiveRow).id === 'string';
}

/**
 * A websocket client for live views: connects, subscribes to any number of views,
 * reconnects with exponential backoff and jitter, resubscribes with the last position of
 * each view, and applies snapshots and patches in position order.
 */
export class LiveClient {
  private readonly opts: Required<Omit<LiveOptions, 'network' | 'checkAuth' | 'onUnauthenticated'>> &
    Pick<LiveOptions, 'checkAuth' | 'onUnauthenticated'> & { network: NetworkWatcher | null };
  private readonly views = new Map<string, ViewEntry>();
  private readonly statusListeners = new Set<(s: LiveStatus) => void>();
  private readonly errorListeners = new Set<(e: LiveServerError) => void>();
  private ws: SocketLike | null = null;
  private isOpen = false;
  private openedAt = 0;
  private everOpened = false;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  private closed = false;
  private unwatch: (() => void) | null = null;
  private current: LiveStatus = 'connecting';

  constructor(options: LiveOptions) {
    this.opts = {
      url: options.url,
      socket: options.socket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
      initialDelayMs: options.initialDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 15000,
      random: options.random ?? Math.random,
      offlineAfter: options.offlineAfter ?? 4,
      stableMs: options.stableMs ?? 10000,
      network: options.network === undefined ? browserNetwork() : options.network,
      checkAuth: options.checkAuth,
      onUnauthenticated: options.onUnauthenticated,
    };
  }

  /** The current connection status. */
  get status(): LiveStatus {
    return this.current;
  }

  /** Opens the socket; calling it again does nothing. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    if (this.opts.network) this.unwatch = this.opts.network.watch(() => this.networkChanged());
    this.connect();
  }

  /** Closes the socket for good and stops reconnecting; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    this.unwatch?.();
    this.unwatch = null;
    const ws = this.ws;
    this.ws = null;
    this.isOpen = false;
    if (ws) {
      ws.onopen = ws.onclose = ws.onerror = ws.onmessage = null;
      try {
        ws.close(1000, 'client closed');
      } catch {
        // Already closing: nothing left to release.
      }
    }
    this.updateStatus();
  }

  /** Calls fn now and on every change of status; returns an unsubscribe function. */
  onStatus(fn: (s: LiveStatus) => void): () => void {
    this.statusListeners.add(fn);
    fn(this.current);
    return () => this.statusListeners.delete(fn);
  }

  /**
   * Tells the others in a document where this tab's cursor is (presence; follow theirs
   * with subscribe("presence:<id>")). Dropped while disconnected: presence is volatile,
   * and the next announcement says it again.
   */
  announce(doc: string, cursor: { anchor: number; head: number } | null, version: number): void {
    if (!this.isOpen) return;
    this.send({ type: 'presence', view: `presence:${doc}`, ...(cursor ? { cursor } : {}), version });
  }

  /** Calls fn for every error message the server sends; returns an unsubscribe function. */
  onServerError(fn: (e: LiveServerError) => void): () => void {
    this.errorListeners.add(fn);
    return () => this.errorListeners.delete(fn);
  }

  /**
   * Follows a view: fn is called now with what the client holds and after every change.
   * A whole view ("opinions") stays subscribed on the socket for the client's lifetime;
   * one row of a view ("opinion-details:<id>") is unsubscribed once nobody follows it,
   * so that browsing many objects does not pile subscriptions up. With opts.since, a new
   * subscription asks only for the changes after that position; a caller without since
   * who comes to such a subscription makes it start again from the beginning (a fresh
   * snapshot: the others see rows they had not asked for, which they must tolerate). The
   * returned function stops the calls to fn.
   */
  subscribe<T extends LiveRow>(
    view: string,
    fn: (state: ViewState<T>) => void,
    opts: { since?: number } = {},
  ): () => void {
    let entry = this.views.get(view);
    if (!entry) {
      // Starting from since (a position the caller already reflects, e.g. read over
      // HTTP) makes the server send only what changed after it.
      entry = { position: opts.since ?? 0, rows: new Map(), loaded: false, listeners: new Set(), partial: (opts.since ?? 0) > 0 };
      this.views.set(view, entry);
      if (this.isOpen) this.sendSubscribe(view, entry);
    } else if (entry.partial && opts.since === undefined) {
      // Someone wants every row: ask again from the start.
      entry.partial = false;
      entry.position = 0;
      entry.loaded = false;
      if (this.isOpen) this.sendSubscribe(view, entry);
    }
    const listener = fn as (state: ViewState<LiveRow>) => void;
    entry.listeners.add(listener);
    listener(stateOf(entry));
    const e = entry;
    return () => {
      e.listeners.delete(listener);
      if (e.listeners.size === 0 && view.includes(':') && this.views.get(view) === e) {
        this.views.delete(view);
        this.send({ type: 'unsubscribe', view });
      }
    };
  }

  /**
   * Resolves true once a subscribed view holds position (or later), false after
   * timeoutMs: a command's effect is then on screen (read-your-writes). A view the
   * command did not change gets no patch, hence the timeout; see runCommand.
   */
  waitFor(view: string, position: number, timeoutMs = 3000): Promise<boolean> {
    if (this.view(view).position >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      let stop = () => {};
      const timer = setTimeout(() => {
        stop();
        resolve(false);
      }, timeoutMs);
      stop = this.subscribe(view, (state) => {
        if (state.position < position) return;
        clearTimeout(timer);
        queueMicrotask(() => stop());
        resolve(true);
      });
    });
  }

  /** What the client holds for a subscribed view (empty if not subscribed). */
  view<T extends LiveRow>(view: string): ViewState<T> {
    const entry = this.views.get(view);
    if (!entry) return { position: 0, items: [], loaded: false };
    return stateOf(entry) as ViewState<T>;
  }

  /**
   * Applies a state obtained elsewhere (an HTTP read of the view) like a snapshot: it
   * replaces the rows unless the client already holds a later position. Only for views
   * already subscribed; the next resubscription then asks only for what came after it.
   */
  seed(view: string, position: number, items: readonly LiveRow[]): void {
    this.applySnapshot(view, position, items);
  }

  private connect(): void {
    this.clearTimer();
    if (this.closed) return;
    let ws: SocketLike;
    try {
      ws = this.opts.socket(this.opts.url);
    } catch {
      this.failed();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.isOpen = true;
      this.everOpened = true;
      this.openedAt = Date.now();
      for (const [view, entry] of this.views) this.sendSubscribe(view, entry);
      this.updateStatus();
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      this.handle(ev.data);
    };
    ws.onerror = () => {
      // The browser follows every error with a close; reconnecting happens there.
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return;
      this.ws = null;
      const opened = this.isOpen;
      const wasStable = opened && Date.now() - this.openedAt >= this.opts.stableMs;
      this.isOpen = false;
      if (closeCode(ev) === CLOSE_UNAUTHENTICATED) {
        this.unauthenticated();
        return;
      }
      if (wasStable) this.attempts = 0;
      this.failed();
      if (!opened) this.askAuth();
    };
    this.updateStatus();
  }

  /** After a refused attempt: ask whether the session is the reason, while the backoff runs. */
  private askAuth(): void {
    const check = this.opts.checkAuth;
    if (!check || this.closed) return;
    check().then(
      (ok) => {
        if (ok === false) this.unauthenticated();
      },
      () => {
        // Cannot tell: keep reconnecting.
      },
    );
  }

  private unauthenticated(): void {
    if (this.closed) return;
    this.close();
    this.opts.onUnauthenticated?.();
  }

  private failed(): void {
    if (this.closed) return;
    this.attempts++;
    const delay = backoffDelay(
      this.attempts,
      this.opts.initialDelayMs,
      this.opts.maxDelayMs,
      this.opts.random,
    );
    this.clearTimer();
    this.timer = setTimeout(() => this.connect(), delay);
    this.updateStatus();
  }

  private networkChanged(): void {
    if (this.closed) return;
    if (this.opts.network?.online() && !this.ws) {
      // Back online: no reason to sit out the rest of a long backoff.
      this.attempts = 0;
      this.connect();
      return;
    }
    this.updateStatus();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private sendSubscribe(view: string, entry: ViewEntry): void {
    this.send({ type: 'subscribe', view, since: entry.position });
  }

  private send(msg: unknown): void {
    if (!this.ws || !this.isOpen || this.ws.readyState !== OPEN) return;
    try {
      this.ws.send(JSON.stringify(msg));
    } catch {
      // The close handler reconnects and resubscribes.
    }
  }

  private handle(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    // Anything the server says proves the connection works end to end.
    this.attempts = 0;
    const m = msg as Record<string, unknown>;
    switch (m.type) {
      case 'snapshot':
        if (typeof m.view === 'string' && typeof m.position === 'number') {
          this.applySnapshot(m.view, m.position, Array.isArray(m.items) ? m.items : []);
        }
        return;
      case 'patch':
        if (typeof m.view === 'string' && typeof m.position === 'number') {
          this.applyPatch(m.view, m.position, Array.isArray(m.items) ? m.items : []);
        }
        return;
      case 'error': {
        const err: LiveServerError = {
          code: typeof m.code === 'string' ? m.code : 'unknown',
          message: typeof m.message === 'string' ? m.message : '',
        };
        if (typeof m.view === 'string') err.view = m.view;
        for (const fn of this.errorListeners) fn(err);
        if (err.code === 'unauthenticated') this.unauthenticated();
        return;
      }
      default:
        // Unknown message types come from newer servers; ignoring them keeps old tabs working.
        return;
    }
  }

  private applySnapshot(view: string, position: number, items: readonly unknown[]): void {
    const entry = this.views.get(view);
    if (!entry || !Number.isFinite(position)) return;
    // A snapshot older than what is held would take the view back in time (presence is
    // not in the log: its messages carry no position and always apply).
    if (entry.loaded && position < entry.position && !isVolatile(view)) return;
    const rows = new Map<string, LiveRow>();
    for (const row of items) {
      if (isRow(row) && !row.removed) rows.set(row.id, row);
    }
    entry.rows = rows;
    entry.position = position;
    entry.loaded = true;
    this.emit(entry);
  }

  private applyPatch(view: string, position: number, items: readonly unknown[]): void {
    const entry = this.views.get(view);
    if (!entry || !Number.isFinite(position)) return;
    // Rows are whole rows, not deltas: replaying an older patch would revert them.
    if (position <= entry.position && !isVolatile(view)) return;
    for (const row of items) {
      if (!isRow(row)) continue;
      if (row.removed) entry.rows.delete(row.id);
      else entry.rows.set(row.id, row);
    }
    entry.position = position;
    entry.loaded = true;
    this.emit(entry);
  }

  private emit(entry: ViewEntry): void {
    const state = stateOf(entry);
    for (const fn of entry.listeners) fn(state);
  }

  private updateStatus(): void {
    const next = this.computeStatus();
    if (next === this.current) return;
    this.current = next;
    for (const fn of this.statusListeners) fn(next);
  }

  private computeStatus(): LiveStatus {
    if (this.closed) return 'offline';
    if (this.opts.network && !this.opts.network.online()) return 'offline';
    if (this.isOpen) return 'live';
    if (!this.everOpened && this.attempts === 0) return 'connecting';
    if (this.attempts >= this.opts.offlineAfter) return 'offline';
    return 'reconnecting';
  }
}

function closeCode(ev: unknown): number | undefined {
  const code = (ev as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function stateOf(entry: ViewEntry): ViewState<LiveRow> {
  return { position: entry.position, items: [...entry.rows.values()], loaded: entry.loaded };
}
