// Who is signed in. The session itself is an HttpOnly cookie the page never sees: the
// server answers GET /api/v1/session with the user or 401, and every other call answers
// 401 once the session is gone. Framework-free, so the unit tests drive it with a fake fetch.
import { type Fetch, ProblemError, problemOf } from './api';

/** Roles the server knows (DESIGN.md, Security). */
export type Role = 'secretariat' | 'member' | 'auditor' | 'observer';

/** The signed-in person, as GET/POST /api/v1/session return it. */
export interface User {
  id: string;
  email: string;
  name: string;
  /** Organisation the person acts for; null, empty or absent when none. */
  organisation_id?: string | null;
  role: Role | string;
}

/** A demo account one can sign in as with one click (demo servers only). */
export interface Persona {
  email: string;
  name: string;
  role: Role | string;
  /** The organisation's acronym (or name) for members and the secretariat; empty when none. */
  organisation?: string;
  organisation_id?: string | null;
}

/** Why the sign-in page is shown. */
export type SignedOutReason =
  /** Nobody signed in yet: the first visit, or a fresh tab. */
  | 'none'
  /** The server stopped accepting the session (expired, revoked, signed out elsewhere). */
  | 'expired'
  /** The user pressed "Sign out". */
  | 'signed-out'
  /** The server could not be reached to ask. */
  | 'unreachable';

/** Where the page stands. */
export type SessionState =
  | { status: 'checking' }
  | { status: 'signed-out'; reason: SignedOutReason }
  | { status: 'signed-in'; user: User };

const SESSION = '/api/v1/session';
const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' };

function isUser(v: unknown): v is User {
  if (typeof v !== 'object' || v === null) return false;
  const u = v as Record<string, unknown>;
  return typeof u.id === 'string' && typeof u.email === 'string' && typeof u.role === 'string';
}

async function userOf(res: Response): Promise<User> {
  const body = (await res.json()) as { user?: unknown };
  if (!isUser(body?.user)) throw new ProblemError(res.status, { status: res.status, detail: 'no user in the reply' });
  return { ...body.user, name: typeof body.user.name === 'string' ? body.user.name : body.user.email };
}

