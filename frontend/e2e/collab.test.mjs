// Co-drafting over the wire (issue 7, must-hold 2): several members of the demo draft's
// drafting group run the real @codemirror/collab client against a real server. Each
// reads opinion-details (text, version, position P), follows opinion-updates:<id> live
// from P, types concurrently (accents, emoji, CJK), pushes its sendable updates with
// push-changes (on 409 version_mismatch it waits for the pulled updates, then pushes
// again), and applies the updates it receives in version order. At the end every
// editor's document is the server's text and holds every word anyone typed.
// No browser: Node runs @codemirror/state and @codemirror/collab as the editor will.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { ChangeSet, EditorState } from '@codemirror/state';
import { collab, getSyncedVersion, receiveUpdates, sendableUpdates } from '@codemirror/collab';
import { readBody, startServer } from './server.mjs';

const DRAFT_TITLE = 'Recommandation pour une gouvernance concertée du service public du numérique éducatif';
// Members of the governance group (lead AMF; ADF, ARF, AMRF, MEN-DNE), MEN-DNE being the
// secretariat's organisation.
const PERSONAS = ['amf@demo.invalid', 'adf@demo.invalid', 'arf@demo.invalid', 'secretariat@demo.invalid'];
// Pieces of the typed words: accents, emoji (surrogate pairs, a flag of two), CJK.
const PIECES = ['é', 'à', 'ç', 'Ω', '🇫🇷', '😀', '协作', '文', 'ü', 'ﬁ', 'x'];

let server;
let sessions;
let draftID;

/** A seeded PRNG (mulberry32), so that a failing round can be replayed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function signIn(email) {
  const res = await fetch(`${server.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: server.url },
    body: JSON.stringify({ email, password: server.demoPassword }),
  });
  assert.equal(res.status, 200, `sign-in of ${email}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  assert.ok(cookie, `no session cookie for ${email}`);
  return { email, cookie };
}

async function api(session, method, path, body) {
  const headers = { Accept: 'application/json', Cookie: session.cookie, Origin: server.url };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Idempotency-Key'] = randomUUID();
  }
  const res = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await readBody(res) };
}

async function details(session) {
  const res = await api(session, 'GET', `/api/v1/views/opinion-details/${draftID}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** Is UTF-16 offset pos inside a surrogate pair of s? */
function splitsPair(s, pos) {
  if (pos <= 0 || pos >= s.length) return false;
  const c = s.charCodeAt(pos - 1);
  return c >= 0xd800 && c <= 0xdbff;
}

/** Is pos inside a typed word (between its ⟦ and ⟧)? */
function insideWord(s, pos) {
  return s.lastIndexOf('⟦', pos - 1) > s.lastIndexOf('⟧', pos - 1);
}

/**
 * One editor: its own session, websocket and EditorState with collab. It follows
 * opinion-updates:<id> from the position it read the text at; connect(true) resumes from
 * the last position it saw.
 */
class Editor {
  constructor(session, name, rand) {
    this.session = session;
    this.name = name;
    this.rand = rand;
    this.clientID = `${name}-${randomUUID().slice(0, 8)}`;
    this.pending = new Map(); // version → row received, not yet applied
    this.words = [];
    this.waiters = [];
    this.pushes = 0;
    this.conflicts = 0;
  }

  async open() {
    const d = await details(this.session);
    this.state = EditorState.create({
      doc: d.item.text,
      extensions: [collab({ startVersion: d.item.version, clientID: this.clientID })],
    });
    this.position = d.position;
    await this.connect();
  }

