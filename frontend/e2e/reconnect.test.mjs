// Must-hold 2 of the live workspace: the websocket is cut while events happen; on
// reconnect the page shows every one of them, none twice, and the server sent exactly
// what was missed (a catch-up patch from the last position, not a fresh snapshot).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acronyms, apiPost, eventually, openApp, statusText } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const ADD = '/api/v1/membership/add-organisation';

describe('reconnecting after a cut', { timeout: 120_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('shows every event that happened while the socket was cut, once', async () => {
    // The page's websocket goes through a route that relays to the real server, so the
    // test can cut it (as the server or the network would) and hold reconnections.
    const sockets = [];
    let allowReconnect = true;
    const fromServer = []; // messages the server sent, per connection
    const fromPage = [];
    const servers = [];
    const { page, context, errors } = await openApp(env.browser, env.server.url, {
      beforeGoto: (page) =>
        page.routeWebSocket(/\/api\/v1\/live$/, (ws) => {
          if (!allowReconnect) {
            ws.close({ code: 1006, reason: 'cut by the test' });
            return;
          }
          const n = sockets.length;
          sockets.push(ws);
          fromServer[n] = [];
          fromPage[n] = [];
          const server = ws.connectToServer();
          servers.push(server);
          ws.onMessage((m) => {
            fromPage[n].push(JSON.parse(m));
            server.send(m);
          });
          server.onMessage((m) => {
            fromServer[n].push(JSON.parse(m));
            ws.send(m);
          });
        }),
    });
    const sender = await openApp(env.browser, env.server.url);
    try {
      await eventually(async () => (await statusText(page)) === 'En direct', { message: 'live' });
      await page.evaluate(() => {
        window.__marker = 'no-reload';
      });
      const before = await acronyms(page);
      assert.equal(before.length, 11);

      // Cut: the page sees its socket closed, and its reconnections are refused for now.
      allowReconnect = false;
      const lastSeen = Math.max(...fromServer[0].filter((m) => m.view === 'organisations').map((m) => m.position));
      await servers[0].close();
      await sockets[0].close({ code: 1001, reason: 'going away' });
      await eventually(async () => (await statusText(page)) !== 'En direct', { message: 'status leaves « En direct »' });

      const added = ['RECO1', 'RECO2', 'RECO3'];
      for (const acronym of added) {
        const res = await apiPost(sender.page, ADD, { name: `Organisation ${acronym}`, acronym, kind: 'other' });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
      // Nothing arrives while cut.
      assert.deepEqual(await acronyms(page), before);

      allowReconnect = true;
      await eventually(async () => (await statusText(page)) === 'En direct', { timeout: 30_000, message: 'live again' });
      await eventually(async () => (await acronyms(page)).length === 14, { message: '14 organisations' });
      const after = await acronyms(page);
      for (const a of [...before, ...added]) assert.equal(after.filter((x) => x === a).length, 1, `${a} once in ${after}`);
      assert.equal(after.length, 14);

      // The resubscription asked from the last position and got just the missed rows.
      const last = sockets.length - 1;
      assert.ok(last >= 1, 'a second connection was made');
      const sub = fromPage[last].find((m) => m.type === 'subscribe' && m.view === 'organisations');
      assert.equal(sub.since, lastSeen, 'resubscribed with the last position it had');
      const reply = fromServer[last].find((m) => m.view === 'organisations');
      assert.equal(reply.type, 'patch', 'a catch-up patch, not a fresh snapshot');
      assert.deepEqual(
        reply.items.map((r) => r.acronym).sort(),
        added,
        'exactly the rows changed while cut',
      );
      assert.equal(await page.evaluate(() => window.__marker), 'no-reload');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await sender.context.close();
    }
  });
});
