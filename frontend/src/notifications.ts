// In-app notifications: new timeline entries, arriving live, that concern the signed-in
// person — their organisation, a group it is a member of, a vote it must cast. The
// initial snapshot (what happened before the page opened) is the timeline's, not news.
// Framework-free: the header's NotificationCenter renders it; tests drive it directly.
import type { LiveRow, ViewState } from './live';
import { type GroupRow, groupsOf } from './pages/dashboard-model';
import { type TimelineEntry, concernsOrganisation, isEntry } from './pages/timeline-model';

/** Why an entry is news for the user. */
export type Reason = 'vote' | 'organisation' | 'group';

/** What the user is, for deciding what concerns them. */
export interface Me {
  /** The e-mail address: the user's own actions are not news to them. */
  email: string;
  organisationId?: string | null;
  /** The working groups the user's organisation is a member of. */
  groups: ReadonlySet<string>;
}

/** One notification: the entry as it arrived, why it concerns the user, whether it was read. */
export interface Notification {
  id: string;
  entry: TimelineEntry;
  reason: Reason;
  read: boolean;
}

/**
 * Why entry concerns me, or null. A vote to cast comes first: a consultation opened
 * whose electorate holds my organisation. Text changes are never news (one row gathers
 * many keystrokes and moves as they come).
 */
export function concerns(entry: TimelineEntry, me: Me): Reason | null {
  if (entry.type === 'opinions.draft.changed') return null;
  if (entry.actor?.user && entry.actor.user === me.email) return null;
  const org = me.organisationId || '';
  if (org && entry.type === 'consultations.consultation.opened' && (entry.organisations ?? []).includes(org)) return 'vote';
  // An entry about everyone (a consultation's electorate) is not about my organisation.
  if (org && entry.type !== 'consultations.consultation.opened' && concernsOrganisation(entry, org)) return 'organisation';
  if (entry.group_id && me.groups.has(entry.group_id)) return 'group';
  return null;
}

/**
 * Finds the entries that arrived after the first load of the timeline view: it keeps the
 * highest position it has seen; a row above it is new. Rows that only became visible
 * (older positions) or were reordered are not.
 */
export class ArrivalWatcher {
  private watermark: number | null = null;

  /** The new entries in state since the last call (none for the first loaded state). */
  next(state: ViewState<LiveRow>): TimelineEntry[] {
    if (!state.loaded) return [];
    const rows = state.items.filter(isEntry);
    const top = rows.reduce((m, r) => Math.max(m, r.position), 0);
    if (this.watermark === null) {
      this.watermark = Math.max(top, state.position);
      return [];
    }
    const mark = this.watermark;
    const fresh = rows.filter((r) => r.position > mark).sort((a, b) => a.position - b.position);
    this.watermark = Math.max(mark, top);
    return fresh;
  }
}

/** How many notifications are kept: the oldest go first. */
export const MAX_NOTIFICATIONS = 50;

/** Where notifications are kept between page loads; an unavailable storage keeps them in memory. */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** A user's notifications, newest first, kept in storage under a per-user key. */
export class NotificationStore {
  private items: Notification[] = [];
  private readonly listeners = new Set<(items: readonly Notification[]) => void>();

  constructor(
    private readonly storage: KeyValue | undefined,
    private readonly key: string,
  ) {
    this.items = load(storage, key);
  }

  /** The notifications, newest first. */
  list(): readonly Notification[] {
    return this.items;
  }

  unread(): number {
    return this.items.filter((n) => !n.read).length;
  }

  /** Adds an entry (once: an entry seen again is not news twice); returns whether it was added. */
  add(entry: TimelineEntry, reason: Reason): boolean {
    if (this.items.some((n) => n.id === entry.id)) return false;
    this.items = [{ id: entry.id, entry, reason, read: false }, ...this.items].slice(0, MAX_NOTIFICATIONS);
    this.changed();
    return true;
  }

  markRead(id: string): void {
    this.update(this.items.map((n) => (n.id === id && !n.read ? { ...n, read: true } : n)));
  }

  markAllRead(): void {
    this.update(this.items.map((n) => (n.read ? n : { ...n, read: true })));
  }

  clear(): void {
    this.update([]);
  }

  /** Calls fn now and after every change; returns a function that stops it. */
  subscribe(fn: (items: readonly Notification[]) => void): () => void {
    this.listeners.add(fn);
    fn(this.items);
    return () => this.listeners.delete(fn);
  }

  private update(next: Notification[]): void {
    if (next.length === this.items.length && next.every((n, i) => n === this.items[i])) return;
    this.items = next;
    this.changed();
  }

  private changed(): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.items));
    } catch {
      // Full or unavailable storage: they stay in memory for this page.
    }
    for (const fn of this.listeners) fn(this.items);
  }
}

function load(storage: KeyValue | undefined, key: string): Notification[] {
  try {
    const raw = storage?.getItem(key);
    if (!raw) return [];
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter(
        (n): n is Notification =>
          typeof n === 'object' && n !== null && typeof n.id === 'string' && isEntry(n.entry) && typeof n.reason === 'string',
      )
      .map((n) => ({ id: n.id, entry: n.entry, reason: n.reason, read: n.read === true }))
      .slice(0, MAX_NOTIFICATIONS);
  } catch {
    return [];
  }
}

/** The storage key of a user's notifications. */
export function storageKey(userId: string): string {
  return `comite.notifications.${userId}`;
}

/** The groups whose members include org, from rows of the groups view (shape checked, not trusted). */
export function groupsOfOrganisation(rows: readonly unknown[], org: string | null | undefined): Set<string> {
  const groups = rows.filter((r): r is GroupRow => typeof r === 'object' && r !== null && typeof (r as GroupRow).id === 'string');
  return groupsOf(groups, org);
}
