// Co-drafting in the browser (issue 7, must-hold 3): two members of the demo draft's
// drafting group (AMF, ADF) type in its CodeMirror editor at the same time, at different
// places; both editors end with the same text, holding both users' words, equal to the
// server's. A third member (ARF) opening it afterwards sees it all. Then ADF loses the
// connection (the context goes offline and its live socket is cut), types, AMF types too;
// ADF comes back and everyone converges on a text holding every word. The page with the
// editor passes axe in French and English.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { apiFetch, eventually, openApp, statusText } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const DRAFT = /Recommandation pour une gouvernance concertée du service public du numérique éducatif/;
const EDITOR = '[data-testid="codraft-editor"]';

/** Opens the draft's record as `as` and waits for its editor. */
async function openDraft(env, as, beforeGoto) {
  const app = await openApp(env.browser, env.server.url, { as, hash: '#/opinions', beforeGoto });
  const { page } = app;
  await page.locator('section.op-list[data-loaded="true"]').waitFor({ timeout: 20_000 });
  await page.locator('[data-testid="opinion-row"] a', { hasText: DRAFT }).click();
  await page.locator(`${EDITOR} .cm-content`).waitFor({ timeout: 10_000 });
  app.id = await page.locator('section.op-detail').getAttribute('data-id');
  return app;
}

/** The editor's text and its number of unconfirmed updates. */
function editorState(page) {
  return page.locator(EDITOR).evaluate((el) => ({ text: el.codraft.text(), unconfirmed: el.codraft.unconfirmed() }));
}

/** Puts the caret at the start (home) or the end of the editor's text. */
async function caret(page, where) {
  await page.locator(`${EDITOR} .cm-content`).click();
  await page.keyboard.press(where === 'start' ? 'Control+Home' : 'Control+End');
}

/** Waits until every page's editor shows the server's text with nothing pending; returns it. */
async function converged(pages, id, words) {
  let text = '';
  await eventually(
    async () => {
      const read = await apiFetch(pages[0], 'GET', `/api/v1/views/opinion-details/${id}`);
      text = read.body.item.text;
      for (const p of pages) {
        const s = await editorState(p);
        if (s.unconfirmed !== 0 || s.text !== text) return false;
      }
      return words.every((w) => text.includes(w));
    },
    { timeout: 20_000, interval: 200, message: 'editors converge on the server text with every word' },
  );
  return text;
}

