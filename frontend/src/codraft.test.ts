import { describe, expect, it } from 'vitest';
import { ChangeSet, EditorState, Text, type Transaction } from '@codemirror/state';
import { collab } from '@codemirror/collab';
import { Codraft, CodraftRefused, type CodraftStatus, type PushBody, type UpdateRow } from './codraft';

/** A fake central authority: accepts pushes at its version only, echoes rows to everyone. */
class FakeServer {
  doc: Text;
  rows: UpdateRow[] = [];
  clients: Codraft[] = [];
  down = new Set<string>();
  constructor(text: string) {
    this.doc = Text.of(text.split('\n'));
  }
  push = (from: string) => async (b: PushBody): Promise<'ok' | 'conflict'> => {
    await Promise.resolve();
    if (this.down.has(from)) throw new TypeError('Failed to fetch');
    if (b.version !== this.rows.length) return 'conflict';
    for (const json of b.changes) {
      this.doc = ChangeSet.fromJSON(json).apply(this.doc);
      const version = this.rows.length + 1;
      this.rows.push({ id: `o/${version}`, version, client_id: b.client_id, changes: json });
    }
    // Echo, a little later, to every connected client (the live view).
    setTimeout(() => this.deliver(), 1);
    return 'ok';
  };
  deliver() {
    for (const c of this.clients) c.receive(this.rows);
  }
}

function editor(server: FakeServer, name: string, statuses: CodraftStatus[] = []) {
  let state = EditorState.create({ doc: server.doc.toString(), extensions: [collab({ startVersion: server.rows.length, clientID: name })] });
  const host = { state: () => state, apply: (tr: Transaction) => void (state = tr.state) };
  const c = new Codraft({ opinionId: 'o', clientID: name, host, push: server.push(name), onStatus: (s) => statuses.push(s), batchDelayMs: 5, retryMs: 30, echoWaitMs: 200 });
  server.clients.push(c);
  return {
    c,
    text: () => state.doc.toString(),
    type(pos: number, insert: string) {
      state = state.update({ changes: { from: Math.min(pos, state.doc.length), insert } }).state;
      c.changed();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(fn: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

describe('Codraft', () => {
  it('converges two editors typing at once, batching keystrokes', async () => {
    const server = new FakeServer('Le comité.');
    const a = editor(server, 'a');
    const b = editor(server, 'b');
    const words = ['alpha', 'beta', 'gamma', 'delta', 'émoji😀', '协作'];
    for (let i = 0; i < 30; i++) {
      a.type(i % 7, words[i % words.length][0]);
      b.type(100, words[(i + 3) % words.length]);
      if (i % 5 === 0) await sleep(3);
    }
    await until(() => a.c.unconfirmed() === 0 && b.c.unconfirmed() === 0 && a.text() === server.doc.toString() && b.text() === server.doc.toString());
    expect(a.text()).toBe(b.text());
    expect(a.text()).toContain('émoji😀');
    // Batched: far fewer pushes than keystrokes.
    expect(a.c.pushes + b.c.pushes).toBeLessThan(60);
    expect(a.c.status()).toEqual({ kind: 'saved' });
  });

  it('keeps typing offline and pushes the rebased changes on reconnect', async () => {
    const server = new FakeServer('Texte initial.');
    const statuses: CodraftStatus[] = [];
    const a = editor(server, 'a', statuses);
    const b = editor(server, 'b');
    server.down.add('a');
    a.c.connection(false);
    a.type(0, 'HORS-LIGNE ');
    a.type(0, 'encore ');
    b.type(100, ' EN-LIGNE');
    await until(() => b.c.unconfirmed() === 0);
    await sleep(50);
    expect(a.c.status()).toEqual({ kind: 'offline', n: 2 });
    expect(server.doc.toString()).not.toContain('HORS-LIGNE');
    server.down.delete('a');
    a.c.connection(true);
    server.deliver(); // the resubscription brings what was missed
    await until(() => a.c.unconfirmed() === 0 && a.text() === server.doc.toString() && b.text() === server.doc.toString());
    expect(server.doc.toString()).toContain('encore HORS-LIGNE');
    expect(server.doc.toString()).toContain('EN-LIGNE');
    expect(statuses.map((s) => s.kind)).toContain('offline');
    expect(a.c.status()).toEqual({ kind: 'saved' });
  });

  it('applies rows in version order and ignores those it has', async () => {
    const server = new FakeServer('abc');
    const a = editor(server, 'a');
    const rows: UpdateRow[] = [
      { id: 'o/2', version: 2, client_id: 'x', changes: ChangeSet.of({ from: 4, insert: '2' }, 4).toJSON() },
      { id: 'o/1', version: 1, client_id: 'x', changes: ChangeSet.of({ from: 3, insert: '1' }, 3).toJSON() },
    ];
    a.c.receive([rows[0]]);
    expect(a.text()).toBe('abc');
    a.c.receive(rows);
    expect(a.text()).toBe('abc12');
    a.c.receive(rows);
    expect(a.text()).toBe('abc12');
  });

  it('stops pushing on a refusal and says so', async () => {
    const server = new FakeServer('x');
    const a = editor(server, 'a');
    (a.c as unknown as { o: { push: unknown } }).o.push = async () => {
      throw new CodraftRefused('forbidden');
    };
    a.type(0, 'y');
    await until(() => a.c.status().kind === 'refused');
    expect(a.c.status()).toEqual({ kind: 'refused', n: 1, message: 'forbidden' });
  });
});
