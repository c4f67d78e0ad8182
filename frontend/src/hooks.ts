// Hooks every page shares: live views, the connection status, and commands with
// read-your-writes.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type CommandResult, ProblemError, type Problem, newIdempotencyKey, postCommand, readView } from './api';
import type { LiveClient, LiveRow, LiveStatus, ViewState } from './live';

/** Follows a live view (or one row of it, "view:id") and re-renders on every change. */
export function useLiveView<T extends LiveRow>(live: LiveClient, view: string): ViewState<T> {
  const [state, setState] = useState<ViewState<T>>(() => live.view<T>(view));
  useEffect(() => live.subscribe<T>(view, setState), [live, view]);
  return state;
}

/** The one row of a "view:id" subscription, or undefined while loading or if there is none. */
export function useLiveRow<T extends LiveRow>(live: LiveClient, view: string, id: string): { row: T | undefined; loaded: boolean } {
  const state = useLiveView<T>(live, `${view}:${id}`);
  return { row: state.items.find((r) => r.id === id), loaded: state.loaded };
}

/**
 * Ids of rows that appeared after the view's first load, for a few seconds (to highlight
 * them); the rows of the first load are never fresh.
 */
export function useFreshIds(loaded: boolean, items: readonly LiveRow[]): ReadonlySet<string> {
  const known = useRef<Set<string> | null>(null);
  const timers = useRef<ReturnType<typeof setTimeout>[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (!loaded) return;
    const ids = items.map((r) => r.id);
    if (known.current === null) {
      known.current = new Set(ids);
      return;
    }
    const seen = known.current;
    const added = ids.filter((id) => !seen.has(id));
    if (added.length === 0) return;
    for (const id of added) seen.add(id);
    setFresh((prev) => new Set([...prev, ...added]));
    timers.current.push(setTimeout(() => setFresh((prev) => new Set([...prev].filter((id) => !added.includes(id)))), 6000));
  }, [loaded, items]);
  useEffect(() => () => timers.current.forEach(clearTimeout), []);
  return fresh;
}

/**
 * The current time, moving every everyMs, so that deadlines and meetings pass while the
 * page is open.
 */
export function useNow(everyMs: number): [number, (now: number) => void] {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return [now, setNow];
}

/** The live connection's status. */
export function useLiveStatus(live: LiveClient): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>(live.status);
  useEffect(() => live.onStatus(setStatus), [live]);
  return status;
}

/**
 * Sends a command and resolves once the views it changes show its effect
 * (read-your-writes): first by waiting for the live socket to bring the command's
 * position, else by reading the views over HTTP with min_position (the server waits)
 * and seeding the live client with what it read.
 */
export async function runCommand(
  live: LiveClient,
  path: string,
  body: unknown,
  idempotencyKey: string,
  views: readonly string[],
): Promise<CommandResult> {
  const res = await postCommand(path, body, idempotencyKey);
  await Promise.all(
    views.map(async (view) => {
      if (await live.waitFor(view, res.position, 1500)) return;
      try {
        const read = await readView<LiveRow>(view, { minPosition: res.position });
        live.seed(view, read.position, read.items);
      } catch {
        // The socket will bring it; the command itself succeeded.
      }
    }),
  );
  return res;
}

/** The outcome of the last command a form sent. */
export type CommandOutcome =
  | { kind: 'success'; result: CommandResult }
  | { kind: 'problem'; status: number; problem: Problem }
  | { kind: 'network' };

/**
 * State of a form that sends one command: busy while it runs, the outcome after. The
 * same body sent again (a retry after a network failure) keeps its Idempotency-Key, so
 * it is never applied twice.
 */
export function useCommand(live: LiveClient) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<CommandOutcome | null>(null);
  const pending = useRef<{ key: string; body: string } | null>(null);
  const run = useCallback(
    async (path: string, body: unknown, views: readonly string[] = []): Promise<CommandResult | null> => {
      const json = path + ' ' + JSON.stringify(body);
      if (pending.current?.body !== json) pending.current = { key: newIdempotencyKey(), body: json };
      setBusy(true);
      setOutcome(null);
      try {
        const result = await runCommand(live, path, body, pending.current.key, views);
        pending.current = null;
        setOutcome({ kind: 'success', result });
        return result;
      } catch (err) {
        if (err instanceof ProblemError) {
          pending.current = null;
          setOutcome({ kind: 'problem', status: err.status, problem: err.problem });
        } else {
          setOutcome({ kind: 'network' });
        }
        return null;
      } finally {
        setBusy(false);
      }
    },
    [live],
  );
  const reset = useCallback(() => setOutcome(null), []);
  return { run, busy, outcome, reset };
}