describe('co-drafting in the browser (demo server)', { timeout: 120_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('two members type at once, a third joins, one goes offline and comes back: same text everywhere', async () => {
    // ADF's live socket goes through a route the test can cut (Chromium keeps an open
    // websocket when the context goes offline).
    const net = { allow: true, sockets: [] };
    const amf = await openDraft(env, 'amf@demo.invalid');
    const adf = await openDraft(env, 'adf@demo.invalid', (page) =>
      page.routeWebSocket(/\/api\/v1\/live$/, (ws) => {
        if (!net.allow) {
          ws.close({ code: 1006, reason: 'offline' });
          return;
        }
        const server = ws.connectToServer();
        net.sockets.push({ ws, server });
        ws.onMessage((m) => server.send(m));
        server.onMessage((m) => ws.send(m));
      }),
    );
    const apps = [amf, adf];
    let arf;
    try {
      const id = amf.id;
      assert.equal(await amf.page.locator('[data-testid="codraft-status"]').innerText(), 'Enregistré');
      assert.equal(await amf.page.locator(`${EDITOR} .cm-content`).getAttribute('aria-label'), 'Texte du projet, rédigé à plusieurs');

      // Presence: each sees the other in the text, and ADF's cursor, named, in AMF's editor.
      const orgIds = Object.fromEntries(
        (await apiFetch(amf.page, 'GET', '/api/v1/views/organisations')).body.items.map((o) => [o.acronym, o.id]),
      );
      const present = (page) => page.locator('[data-testid="presence-list"] li').evaluateAll((lis) => lis.map((li) => li.dataset.org));
      await eventually(async () => (await present(amf.page)).includes(orgIds.ADF), { message: 'AMF sees ADF in the text' });
      await eventually(async () => (await present(adf.page)).includes(orgIds.AMF), { message: 'ADF sees AMF in the text' });

      // Both type at once, AMF at the start, ADF at the end.
      await caret(amf.page, 'start');
      await caret(adf.page, 'end');
      await amf.page.locator('.cm-remote-caret', { hasText: 'ADF' }).waitFor({ timeout: 10_000 });
      const w1 = ['amfΩcoécrit ', 'amf协作 '];
      const w2 = [' adfdeuxième😀', ' adfﬁnal'];
      await Promise.all([
        amf.page.keyboard.type(w1.join(''), { delay: 25 }),
        adf.page.keyboard.type(w2.join(''), { delay: 25 }),
      ]);
      const words = [...w1, ...w2].map((w) => w.trim());
      const first = await converged([amf.page, adf.page], id, words);
      assert.ok(first.startsWith('amfΩcoécrit amf协作 '), first.slice(0, 60));
      assert.ok(first.endsWith(' adfdeuxième😀 adfﬁnal'), first.slice(-60));
      assert.equal(await adf.page.locator('[data-testid="codraft-status"]').innerText(), 'Enregistré');

      // A third member opens it afterwards and sees it all, and who is there.
      arf = await openDraft(env, 'arf@demo.invalid');
      await eventually(async () => {
        const here = await present(arf.page);
        return here.includes(orgIds.AMF) && here.includes(orgIds.ADF);
      }, { message: 'ARF hears who is in the text' });
      apps.push(arf);
      assert.equal((await editorState(arf.page)).text, first);

      // ADF goes offline: no HTTP, and its live socket is cut.
      net.allow = false;
      await adf.context.setOffline(true);
      for (const { ws, server } of net.sockets.splice(0)) {
        await server.close().catch(() => {});
        await ws.close({ code: 1001, reason: 'offline' }).catch(() => {});
      }
      await eventually(async () => (await statusText(adf.page)) !== 'En direct', { message: 'ADF socket cut' });
      await caret(adf.page, 'end');
      await adf.page.keyboard.type(' adfhorsligne', { delay: 15 });
      await caret(amf.page, 'start');
      await amf.page.keyboard.type('amfpendant ', { delay: 15 });
      await eventually(
        async () =>
          (await adf.page.locator('[data-testid="codraft-status"]').innerText()) ===
          'Hors ligne : vos modifications seront envoyées au retour de la connexion',
        { message: 'offline status line' },
      );
      assert.ok((await editorState(adf.page)).unconfirmed > 0);
      const server1 = (await apiFetch(amf.page, 'GET', `/api/v1/views/opinion-details/${id}`)).body.item.text;
      assert.ok(!server1.includes('adfhorsligne'), 'offline typing stayed local');

      // Back online: ADF's changes are rebased and pushed; everyone converges.
      net.allow = true;
      await adf.context.setOffline(false);
      await eventually(async () => (await statusText(adf.page)) === 'En direct', { message: 'ADF live again' });
      const all = [...words, 'adfhorsligne', 'amfpendant'];
      const merged = await converged([amf.page, adf.page, arf.page], id, all);
      assert.ok(merged.startsWith('amfpendant amfΩcoécrit'), merged.slice(0, 60));
      assert.ok(merged.endsWith(' adfﬁnal adfhorsligne'), merged.slice(-60));
      assert.equal(await adf.page.locator('[data-testid="codraft-status"]').innerText(), 'Enregistré');

      // Who wrote what: each member's words are coloured as theirs, from the log's changes.
      const orgs = (await apiFetch(amf.page, 'GET', '/api/v1/views/organisations')).body.items;
      const orgOf = (acronym) => orgs.find((o) => o.acronym === acronym).id;
      await amf.page.locator('#op-authors').check();
      const authored = amf.page.locator('[data-testid="authors-text"]');
      await eventually(async () => (await authored.innerText()) === merged, { message: 'the coloured text is the text' });
      // The organisations of the passages a word spans (one change per keystroke batch).
      const writerOf = async (word) =>
        authored.evaluate((el, w) => {
          const spans = [...el.querySelectorAll('span')].map((s) => [s.textContent, s.dataset.org]);
          const at = spans.map(([t]) => t).join('').indexOf(w);
          const orgs = new Set();
          let pos = 0;
          for (const [t, org] of spans) {
            if (pos < at + w.length && pos + t.length > at) orgs.add(org);
            pos += t.length;
          }
          return [...orgs].join(',');
        }, word);
      assert.equal(await writerOf('adfhorsligne'), orgOf('ADF'));
      assert.equal(await writerOf('amfpendant'), orgOf('AMF'));
      const legend = await amf.page.locator('[data-testid="authors-legend"] li').evaluateAll((lis) => lis.map((li) => li.dataset.org));
      assert.ok(legend.includes(orgOf('ADF')) && legend.includes(orgOf('AMF')), JSON.stringify(legend));
      // Compare the first version with the last: the members' words are additions.
      await amf.page.locator('[data-testid="compare-from"]').selectOption('1');
      const inserted = await amf.page.locator('[data-testid="compare-inline"] ins').allInnerTexts();
      assert.ok(inserted.some((w) => w.includes('adfhorsligne')) && inserted.some((w) => w.includes('amfpendant')), JSON.stringify(inserted));

      // axe on the page with the editor, in French then English.
      assert.deepEqual(await axe(amf.page), [], 'editor, French');
      await amf.page.getByRole('button', { name: 'English' }).click();
      await amf.page.locator('[data-testid="codraft-status"]', { hasText: 'Saved' }).waitFor();
      assert.equal(await amf.page.locator(`${EDITOR} .cm-content`).getAttribute('aria-label'), 'Draft text, written together');
      assert.deepEqual(await axe(amf.page), [], 'editor, English');
      for (const a of apps) assert.deepEqual(a.errors, []);
    } finally {
      for (const a of apps) await a.context.close();
    }
  });
});
