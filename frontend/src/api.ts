// The gateway's HTTP API: view reads and commands, with RFC 9457 problem details.
import type { Lang } from './i18n';
import type { LiveRow } from './live';

/** Kinds of member organisations the API knows. */
export type OrganisationKind = 'elected_officials_association' | 'public_operator' | 'ministry' | 'other';

/** A row of the organisations view. */
export interface Organisation extends LiveRow {
  name: string;
  acronym: string;
  kind: OrganisationKind | string;
  website?: string;
  secretariat?: boolean;
  position?: number;
}

/** The one item of the committee view. */
export interface Committee extends LiveRow {
  name: string;
  acronym?: string;
  description?: string;
  /** Organisation id of the secretariat, or empty. */
  secretariat?: string;
}

/** A view read over HTTP: many rows (`items`) or one (`item`). */
export interface ViewRead<T> {
  position: number;
  items: T[];
}

/** The reply to an accepted command. */
export interface CommandResult {
  command_id: string;
  position: number;
  events: { id: string; type: string; stream: string; revision: number; position: number }[];
}

/** An application/problem+json body as the gateway writes it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  message_fr?: string;
  message_en?: string;
  /** Field name → violated rule (e.g. "required", "max=200"). */
  fields?: Record<string, string>;
}

/** A command or read the server rejected; problem holds what it said. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds the server asked to wait before trying again (Retry-After), if it said. */
    readonly retryAfter?: number,
  ) {
    super(problem.detail || problem.title || problem.code || `HTTP ${status}`);
    this.name = 'ProblemError';
  }
}

/**
 * Seconds to wait from a Retry-After header: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3). Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

const unauthenticatedListeners = new Set<() => void>();

/**
 * Calls fn whenever an API call is answered 401: the session expired or was revoked, and
 * the page should go back to the sign-in form. Returns a function that stops the calls.
 */
export function onUnauthenticated(fn: () => void): () => void {
  unauthenticatedListeners.add(fn);
  return () => unauthenticatedListeners.delete(fn);
}

/** Tells the onUnauthenticated listeners that the session is gone. */
export function reportUnauthenticated(): void {
  for (const fn of [...unauthenticatedListeners]) fn();
}

/** The server's message in lang, falling back to the other language, then to detail/title. */
export function problemMessage(p: Problem, lang: Lang): string | undefined {
  const own = lang === 'fr' ? p.message_fr : p.message_en;
  const other = lang === 'fr' ? p.message_en : p.message_fr;
  return own || other || p.detail || p.title || undefined;
}

/** A random RFC 4122 version 4 UUID, even where crypto.randomUUID is missing (plain http). */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') {
    try {
      return c.randomUUID();
    } catch {
      // randomUUID exists but refuses outside secure contexts in some browsers.
    }
  }
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The fetch the API helpers use; tests pass their own. */
export type Fetch = typeof fetch;

/** The ProblemError for a failed response: its problem body and Retry-After. */
export async function problemOf(res: Response): Promise<ProblemError> {
  return new ProblemError(res.status, await readProblem(res), parseRetryAfter(res.headers.get('Retry-After')));
}

async function readProblem(res: Response): Promise<Problem> {
  try {
    const body: unknown = await res.json();
    if (typeof body === 'object' && body !== null) return body as Problem;
  } catch {
    // Not JSON (a proxy's error page): keep only the status.
  }
  return { status: res.status };
}

/**
 * Reads a view over HTTP; minPosition asks the server to wait until the view has reached
 * it, at asks for the view as it was at that past position of the log (time travel).
 */
export async function readView<T>(
  view: string,
  opts: { minPosition?: number; at?: number; fetch?: Fetch; signal?: AbortSignal } = {},
): Promise<ViewRead<T>> {
  const f = opts.fetch ?? fetch;
  const params = new URLSearchParams();
  if (opts.minPosition) params.set('min_position', String(opts.minPosition));
  if (opts.at !== undefined) params.set('at', String(opts.at));
  const q = params.size > 0 ? `?${params}` : '';
  // "name:id" is one row of a view, as on the live socket.
  const [name, id] = view.split(':', 2) as [string, string | undefined];
  const path = id ? `${encodeURIComponent(name)}/${encodeURIComponent(id)}` : encodeURIComponent(name);
  const res = await f(`/api/v1/views/${path}${q}`, {
    headers: { Accept: 'application/json' },
    signal: opts.signal,
  });
  if (res.status === 401) reportUnauthenticated();
  if (!res.ok) throw await problemOf(res);
  const body = (await res.json()) as { position?: number; items?: T[]; item?: T | null };
  // A committee not yet constituted may come as null or as an item without id.
  const one = body.item && (body.item as { id?: unknown }).id ? [body.item] : [];
  const items = Array.isArray(body.items) ? body.items : one;
  return { position: typeof body.position === 'number' ? body.position : 0, items };
}

/** Reads a JSON resource of the API (GET); a ProblemError carries the server's refusal. */
export async function getJSON<T>(path: string, opts: { fetch?: Fetch; signal?: AbortSignal } = {}): Promise<T> {
  const f = opts.fetch ?? fetch;
  const res = await f(path, { headers: { Accept: 'application/json' }, signal: opts.signal });
  if (res.status === 401) reportUnauthenticated();
  if (!res.ok) throw await problemOf(res);
  return (await res.json()) as T;
}

/**
 * One row of a view as it was at a past position of the log ("name:id"), or undefined if
 * it did not exist then (or the reader may not see it).
 */
export async function readAt<T>(view: string, at: number, signal?: AbortSignal, opts: { fetch?: Fetch } = {}): Promise<T | undefined> {
  try {
    return (await readView<T>(view, { at, signal, fetch: opts.fetch })).items[0];
  } catch (err) {
    if (err instanceof ProblemError && err.status === 404) return undefined;
    throw err;
  }
}

/** Whether a failed attempt may be sent again as is (same Idempotency-Key). */
function retryable(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * Posts a command. The same Idempotency-Key goes with every retry, so a request whose
 * answer was lost is never applied twice. Network failures and overload answers are
 * retried a few times; a ProblemError carries the server's refusal.
 */
export async function postCommand(
  path: string,
  body: unknown,
  idempotencyKey: string,
  opts: { fetch?: Fetch; retries?: number; retryDelayMs?: number } = {},
): Promise<CommandResult> {
  const f = opts.fetch ?? fetch;
  const retries = opts.retries ?? 2;
  const delay = opts.retryDelayMs ?? 400;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await f(`/api/v1/${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, application/problem+json',
          'Idempotency-Key': idempotencyKey,
        },
        body: JSON.stringify(body),
      });
    } catch (err) {
      if (attempt >= retries) throw err;
      await sleep(delay * 2 ** attempt);
      continue;
    }
    if (res.ok) return (await res.json()) as CommandResult;
    if (retryable(res.status) && attempt < retries) {
      await sleep(delay * 2 ** attempt);
      continue;
    }
    if (res.status === 401) reportUnauthenticated();
    throw await problemOf(res);
  }
}

/**
 * Asks a query computed from the log (POST /api/v1/queries/<name>/<id>), e.g. a recount
 * simulation. It changes nothing, so it is neither keyed nor retried.
 */
export async function runQuery<T>(name: string, id: string, params: unknown, opts: { fetch?: Fetch } = {}): Promise<T> {
  const f = opts.fetch ?? fetch;
  const res = await f(`/api/v1/queries/${encodeURIComponent(name)}/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
    body: JSON.stringify(params),
  });
  if (res.ok) return (await res.json()) as T;
  if (res.status === 401) reportUnauthenticated();
  throw await problemOf(res);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