  connect(resuming = false) {
    const since = this.position;
    let first = true;
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/live`, {
      headers: { Cookie: this.session.cookie, Origin: server.url },
    });
    this.ws = ws;
    const view = `opinion-updates:${draftID}`;
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', view, since })));
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString());
        if (m.type === 'error') {
          reject(new Error(`${this.name}: ${m.code} ${m.message}`));
          return;
        }
        if (m.view !== view) return;
        if (first && resuming) {
          // Resuming from a position of this very view: exactly the missed changes.
          try {
            assert.equal(m.type, 'patch', `${this.name} resumed from ${since}`);
            for (const row of m.items) assert.ok(row.position > since, `${this.name} resumed from ${since}, got ${row.position}`);
          } catch (err) {
            reject(err);
            return;
          }
          this.missed = m.items.length;
        }
        first = false;
        for (const row of m.items) {
          if (!row.removed) this.pending.set(row.version, row);
        }
        this.position = Math.max(this.position, m.position);
        this.receive();
        resolve();
      });
    });
  }

  /** Applies the received updates that follow the synced version, in version order. */
  receive() {
    let version = getSyncedVersion(this.state);
    for (const v of this.pending.keys()) if (v <= version) this.pending.delete(v); // already seen
    const run = [];
    while (this.pending.has(version + 1)) {
      run.push(this.pending.get(version + 1));
      this.pending.delete(++version);
    }
    if (run.length) {
      const updates = run.map((u) => ({ changes: ChangeSet.fromJSON(u.changes), clientID: u.client_id }));
      this.state = receiveUpdates(this.state, updates).state;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves at the next received update, or after ms. */
  changed(ms = 200) {
    return new Promise((r) => {
      this.waiters.push(r);
      setTimeout(r, ms);
    });
  }

  /** One keystroke-sized edit at a random place: insert a new word, or delete a little. */
  type() {
    const doc = this.state.doc.toString();
    const r = this.rand;
    let pos = Math.floor(r() * (doc.length + 1));
    for (let i = 0; i < 20 && (splitsPair(doc, pos) || insideWord(doc, pos)); i++) pos = Math.floor(r() * (doc.length + 1));
    if (splitsPair(doc, pos) || insideWord(doc, pos)) return;
    if (r() < 0.25 && pos < doc.length) {
      // Delete a few characters of the text that are no one's word, never half a pair.
      let to = Math.min(doc.length, pos + 1 + Math.floor(r() * 4));
      while (to > pos && (splitsPair(doc, to) || /[⟦⟧]/.test(doc.slice(pos, to)))) to--;
      if (to > pos) this.state = this.state.update({ changes: { from: pos, to } }).state;
      return;
    }
    const n = this.words.length;
    let word = `⟦${this.name}${n}`;
    for (let i = 0, k = 1 + Math.floor(r() * 3); i < k; i++) word += PIECES[Math.floor(r() * PIECES.length)];
    word += '⟧';
    this.words.push(word);
    this.state = this.state.update({ changes: { from: pos, insert: word } }).state;
  }

  /** Pushes the sendable updates until there are none left and typing is over. */
  async pushLoop(typing) {
    for (;;) {
      const updates = sendableUpdates(this.state).slice(0, 100);
      if (!updates.length) {
        if (!typing.active) return;
        await sleep(5);
        continue;
      }
      const version = getSyncedVersion(this.state);
      const res = await api(this.session, 'POST', '/api/v1/opinions/push-changes', {
        opinion_id: draftID,
        version,
        client_id: this.clientID,
        changes: updates.map((u) => u.changes.toJSON()),
      });
      this.pushes++;
      if (res.status === 409 && res.body.code === 'version_mismatch') {
        // Another editor got there first: wait for its updates, rebase, push again.
        this.conflicts++;
        while (getSyncedVersion(this.state) === version) await this.changed();
        continue;
      }
      assert.ok(res.status >= 200 && res.status < 300, `${this.name} push at ${version}: ${res.status} ${JSON.stringify(res.body)}`);
      // Accepted: wait until our updates come back (they confirm them).
      const deadline = Date.now() + 10_000;
      while (getSyncedVersion(this.state) < version + updates.length) {
        assert.ok(Date.now() < deadline, `${this.name}: updates accepted at ${version} never came back`);
        await this.changed();
      }
    }
  }

  close() {
    this.ws.close();
  }
}

async function round(seed, { editors: count, durationMs, reconnect }) {
  const rand = prng(seed);
  const editors = sessions.slice(0, count).map((s, i) => new Editor(s, String.fromCharCode(65 + i), prng(seed * 31 + i)));
  for (const e of editors) await e.open();
  const typing = { active: true };
  const pushers = editors.map((e) => e.pushLoop(typing));
  const typists = editors.map(async (e, i) => {
    const end = Date.now() + durationMs;
    let reconnected = false;
    while (Date.now() < end) {
      e.type();
      await sleep(1 + Math.floor(rand() * 25));
      if (reconnect && i === 0 && !reconnected && Date.now() > end - durationMs / 2) {
        reconnected = true;
        const ws = e.ws;
        await new Promise((r) => {
          ws.once('close', r);
          ws.close();
        });
        // Away from the live updates for a while (typing on, the others too), then
        // resubscribe with since = the last position it saw: the catch-up patch holds
        // exactly the missed changes.
        for (let k = 0; k < 10; k++) {
          e.type();
          await sleep(20);
        }
        await e.connect(true);
      }
    }
  });
  await Promise.all(typists);
  typing.active = false;
  await Promise.all(pushers);
  // Everyone pushed; wait until everyone has every update.
  const d = await details(sessions[0]);
  const deadline = Date.now() + 15_000;
  for (const e of editors) {
    while (getSyncedVersion(e.state) < d.item.version) {
      assert.ok(Date.now() < deadline, `${e.name} stuck at version ${getSyncedVersion(e.state)} < ${d.item.version}`);
      await e.changed();
    }
  }
  const text = (await details(sessions[0])).item.text;
  for (const e of editors) {
    assert.equal(getSyncedVersion(e.state), d.item.version, `${e.name}'s version`);
    assert.equal(sendableUpdates(e.state).length, 0, `${e.name} has unsent updates`);
    assert.equal(e.state.doc.toString(), text, `seed ${seed}: ${e.name}'s document differs from the server's text`);
    for (const w of e.words) assert.ok(text.includes(w), `seed ${seed}: ${e.name}'s word ${w} is not in the text`);
    e.close();
  }
  return {
    version: d.item.version,
    words: editors.reduce((n, e) => n + e.words.length, 0),
    pushes: editors.reduce((n, e) => n + e.pushes, 0),
    conflicts: editors.reduce((n, e) => n + e.conflicts, 0),
    missed: editors[0].missed,
  };
}