/** GET /api/v1/session: the user, or null when nobody is signed in (401). */
export async function fetchSession(opts: { fetch?: Fetch } = {}): Promise<User | null> {
  const f = opts.fetch ?? fetch;
  const res = await f(SESSION, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (res.status === 401) return null;
  if (!res.ok) throw await problemOf(res);
  return userOf(res);
}

/**
 * POST /api/v1/session with an email and a password. Throws a ProblemError: 401
 * invalid_credentials, or 429 rate_limited with retryAfter in seconds.
 */
export async function signIn(email: string, password: string, opts: { fetch?: Fetch } = {}): Promise<User> {
  const f = opts.fetch ?? fetch;
  const res = await f(SESSION, {
    method: 'POST',
    headers: JSON_HEADERS,
    credentials: 'same-origin',
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw await problemOf(res);
  return userOf(res);
}

/** POST /api/v1/session/demo: one-click sign-in as a demo persona (demo servers only). */
export async function signInAsPersona(email: string, opts: { fetch?: Fetch } = {}): Promise<User> {
  const f = opts.fetch ?? fetch;
  const res = await f(`${SESSION}/demo`, {
    method: 'POST',
    headers: JSON_HEADERS,
    credentials: 'same-origin',
    body: JSON.stringify({ email }),
  });
  if (!res.ok) throw await problemOf(res);
  return userOf(res);
}

/** DELETE /api/v1/session. A session already gone (401) counts as signed out. */
export async function signOut(opts: { fetch?: Fetch } = {}): Promise<void> {
  const f = opts.fetch ?? fetch;
  const res = await f(SESSION, { method: 'DELETE', headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok && res.status !== 401) throw await problemOf(res);
}

/** GET /api/v1/session/personas: the demo personas, or null when the server is not a demo. */
export async function fetchPersonas(opts: { fetch?: Fetch } = {}): Promise<Persona[] | null> {
  const f = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(`${SESSION}/personas`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  } catch {
    return null;
  }
  if (!res.ok) return null;
  try {
    const body: unknown = await res.json();
    if (!Array.isArray(body)) return null;
    return body.filter(
      (p): p is Persona => typeof p === 'object' && p !== null && typeof (p as Persona).email === 'string',
    );
  } catch {
    return null;
  }
}

/** The server's OpenID Connect provider, as GET /api/v1/session/oidc describes it. */
export interface OidcProvider {
  /** The sign-in button's text, chosen by the operator. */
  label: string;
  /** Where the button goes: the server sends the browser on to the provider. */
  loginUrl: string;
}

/** The address that starts a sign-in with the OpenID Connect provider. */
export const OIDC_LOGIN = `${SESSION}/oidc/login`;

/**
 * GET /api/v1/session/oidc: the OpenID Connect provider, or null when the server has none
 * (404), cannot be reached or answers something else.
 */
export async function fetchOidcProvider(opts: { fetch?: Fetch } = {}): Promise<OidcProvider | null> {
  const f = opts.fetch ?? fetch;
  try {
    const res = await f(`${SESSION}/oidc`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (res.status !== 200) return null;
    const body = (await res.json()) as { enabled?: unknown; label?: unknown };
    if (body?.enabled !== true) return null;
    const label = typeof body.label === 'string' ? body.label.trim() : '';
    return { label, loginUrl: OIDC_LOGIN };
  } catch {
    return null;
  }
}

/** Why a sign-in through the OpenID Connect provider failed (the server's ?signin_error=). */
export const OIDC_ERRORS = [
  'oidc_unavailable',
  'oidc_state',
  'oidc_denied',
  'oidc_failed',
  'oidc_email',
  'oidc_role',
  'oidc_organisation',
  'account_disabled',
] as const;

/** A known ?signin_error= code, or 'unknown' for any other. */
export type OidcError = (typeof OIDC_ERRORS)[number] | 'unknown';

/**
 * The sign-in error the server sent the browser back with (?signin_error=<code>), and the
 * address without it, so that a reload does not show it again. Null when there is none.
 */
export function takeSignInError(href: string): { error: OidcError; cleanHref: string } | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  const code = url.searchParams.get('signin_error');
  if (code === null) return null;
  url.searchParams.delete('signin_error');
  const error = (OIDC_ERRORS as readonly string[]).includes(code) ? (code as OidcError) : 'unknown';
  return { error, cleanHref: url.pathname + url.search + url.hash };
}

const ROLE_ORDER: Record<string, number> = { secretariat: 0, member: 1, auditor: 2, observer: 3 };

/** Personas in the order a tour takes them: secretariat, members by organisation, auditor, observer. */
export function sortPersonas(list: readonly Persona[]): Persona[] {
  return [...list].sort(
    (a, b) =>
      (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) ||
      (a.organisation ?? '').localeCompare(b.organisation ?? '', 'fr') ||
      a.email.localeCompare(b.email),
  );
}

/** What a failed sign-in means to the user. */
export type SignInFailure =
  | { kind: 'invalid' }
  | { kind: 'rate_limited'; retryAfter?: number }
  | { kind: 'network' }
  | { kind: 'other'; error: ProblemError };

/** Sorts an error thrown by signIn or signInAsPersona into what the page tells the user. */
export function signInFailure(err: unknown): SignInFailure {
  if (!(err instanceof ProblemError)) return { kind: 'network' };
  if (err.status === 429 || err.problem.code === 'rate_limited') {
    return err.retryAfter === undefined ? { kind: 'rate_limited' } : { kind: 'rate_limited', retryAfter: err.retryAfter };
  }
  if (err.status === 401 || err.problem.code === 'invalid_credentials') return { kind: 'invalid' };
  return { kind: 'other', error: err };
}

/**
 * The page's session: asks the server who is signed in, signs in and out, and goes back
 * to signed-out when told the session is gone (expire, called on any 401).
 */
export class Session {
  private current: SessionState = { status: 'checking' };
  private readonly listeners = new Set<(s: SessionState) => void>();
  private readonly f: Fetch | undefined;

  constructor(opts: { fetch?: Fetch } = {}) {
    this.f = opts.fetch;
  }

  /** The current state. */
  get state(): SessionState {
    return this.current;
  }

  /** The signed-in user, or null. */
  get user(): User | null {
    return this.current.status === 'signed-in' ? this.current.user : null;
  }

  /** Calls fn now and on every change; returns an unsubscribe function. */
  subscribe(fn: (s: SessionState) => void): () => void {
    this.listeners.add(fn);
    fn(this.current);
    return () => this.listeners.delete(fn);
  }

  /** Asks the server who is signed in; an unreachable server leaves the sign-in page up. */
  async check(): Promise<SessionState> {
    const wasSignedIn = this.current.status === 'signed-in';
    try {
      const user = await fetchSession({ fetch: this.f });
      this.set(user ? { status: 'signed-in', user } : { status: 'signed-out', reason: wasSignedIn ? 'expired' : 'none' });
    } catch {
      if (!wasSignedIn) this.set({ status: 'signed-out', reason: 'unreachable' });
    }
    return this.current;
  }

  /**
   * Whether the server still accepts the session: true, false (401), or undefined when it
   * cannot tell (unreachable, overloaded). Changes nothing; the live client asks it when
   * its socket is refused, since a browser hides the status of a refused upgrade.
   */
  async stillValid(): Promise<boolean | undefined> {
    try {
      return (await fetchSession({ fetch: this.f })) !== null;
    } catch {
      return undefined;
    }
  }

  /** Signs in with a password; throws what signIn throws (see signInFailure). */
  async signIn(email: string, password: string): Promise<User> {
    const user = await signIn(email.trim(), password, { fetch: this.f });
    this.set({ status: 'signed-in', user });
    return user;
  }

  /** Signs in as a demo persona; throws what signInAsPersona throws. */
  async signInAsPersona(email: string): Promise<User> {
    const user = await signInAsPersona(email, { fetch: this.f });
    this.set({ status: 'signed-in', user });
    return user;
  }

  /**
   * Signs out: the page shows the sign-in form at once, even if the server cannot be told
   * (the cookie then lapses on its own).
   */
  async signOut(): Promise<void> {
    this.set({ status: 'signed-out', reason: 'signed-out' });
    try {
      await signOut({ fetch: this.f });
    } catch {
      // Nothing more the page can do; the session expires server-side.
    }
  }

  /** The server refused the session (a 401 on any call): back to the sign-in page. */
  expire(): void {
    if (this.current.status !== 'signed-in') return;
    this.set({ status: 'signed-out', reason: 'expired' });
  }

  private set(next: SessionState): void {
    this.current = next;
    for (const fn of [...this.listeners]) fn(next);
  }
}
