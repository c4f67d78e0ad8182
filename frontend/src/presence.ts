// Presence in a co-drafted text: who else is in it and where their cursor is. The server
// relays it between everyone following `presence:<id>` (volatile: core NATS, never
// stored); this module holds the pure parts — colours per organisation, which peers are
// still there, throttled announcements — and the CodeMirror extension that draws the
// others' cursors and selections.
import { type EditorState, type Extension, StateEffect, StateField } from '@codemirror/state';
import { Decoration, type DecorationSet, EditorView, WidgetType } from '@codemirror/view';
import type { LiveRow } from './live';

/** Colour slots of organisations (the .op-author--N classes). */
export const SLOTS = 8;

/** The colour slot of an organisation: the same for everyone, from its ID. */
export function orgSlot(org: string | undefined): number {
  let h = 0;
  for (const c of org ?? '') h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % SLOTS;
}

/** A row of `presence:<id>`: another tab in the text (services/presence Peer). */
export interface Peer extends LiveRow {
  user?: string;
  organisation_id?: string;
  role?: string;
  cursor?: { anchor: number; head: number };
  version?: number;
  at: string;
}

/** How long a peer stays without news (they announce themselves every HEARTBEAT_MS). */
export const PEER_TTL_MS = 40_000;
export const HEARTBEAT_MS = 15_000;

/** The peers heard from lately, in a stable order (by organisation, then tab). */
export function freshPeers(peers: readonly Peer[], now: number): Peer[] {
  return peers
    .filter((p) => !p.removed && now - Date.parse(p.at) < PEER_TTL_MS)
    .sort((a, b) => (a.organisation_id ?? '').localeCompare(b.organisation_id ?? '') || a.id.localeCompare(b.id));
}

/** A peer as the editor draws it. */
export interface RemoteCursor {
  id: string;
  label: string;
  slot: number;
  anchor: number;
  head: number;
}

class CaretWidget extends WidgetType {
  constructor(
    readonly label: string,
    readonly slot: number,
  ) {
    super();
  }
  eq(other: CaretWidget): boolean {
    return other.label === this.label && other.slot === this.slot;
  }
  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = `cm-remote-caret op-author--${this.slot}`;
    caret.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.className = 'cm-remote-caret__name';
    name.textContent = this.label;
    caret.appendChild(name);
    return caret;
  }
  ignoreEvent(): boolean {
    return true;
  }
}

/** Replaces the remote cursors the editor draws. */
export const setRemoteCursors = StateEffect.define<RemoteCursor[]>();

function decorations(state: EditorState, cursors: readonly RemoteCursor[]): DecorationSet {
  const len = state.doc.length;
  const ranges = [];
  for (const c of cursors) {
    const head = Math.min(Math.max(0, c.head), len);
    const anchor = Math.min(Math.max(0, c.anchor), len);
    if (anchor !== head) {
      ranges.push(Decoration.mark({ class: `cm-remote-selection op-author--${c.slot}` }).range(Math.min(anchor, head), Math.max(anchor, head)));
    }
    ranges.push(Decoration.widget({ widget: new CaretWidget(c.label, c.slot), side: 1 }).range(head));
  }
  return Decoration.set(ranges, true);
}

/** The others' cursors as decorations; they follow local edits. */
export const remoteCursorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    let next = deco.map(tr.changes);
    for (const e of tr.effects) if (e.is(setRemoteCursors)) next = decorations(tr.state, e.value);
    return next;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** The CodeMirror extension drawing the others' cursors. */
export function remoteCursors(): Extension {
  return remoteCursorField;
}

/**
 * Sends where the local cursor is, at most once per minGapMs (the last position wins),
 * and again every HEARTBEAT_MS so the others know the tab is still there.
 */
export class Announcer {
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private beat: ReturnType<typeof setInterval>;
  private current: () => { anchor: number; head: number; version: number };

  constructor(
    private readonly send: (cursor: { anchor: number; head: number }, version: number) => void,
    current: () => { anchor: number; head: number; version: number },
    private readonly minGapMs = 200,
    private readonly now: () => number = Date.now,
  ) {
    this.current = current;
    this.beat = setInterval(() => this.flush(), HEARTBEAT_MS);
  }

  /** The cursor moved: send it now, or once the gap since the last has passed. */
  moved(): void {
    const wait = this.last + this.minGapMs - this.now();
    if (wait <= 0) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends the current cursor now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.last = this.now();
    const c = this.current();
    this.send({ anchor: c.anchor, head: c.head }, c.version);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.beat);
  }
}