before(async () => {
  server = await startServer({ demo: true });
  sessions = [];
  for (const p of PERSONAS) sessions.push(await signIn(p));
  // The demo is seeded in the background: wait for the draft.
  const deadline = Date.now() + 30_000;
  while (!draftID) {
    const res = await api(sessions[0], 'GET', '/api/v1/views/opinions');
    const draft = res.status === 200 && res.body.items.find((o) => o.title === DRAFT_TITLE && o.status === 'draft');
    if (draft) draftID = draft.id;
    else if (Date.now() > deadline) throw new Error(`no demo draft: ${JSON.stringify(res.body).slice(0, 500)}`);
    else await sleep(200);
  }
});

after(async () => {
  await server?.stop();
});

test('co-drafting: editors running @codemirror/collab converge on the server text', { timeout: 90_000 }, async (t) => {
  const rounds = [
    { seed: 1, editors: 2, durationMs: 1500, reconnect: false },
    { seed: 2, editors: 3, durationMs: 2500, reconnect: true },
    { seed: 3, editors: 4, durationMs: 3000, reconnect: true },
    { seed: 4, editors: 4, durationMs: 3000, reconnect: false },
  ];
  for (const r of rounds) {
    const got = await round(r.seed, r);
    t.diagnostic(`seed ${r.seed}: ${r.editors} editors, ${got.words} words, ${got.pushes} pushes (${got.conflicts} conflicts), version ${got.version}` +
        (r.reconnect ? `, ${got.missed} changes caught up after a reconnect` : ''));
  }
});
