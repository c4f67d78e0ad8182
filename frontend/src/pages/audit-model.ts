// The auditors' stream browser: the rows of GET /api/v1/audit/streams and
// /api/v1/audit/streams/<stream>, and the pure helpers the page uses.

/** A stream of the log, with its counts (gateway.StreamInfo). */
export interface StreamInfo {
  stream: string;
  category: string;
  events: number;
  first_position: number;
  last_position: number;
  last_type: string;
  last_time: string;
}

/** An event as the browser shows it: envelope and payload, or redacted (gateway.BrowsedEvent). */
export interface BrowsedEvent {
  id: string;
  type: string;
  schema?: number;
  stream: string;
  revision: number;
  position: number;
  time: string;
  meta?: { actor?: { user?: string; organisation?: string; role?: string }; command_id?: string; correlation_id?: string; causation_id?: string };
  data?: unknown;
  prev_hash?: string;
  hash?: string;
  redacted?: boolean;
}

/** The categories of the streams, with how many streams each has, by name. */
export function categories(streams: readonly StreamInfo[]): { category: string; streams: number }[] {
  const n = new Map<string, number>();
  for (const s of streams) n.set(s.category, (n.get(s.category) ?? 0) + 1);
  return [...n].map(([category, streams]) => ({ category, streams })).sort((a, b) => a.category.localeCompare(b.category));
}

/**
 * Whether the events of one stream link up: revisions 0, 1, 2… in order, positions
 * increasing, each prev_hash the hash before (the first: none). Returns the index of the
 * first event that does not, or -1. (The server's bundles are verified by `comite audit
 * verify`; this is what the page can check of one stream, without recomputing hashes.)
 */
export function firstBrokenLink(evs: readonly BrowsedEvent[]): number {
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i]!;
    const prev = evs[i - 1];
    if (e.revision !== i || (prev && e.position <= prev.position) || (e.prev_hash ?? '') !== (prev?.hash ?? '')) return i;
  }
  return -1;
}
