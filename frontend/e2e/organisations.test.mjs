// The page lists the demo committee's organisations in French; the English switch
// translates the interface and is remembered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acronyms, openApp, statusText } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

describe('organisations page (demo server)', { timeout: 120_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('lists the 11 demo organisations in French', async () => {
    const { page, context, errors } = await openApp(env.browser, env.server.url);
    try {
      assert.equal(await page.getAttribute('html', 'lang'), 'fr');
      assert.match(await page.locator('h1').innerText(), /Comité des partenaires du numérique pour l.éducation/);
      assert.equal(await page.locator('#orgs-title').innerText(), 'Organisations membres');
      assert.equal(await page.locator('[data-testid="orgs-count"]').innerText(), '11 organisations');

      const rows = page.locator('table tbody tr');
      assert.equal(await rows.count(), 11);
      const list = await acronyms(page);
      assert.equal(new Set(list).size, 11, `no organisation twice: ${list}`);
      for (const a of ['AMF', 'AMRF', 'ADF', 'CDC', 'VI', 'MEN-DNE']) assert.ok(list.includes(a), `${a} in ${list}`);

      const amf = rows.filter({ has: page.locator('th', { hasText: /^AMF$/ }) });
      assert.match(await amf.innerText(), /Association des Maires de France/);
      assert.match(await amf.innerText(), /Association d’élus/);
      assert.equal(await amf.locator('a').getAttribute('href'), 'https://www.amf.asso.fr/');

      const cdc = rows.filter({ hasText: 'Caisse des Dépôts' });
      assert.equal(await cdc.count(), 1);
      assert.match(await cdc.innerText(), /Opérateur public/);

      // The joint secretariat is flagged in the list and named in the summary.
      const secretariat = rows.filter({ hasText: 'Secrétariat' });
      assert.equal(await secretariat.count(), 1);
      assert.match(await secretariat.innerText(), /MEN-DNE/);
      assert.match(await page.locator('.facts').innerText(), /Direction du numérique pour l.éducation/);

      // Column headers and kinds are French.
      assert.deepEqual(await page.locator('table thead th').allInnerTexts(), ['Sigle', 'Nom', 'Type', 'Site web']);
      assert.ok((await page.locator('table tbody td', { hasText: 'Ministère' }).count()) >= 2);
      assert.match(await page.title(), /^Organisations — Comité des partenaires du numérique pour l.éducation — Comité$/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('switches to English, remembers it, and switches back', async () => {
    const { page, context } = await openApp(env.browser, env.server.url);
    try {
      await page.getByRole('button', { name: 'English' }).click();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('#orgs-title').innerText(), 'Member organisations');
      assert.equal(await page.locator('[data-testid="orgs-count"]').innerText(), '11 organisations');
      assert.deepEqual(await page.locator('table thead th').allInnerTexts(), ['Acronym', 'Name', 'Kind', 'Website']);
      const cdc = page.locator('table tbody tr', { hasText: 'Caisse des Dépôts' });
      assert.match(await cdc.innerText(), /Public operator/);
      assert.ok((await page.locator('table tbody td', { hasText: 'Elected officials’ association' }).count()) >= 7);
      assert.equal(await page.locator('#add-org-title').innerText(), 'Add an organisation');
      assert.equal(await statusText(page), 'Live');
      // The committee's own name is data, not interface: it stays French.
      assert.match(await page.locator('h1').innerText(), /Comité des partenaires/);

      await page.reload();
      await page.locator('section.orgs[data-loaded="true"]').waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('#orgs-title').innerText(), 'Member organisations');

      await page.getByRole('button', { name: 'Français' }).click();
      assert.equal(await page.getAttribute('html', 'lang'), 'fr');
      assert.equal(await page.locator('#orgs-title').innerText(), 'Organisations membres');
      assert.equal(await statusText(page), 'En direct');
    } finally {
      await context.close();
    }
  });
});
