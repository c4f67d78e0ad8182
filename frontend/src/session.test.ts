import { afterEach, describe, expect, it } from 'vitest';
import { ProblemError, onUnauthenticated, parseRetryAfter, postCommand, readView } from './api';
import {
  OIDC_LOGIN,
  Session,
  type SessionState,
  fetchOidcProvider,
  fetchPersonas,
  fetchSession,
  signIn,
  signInFailure,
  sortPersonas,
  takeSignInError,
} from './session';

const USER = {
  id: '0192f0c4-0000-7000-8000-000000000001',
  email: 'secretariat@demo.invalid',
  name: 'Secrétariat (démo)',
  organisation_id: '0192f0c4-0000-7000-8000-0000000000aa',
  role: 'secretariat',
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type, ...headers } });
}

function problem(status: number, code: string, headers: Record<string, string> = {}): Response {
  return json(status, { type: 'about:blank', title: code, status, code, message_fr: `fr:${code}`, message_en: `en:${code}` }, headers);
}

/** A fake server: routes "METHOD path" to a reply, and records what was asked. */
function fakeServer(routes: Record<string, (init: RequestInit) => Response>) {
  const calls: { method: string; url: string; body?: unknown }[] = [];
  const f = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const url = String(input);
    calls.push({ method, url, body: init.body ? JSON.parse(init.body as string) : undefined });
    const route = routes[`${method} ${url}`];
    if (!route) return problem(404, 'not_found');
    return route(init);
  };
  return { fetch: f as typeof fetch, calls };
}

const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length) stops.pop()!();
});

describe('session client', () => {
  it('reads the signed-in user', async () => {
    const srv = fakeServer({ 'GET /api/v1/session': () => json(200, { user: USER }) });
    expect(await fetchSession({ fetch: srv.fetch })).toEqual(USER);
  });

  it('reads nobody when the server answers 401', async () => {
    const srv = fakeServer({ 'GET /api/v1/session': () => problem(401, 'unauthenticated') });
    expect(await fetchSession({ fetch: srv.fetch })).toBeNull();
  });

  it('signs in with email and password, and names a wrong password', async () => {
    const srv = fakeServer({
      'POST /api/v1/session': (init) => {
        const { password } = JSON.parse(init.body as string);
        return password === 'right horse battery' ? json(200, { user: USER }) : problem(401, 'invalid_credentials');
      },
    });
    expect(await signIn(USER.email, 'right horse battery', { fetch: srv.fetch })).toEqual(USER);
    expect(srv.calls[0]).toEqual({
      method: 'POST',
      url: '/api/v1/session',
      body: { email: USER.email, password: 'right horse battery' },
    });
    const err = await signIn(USER.email, 'wrong', { fetch: srv.fetch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProblemError);
    expect(signInFailure(err)).toEqual({ kind: 'invalid' });
  });

  it('says how long to wait after too many attempts (429 with Retry-After)', async () => {
    const srv = fakeServer({ 'POST /api/v1/session': () => problem(429, 'rate_limited', { 'Retry-After': '120' }) });
    const err = await signIn(USER.email, 'whatever', { fetch: srv.fetch }).catch((e: unknown) => e);
    expect((err as ProblemError).status).toBe(429);
    expect((err as ProblemError).retryAfter).toBe(120);
    expect(signInFailure(err)).toEqual({ kind: 'rate_limited', retryAfter: 120 });

    const bare = fakeServer({ 'POST /api/v1/session': () => problem(429, 'rate_limited') });
    const err2 = await signIn(USER.email, 'whatever', { fetch: bare.fetch }).catch((e: unknown) => e);
    expect(signInFailure(err2)).toEqual({ kind: 'rate_limited' });
  });

  it('tells a network failure from a refusal', () => {
    expect(signInFailure(new TypeError('Failed to fetch'))).toEqual({ kind: 'network' });
    const other = new ProblemError(500, { code: 'internal' });
    expect(signInFailure(other)).toEqual({ kind: 'other', error: other });
  });

  it('lists demo personas, and none when the server is not a demo (404)', async () => {
    const personas = [
      { email: 'observer@demo.invalid', name: 'Observateur', role: 'observer' },
      { email: 'amf@demo.invalid', name: 'AMF', role: 'member', organisation: 'AMF' },
      { email: 'auditor@demo.invalid', name: 'Auditeur', role: 'auditor' },
      { email: 'adf@demo.invalid', name: 'ADF', role: 'member', organisation: 'ADF' },
      { email: 'secretariat@demo.invalid', name: 'Secrétariat', role: 'secretariat', organisation: 'MEN-DNE' },
    ];
    const demo = fakeServer({ 'GET /api/v1/session/personas': () => json(200, personas) });
    const list = await fetchPersonas({ fetch: demo.fetch });
    expect(list).toHaveLength(5);
    expect(sortPersonas(list!).map((p) => p.email)).toEqual([
      'secretariat@demo.invalid',
      'adf@demo.invalid',
      'amf@demo.invalid',
      'auditor@demo.invalid',
      'observer@demo.invalid',
    ]);

    const plain = fakeServer({});
    expect(await fetchPersonas({ fetch: plain.fetch })).toBeNull();
    const down = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchPersonas({ fetch: down as typeof fetch })).toBeNull();
  });
});

