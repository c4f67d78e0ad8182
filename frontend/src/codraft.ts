// Co-drafting protocol of the browser editor (issue 7), framework-free so that vitest can
// drive it with a fake transport. The server is the central authority of
// @codemirror/collab: the client pushes its unconfirmed updates at its synced version
// (opinions/push-changes); the server accepts them only at the current version, else
// answers 409 version_mismatch. Every accepted change comes back, to every editor, as a
// row of the live view `opinion-updates:<id>` (`<id>/<version>`, version, client_id,
// changes); rows are applied in version order with receiveUpdates, which also confirms
// our own updates and rebases the unconfirmed ones over the others'.
//
// Batching: at most one push is in flight. A push leaves batchDelayMs (100 ms) after the
// first unsent keystroke, and the next one only after the reply (and the echo of the
// accepted updates) came back; keystrokes typed meanwhile are coalesced into that next
// push (up to 100 updates per push). A fast typist thus makes a few pushes a second, not
// one per key, while others see the text within about one round trip.
//
// Offline: a push that fails on the network leaves the updates unconfirmed; typing goes
// on, and the controller tries again every retryMs and as soon as the connection is back
// (online()). Collab rebases what was typed meanwhile over what the others pushed.
import { ChangeSet, type EditorState, type Transaction } from '@codemirror/state';
import { getSyncedVersion, receiveUpdates, sendableUpdates } from '@codemirror/collab';

/** A row of `opinion-updates:<id>`: one accepted text change. */
export interface UpdateRow {
  id: string;
  version: number;
  client_id?: string;
  changes?: unknown;
  removed?: boolean;
}

/** What a push is sent as (the body of opinions/push-changes). */
export interface PushBody {
  opinion_id: string;
  version: number;
  client_id: string;
  changes: unknown[];
}

/**
 * Sends a push: 'ok' when accepted, 'conflict' on version_mismatch; throws a
 * CodraftRefused for any other refusal, anything else for a network failure.
 */
export type PushTransport = (body: PushBody) => Promise<'ok' | 'conflict'>;

/** A refusal of the server other than version_mismatch (no right to edit, bad change…). */
export class CodraftRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodraftRefused';
  }
}

/** Where the editor's changes stand, for the status line. */
export type CodraftStatus =
  | { kind: 'saved' }
  | { kind: 'pending'; n: number }
  | { kind: 'offline'; n: number }
  | { kind: 'refused'; n: number; message: string };

/** The editor the controller drives: an EditorView in the browser, a plain state in tests. */
export interface CodraftHost {
  state(): EditorState;
  apply(tr: Transaction): void;
}

export interface CodraftOptions {
  opinionId: string;
  clientID: string;
  host: CodraftHost;
  push: PushTransport;
  onStatus?: (s: CodraftStatus) => void;
  batchDelayMs?: number;
  retryMs?: number;
  /** How long to wait for the pulled updates after a conflict or an accepted push. */
  echoWaitMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Codraft {
  private readonly o: Required<Omit<CodraftOptions, 'onStatus'>> & Pick<CodraftOptions, 'onStatus'>;
  private readonly pending = new Map<number, UpdateRow>();
  private waiters: (() => void)[] = [];
  private inFlight = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private networkDown = false;
  private connected = true;
  private refused: string | null = null;
  private closed = false;
  private last = '';
  /** Pushes sent (for tests and the benchmark of batching). */
  pushes = 0;

  constructor(options: CodraftOptions) {
    this.o = { batchDelayMs: 100, retryMs: 3000, echoWaitMs: 2000, ...options };
  }

  /** Takes the rows of the live view (all or new ones) and applies what follows, in order. */
  receive(rows: readonly UpdateRow[]): void {
    if (this.closed) return;
    let version = getSyncedVersion(this.o.host.state());
    for (const row of rows) {
      if (!row.removed && row.version > version && row.changes !== undefined) this.pending.set(row.version, row);
    }
    for (const v of this.pending.keys()) if (v <= version) this.pending.delete(v);
    const run: UpdateRow[] = [];
    while (this.pending.has(version + 1)) {
      run.push(this.pending.get(version + 1)!);
      this.pending.delete(++version);
    }
    if (run.length) {
      const updates = run.map((u) => ({ changes: ChangeSet.fromJSON(u.changes), clientID: u.client_id ?? '' }));
      this.o.host.apply(receiveUpdates(this.o.host.state(), updates));
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
    this.changed();
  }

  /** Called after every local edit (and by receive): schedules a push, updates the status. */
  changed(): void {
    if (this.closed) return;
    if (!this.inFlight && this.timer === null && sendableUpdates(this.o.host.state()).length > 0 && !this.refused) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.pushLoop();
      }, this.networkDown ? this.o.retryMs : this.o.batchDelayMs);
    }
    this.report();
  }

  /** The live connection went up (true) or down (false): up pushes at once. */
  connection(up: boolean): void {
    this.connected = up;
    if (up && this.networkDown) {
      this.networkDown = false;
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
    }
    this.changed();
  }

  /** The number of local updates the server has not confirmed yet. */
  unconfirmed(): number {
    return sendableUpdates(this.o.host.state()).length;
  }

  status(): CodraftStatus {
    const n = this.unconfirmed();
    if (this.refused) return { kind: 'refused', n, message: this.refused };
    if (this.networkDown || (!this.connected && n > 0)) return { kind: 'offline', n };
    return n > 0 ? { kind: 'pending', n } : { kind: 'saved' };
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.waiters) w();
    this.waiters = [];
  }

  private report(): void {
    const s = this.status();
    const key = JSON.stringify(s);
    if (key === this.last) return;
    this.last = key;
    this.o.onStatus?.(s);
  }

  /** Resolves at the next received update, or after ms. */
  private next(ms: number): Promise<void> {
    return new Promise((r) => {
      this.waiters.push(r);
      setTimeout(r, ms);
    });
  }

  private async pushLoop(): Promise<void> {
    if (this.inFlight || this.closed) return;
    this.inFlight = true;
    try {
      while (!this.closed && !this.refused) {
        const updates = sendableUpdates(this.o.host.state()).slice(0, 100);
        if (!updates.length) break;
        const version = getSyncedVersion(this.o.host.state());
        let res: 'ok' | 'conflict';
        try {
          this.pushes++;
          res = await this.o.push({
            opinion_id: this.o.opinionId,
            version,
            client_id: this.o.clientID,
            changes: updates.map((u) => u.changes.toJSON()),
          });
        } catch (err) {
          if (err instanceof CodraftRefused) {
            this.refused = err.message || 'refused';
          } else {
            // The network: the updates stay unconfirmed; try again later or when back online.
            this.networkDown = true;
          }
          break;
        }
        this.networkDown = false;
        // Accepted or not, what settles it is the pulled updates: ours confirm an accepted
        // push; after a conflict, the others' let collab rebase ours before pushing again.
        const deadline = Date.now() + this.o.echoWaitMs;
        const target = res === 'ok' ? version + updates.length : version + 1;
        while (!this.closed && getSyncedVersion(this.o.host.state()) < target && Date.now() < deadline) {
          await this.next(Math.max(1, deadline - Date.now()));
        }
        if (res === 'conflict' && getSyncedVersion(this.o.host.state()) === version) await sleep(50);
      }
    } finally {
      this.inFlight = false;
      this.changed();
    }
  }
}
