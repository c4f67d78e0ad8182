// With the page open, organisations added through the API or the form appear without a
// reload; a refused command shows the server's message next to the field. Commands need a
// session: the tests send them from a signed-in page, with its cookie and its Origin.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { acronyms, apiPost, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const ADD = '/api/v1/membership/add-organisation';

describe('live updates (demo committee)', { timeout: 120_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('shows an organisation added through the HTTP API without reloading', async () => {
    const { page, context, errors } = await openApp(env.browser, env.server.url);
    // Another signed-in tab sends the commands, as another client of the API would.
    const sender = await openApp(env.browser, env.server.url);
    try {
      assert.equal(await page.locator('[data-testid="orgs-count"]').innerText(), '11 organisations');
      await page.locator('#connection-status', { hasText: 'En direct' }).waitFor();
      await page.evaluate(() => {
        window.__marker = 'still-here';
      });

      const key = randomUUID();
      const body = { name: 'Réseau Canopé', acronym: 'CANOPE', kind: 'public_operator', website: 'https://www.reseau-canope.fr' };
      const res = await apiPost(sender.page, ADD, body, key);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.position > 0, 'the reply carries the global position');

      const row = page.locator('table tbody tr', { hasText: 'Réseau Canopé' });
      await row.waitFor({ timeout: 10_000 });
      assert.match(await row.innerText(), /CANOPE/);
      assert.match(await row.innerText(), /Opérateur public/);
      assert.equal(await page.locator('[data-testid="orgs-count"]').innerText(), '12 organisations');

      // Retrying the same request with the same key changes nothing.
      const again = await apiPost(sender.page, ADD, body, key);
      assert.equal(again.status, 200, JSON.stringify(again.body));

      const second = await apiPost(sender.page, ADD, {
        name: 'Centre pour l’éducation aux médias et à l’information',
        acronym: 'CLEMI',
        kind: 'public_operator',
      });
      assert.equal(second.status, 200, JSON.stringify(second.body));
      await page.locator('table tbody tr', { hasText: 'Centre pour l’éducation aux médias' }).waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('[data-testid="orgs-count"]').innerText(), '13 organisations');
      const list = await acronyms(page);
      for (const a of ['CANOPE', 'CLEMI']) assert.equal(list.filter((x) => x === a).length, 1, `${a} once in ${list}`);

      assert.equal(await page.evaluate(() => window.__marker), 'still-here', 'the page did not reload');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await sender.context.close();
    }
  });

  it('adds an organisation with the form, and another open tab (another user) sees it too', async () => {
    const a = await openApp(env.browser, env.server.url);
    const b = await openApp(env.browser, env.server.url, { as: 'amf@demo.invalid' });
    try {
      await b.page.evaluate(() => {
        window.__marker = 'tab-b';
      });
      const { page } = a;
      await page.locator('#f-name').fill('Office national d’information sur les enseignements et les professions');
      await page.locator('#f-acronym').fill('ONISEP');
      await page.locator('#f-kind').selectOption('public_operator');
      await page.locator('#f-website').fill('https://www.onisep.fr');
      await page.getByRole('button', { name: 'Ajouter l’organisation' }).click();

      await page
        .locator('[data-testid="form-success"]', {
          hasText: '« Office national d’information sur les enseignements et les professions » a été ajoutée au comité.',
        })
        .waitFor();
      assert.equal(await page.locator('#f-name').inputValue(), '', 'the form is emptied');
      await page.locator('table tbody tr', { hasText: 'ONISEP' }).waitFor();

      await b.page.locator('table tbody tr', { hasText: 'Office national d’information' }).waitFor({ timeout: 10_000 });
      const list = await acronyms(b.page);
      assert.equal(list.filter((x) => x === 'ONISEP').length, 1, `ONISEP once in ${list}`);
      assert.equal(await b.page.evaluate(() => window.__marker), 'tab-b');
      // A member does not get the secretariat's form.
      assert.equal(await b.page.locator('#f-name').count(), 0);
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  it('shows the refusal next to the field, in the current language', async () => {
    const { page, context } = await openApp(env.browser, env.server.url);
    try {
      // What the server says about a nameless organisation, asked directly (refused: no event).
      const refused = await apiPost(page, ADD, { name: '', acronym: 'X' });
      assert.ok(refused.status >= 400 && refused.status < 500, JSON.stringify(refused.body));
      assert.match(refused.contentType, /application\/problem\+json/);
      for (const k of ['type', 'title', 'status', 'code', 'message_fr', 'message_en']) {
        assert.ok(k in refused.body, `problem has ${k}: ${JSON.stringify(refused.body)}`);
      }
      assert.ok(refused.body.fields && 'name' in refused.body.fields, `fields names "name": ${JSON.stringify(refused.body)}`);

      await page.locator('#f-acronym').fill('X');
      await page.getByRole('button', { name: 'Ajouter l’organisation' }).click();
      const error = page.locator('[data-testid="error-name"]');
      await error.waitFor();
      // The rule the server named, explained in French next to the field; the server's own
      // message in the summary.
      assert.equal(await error.innerText(), 'Ce champ est obligatoire.');
      assert.equal(await page.locator('#f-name').getAttribute('aria-invalid'), 'true');
      assert.match(await page.locator('#f-name').getAttribute('aria-describedby'), /f-name-error/);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-name', 'focus moves to the field to fix');
      const summary = page.locator('[data-testid="form-error"]');
      assert.match(await summary.innerText(), /L’organisation n’a pas été ajoutée/);
      assert.ok((await summary.innerText()).includes(refused.body.message_fr), `summary shows ${refused.body.message_fr}`);

      await page.getByRole('button', { name: 'English' }).click();
      assert.equal(await error.innerText(), 'This field is required.');
      assert.ok((await summary.innerText()).includes(refused.body.message_en), `summary shows ${refused.body.message_en}`);

      // A conflict (an acronym already used: AMVBF is a demo organisation) shows the
      // server's message in the current language.
      await page.locator('table tbody tr', { hasText: 'AMVBF' }).waitFor();
      const rows = await page.locator('table tbody tr').count();
      await page.locator('#f-name').fill('Another name');
      await page.locator('#f-acronym').fill('AMVBF');
      await page.getByRole('button', { name: 'Add the organisation' }).click();
      const conflict = await apiPost(page, ADD, { name: 'Another name', acronym: 'AMVBF' });
      assert.ok(conflict.status === 409 || conflict.status === 422, JSON.stringify(conflict.body));
      await page.locator('[data-testid="form-error"]', { hasText: conflict.body.message_en }).waitFor();
      await page.getByRole('button', { name: 'Français' }).click();
      await page.locator('[data-testid="form-error"]', { hasText: conflict.body.message_fr }).waitFor();
      assert.equal(await page.locator('table tbody tr').count(), rows, 'nothing was added');
    } finally {
      await context.close();
    }
  });
});