describe('Session', () => {
  function follow(session: Session) {
    const states: SessionState[] = [];
    stops.push(session.subscribe((s) => states.push(s)));
    return states;
  }

  it('is signed in when the server knows the cookie', async () => {
    const srv = fakeServer({ 'GET /api/v1/session': () => json(200, { user: USER }) });
    const session = new Session({ fetch: srv.fetch });
    const states = follow(session);
    await session.check();
    expect(states).toEqual([{ status: 'checking' }, { status: 'signed-in', user: USER }]);
    expect(session.user).toEqual(USER);
  });

  it('is signed out without a session, signs in, and signs out', async () => {
    let signedIn = false;
    const srv = fakeServer({
      'GET /api/v1/session': () => (signedIn ? json(200, { user: USER }) : problem(401, 'unauthenticated')),
      'POST /api/v1/session/demo': () => {
        signedIn = true;
        return json(200, { user: USER });
      },
      'DELETE /api/v1/session': () => {
        signedIn = false;
        return new Response(null, { status: 204 });
      },
    });
    const session = new Session({ fetch: srv.fetch });
    const states = follow(session);
    await session.check();
    expect(session.state).toEqual({ status: 'signed-out', reason: 'none' });
    await session.signInAsPersona(USER.email);
    expect(session.state).toEqual({ status: 'signed-in', user: USER });
    expect(await session.stillValid()).toBe(true);
    await session.signOut();
    expect(session.state).toEqual({ status: 'signed-out', reason: 'signed-out' });
    expect(await session.stillValid()).toBe(false);
    expect(srv.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/session',
      'POST /api/v1/session/demo',
      'GET /api/v1/session',
      'DELETE /api/v1/session',
      'GET /api/v1/session',
    ]);
    expect(states.map((s) => s.status)).toEqual(['checking', 'signed-out', 'signed-in', 'signed-out']);
  });

  it('goes back to sign-in when a call is answered 401 mid-session', async () => {
    let expired = false;
    const srv = fakeServer({
      'GET /api/v1/session': () => json(200, { user: USER }),
      'GET /api/v1/views/organisations': () => (expired ? problem(401, 'unauthenticated') : json(200, { position: 1, items: [] })),
      'POST /api/v1/membership/add-organisation': () => problem(401, 'unauthenticated'),
    });
    const session = new Session({ fetch: srv.fetch });
    stops.push(onUnauthenticated(() => session.expire()));
    await session.check();
    await readView('organisations', { fetch: srv.fetch });
    expect(session.state.status).toBe('signed-in');

    expired = true;
    const err = await readView('organisations', { fetch: srv.fetch }).catch((e: unknown) => e);
    expect((err as ProblemError).status).toBe(401);
    expect(session.state).toEqual({ status: 'signed-out', reason: 'expired' });

    // Expiring again, or a 401 on a command while signed out, changes nothing.
    await postCommand('membership/add-organisation', {}, 'k', { fetch: srv.fetch }).catch(() => {});
    expect(session.state).toEqual({ status: 'signed-out', reason: 'expired' });
  });

  it('notices an expired session on the next check', async () => {
    let valid = true;
    const srv = fakeServer({
      'GET /api/v1/session': () => (valid ? json(200, { user: USER }) : problem(401, 'unauthenticated')),
    });
    const session = new Session({ fetch: srv.fetch });
    await session.check();
    valid = false;
    await session.check();
    expect(session.state).toEqual({ status: 'signed-out', reason: 'expired' });
  });

  it('shows the sign-in page, saying so, when the server cannot be reached', async () => {
    const down = async () => {
      throw new TypeError('Failed to fetch');
    };
    const session = new Session({ fetch: down as typeof fetch });
    await session.check();
    expect(session.state).toEqual({ status: 'signed-out', reason: 'unreachable' });
    expect(await session.stillValid()).toBeUndefined();
  });

  it('stays signed out after a refused sign-in', async () => {
    const srv = fakeServer({
      'GET /api/v1/session': () => problem(401, 'unauthenticated'),
      'POST /api/v1/session': () => problem(429, 'rate_limited', { 'Retry-After': '30' }),
    });
    const session = new Session({ fetch: srv.fetch });
    await session.check();
    const err = await session.signIn(' Secretariat@demo.invalid ', 'x').catch((e: unknown) => e);
    expect(signInFailure(err)).toEqual({ kind: 'rate_limited', retryAfter: 30 });
    expect(session.state).toEqual({ status: 'signed-out', reason: 'none' });
    expect(srv.calls[1]!.body).toEqual({ email: 'Secretariat@demo.invalid', password: 'x' });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-11-23T12:00:00Z');
    expect(parseRetryAfter('90', now)).toBe(90);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 23 Nov 2025 12:02:00 GMT', now)).toBe(120);
    expect(parseRetryAfter('Sun, 23 Nov 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('OpenID Connect sign-in', () => {
  it('offers the provider the server describes', async () => {
    const srv = fakeServer({
      'GET /api/v1/session/oidc': () => json(200, { enabled: true, label: ' Partenaires SSO ' }),
    });
    expect(await fetchOidcProvider({ fetch: srv.fetch })).toEqual({
      label: 'Partenaires SSO',
      loginUrl: '/api/v1/session/oidc/login',
    });
    expect(OIDC_LOGIN).toBe('/api/v1/session/oidc/login');
    expect(srv.calls).toEqual([{ method: 'GET', url: '/api/v1/session/oidc', body: undefined }]);
  });

  it('offers nothing when the server has no provider, answers oddly or cannot be reached', async () => {
    expect(await fetchOidcProvider({ fetch: fakeServer({}).fetch })).toBeNull();
    const odd = fakeServer({ 'GET /api/v1/session/oidc': () => json(200, { enabled: false, label: 'x' }) });
    expect(await fetchOidcProvider({ fetch: odd.fetch })).toBeNull();
    const garbled = fakeServer({
      'GET /api/v1/session/oidc': () => new Response('<html>', { status: 200, headers: { 'Content-Type': 'text/html' } }),
    });
    expect(await fetchOidcProvider({ fetch: garbled.fetch })).toBeNull();
    const down = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    expect(await fetchOidcProvider({ fetch: down })).toBeNull();
  });

  it('keeps an empty label empty, for the page to name the provider itself', async () => {
    const srv = fakeServer({ 'GET /api/v1/session/oidc': () => json(200, { enabled: true }) });
    expect(await fetchOidcProvider({ fetch: srv.fetch })).toEqual({ label: '', loginUrl: OIDC_LOGIN });
  });

  it('takes the sign-in error out of the address', () => {
    expect(takeSignInError('https://comite.example/?signin_error=oidc_role')).toEqual({
      error: 'oidc_role',
      cleanHref: '/',
    });
    expect(takeSignInError('https://comite.example/?lang=en&signin_error=account_disabled#top')).toEqual({
      error: 'account_disabled',
      cleanHref: '/?lang=en#top',
    });
    expect(takeSignInError('https://comite.example/?signin_error=%3Cscript%3E')).toEqual({
      error: 'unknown',
      cleanHref: '/',
    });
    expect(takeSignInError('https://comite.example/')).toBeNull();
    expect(takeSignInError('not a url')).toBeNull();
  });
});
