import { describe, expect, it } from 'vitest';
import { ProblemError, getJSON, newIdempotencyKey, postCommand, problemMessage, readView, runQuery } from './api';

function reply(status: number, body: unknown, type = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}

describe('postCommand', () => {
  it('sends JSON with an Idempotency-Key and returns the result', async () => {
    const seen: RequestInit[] = [];
    const res = await postCommand('membership/add-organisation', { name: 'AMF', acronym: 'AMF' }, 'k-1', {
      fetch: async (url, init) => {
        expect(url).toBe('/api/v1/membership/add-organisation');
        seen.push(init!);
        return reply(200, { command_id: 'c', position: 42, events: [] });
      },
    });
    expect(res.position).toBe(42);
    expect(seen[0]!.method).toBe('POST');
    expect((seen[0]!.headers as Record<string, string>)['Idempotency-Key']).toBe('k-1');
    expect(JSON.parse(seen[0]!.body as string)).toEqual({ name: 'AMF', acronym: 'AMF' });
  });

  it('retries network failures and overload with the same key', async () => {
    const keys: string[] = [];
    let n = 0;
    const res = await postCommand('membership/add-organisation', {}, 'same-key', {
      retryDelayMs: 1,
      fetch: async (_url, init) => {
        keys.push((init!.headers as Record<string, string>)['Idempotency-Key']!);
        n++;
        if (n === 1) throw new TypeError('Failed to fetch');
        if (n === 2) return reply(503, { status: 503 }, 'application/problem+json');
        return reply(200, { command_id: 'c', position: 1, events: [] });
      },
    });
    expect(res.command_id).toBe('c');
    expect(keys).toEqual(['same-key', 'same-key', 'same-key']);
  });

  it('does not retry a refusal, and carries the problem', async () => {
    let calls = 0;
    const problem = {
      type: 'about:blank',
      title: 'Validation failed',
      status: 422,
      code: 'validation_failed',
      message_fr: 'Le nom est obligatoire.',
      message_en: 'The name is required.',
      fields: { name: 'required' },
    };
    const err = await postCommand('membership/add-organisation', {}, 'k', {
      retryDelayMs: 1,
      fetch: async () => {
        calls++;
        return reply(422, problem, 'application/problem+json');
      },
    }).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).problem.fields).toEqual({ name: 'required' });
    expect(problemMessage((err as ProblemError).problem, 'fr')).toBe('Le nom est obligatoire.');
    expect(problemMessage((err as ProblemError).problem, 'en')).toBe('The name is required.');
  });

  it('gives up after the retries', async () => {
    let calls = 0;
    const err = await postCommand('x', {}, 'k', {
      retries: 1,
      retryDelayMs: 1,
      fetch: async () => {
        calls++;
        return new Response('<html>bad gateway</html>', { status: 502 });
      },
    }).catch((e: unknown) => e);
    expect(calls).toBe(2);
    expect((err as ProblemError).status).toBe(502);
  });
});

describe('problemMessage', () => {
  it('falls back to the other language, then detail and title', () => {
    expect(problemMessage({ message_fr: 'seulement en français' }, 'en')).toBe('seulement en français');
    expect(problemMessage({ detail: 'd', title: 't' }, 'fr')).toBe('d');
    expect(problemMessage({ title: 't' }, 'fr')).toBe('t');
    expect(problemMessage({}, 'fr')).toBeUndefined();
  });
});

describe('readView', () => {
  it('reads items or the single item, and passes min_position', async () => {
    const urls: string[] = [];
    const f = async (url: RequestInfo | URL) => {
      urls.push(String(url));
      return String(url).includes('committee')
        ? reply(200, { position: 3, item: { id: 'c', name: 'Comité' } })
        : reply(200, { position: 9, items: [{ id: 'a' }] });
    };
    expect(await readView('committee', { fetch: f })).toEqual({ position: 3, items: [{ id: 'c', name: 'Comité' }] });
    expect(await readView('organisations', { fetch: f, minPosition: 9 })).toEqual({ position: 9, items: [{ id: 'a' }] });
    expect(await readView('opinion-details:o1', { fetch: f, at: 0 })).toEqual({ position: 9, items: [{ id: 'a' }] });
    expect(await readView('organisations', { fetch: f, at: 12 })).toEqual({ position: 9, items: [{ id: 'a' }] });
    expect(urls).toEqual([
      '/api/v1/views/committee',
      '/api/v1/views/organisations?min_position=9',
      '/api/v1/views/opinion-details/o1?at=0',
      '/api/v1/views/organisations?at=12',
    ]);
  });

  it('treats an empty committee item as no item', async () => {
    const f = async () => reply(200, { position: 0, item: null });
    expect(await readView('committee', { fetch: f })).toEqual({ position: 0, items: [] });
    const g = async () => reply(200, { position: 0, item: { id: '', name: '' } });
    expect(await readView('committee', { fetch: g })).toEqual({ position: 0, items: [] });
  });
});

describe('getJSON', () => {
  it('returns the body, or throws the problem', async () => {
    const f = async (url: RequestInfo | URL) => (String(url).endsWith('/ok') ? reply(200, { items: [1] }) : reply(403, { code: 'forbidden', status: 403 }));
    expect(await getJSON('/api/v1/audit/ok', { fetch: f })).toEqual({ items: [1] });
    await expect(getJSON('/api/v1/audit/no', { fetch: f })).rejects.toMatchObject({ status: 403, problem: { code: 'forbidden' } });
  });
});

describe('runQuery', () => {
  it('posts the parameters to the query of the row and returns the answer, or throws the problem', async () => {
    const calls: { url: string; body: string }[] = [];
    const f = async (url: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(url), body: String(init?.body) });
      return String(url).includes('missing')
        ? reply(404, { code: 'not_found', status: 404 })
        : reply(200, { simulation: true });
    };
    expect(await runQuery('recount', 'c 1', { min_participation: 40 }, { fetch: f })).toEqual({ simulation: true });
    expect(calls[0]).toEqual({ url: '/api/v1/queries/recount/c%201', body: '{"min_participation":40}' });
    await expect(runQuery('recount', 'missing', {}, { fetch: f })).rejects.toMatchObject({ status: 404, problem: { code: 'not_found' } });
  });
});

describe('newIdempotencyKey', () => {
  it('makes distinct version 4 UUIDs', () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});
