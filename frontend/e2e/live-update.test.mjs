// With the page open, organisations added through the API or the form appear without a
// reload; a refused command shows the server's message next to the field.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { acronyms, eventually, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

describe('live updates (empty committee)', { timeout: 120_000 }, () => {
  const env = serverAndBrowser();

  it('shows an organisation added through the HTTP API without reloading', async () => {
    const { page, context, errors } = await openApp(env.browser, env.server.url);
    try {
      assert.equal(await page.locator('[data-testid="orgs-count"]').innerText(), '0 organisation');
      await page.locator('#connection-status', { hasText: 'En direct' }).waitFor();
      await page.evaluate(() => {
        window.__marker = 'still-here';
      });

      const key = randomUUID();
      const body = { name: 'Association des Maires de France', acronym: 'AMF', kind: 'elected_officials_association', website: 'https://www.amf.asso.fr' };
      const res = await env.server.post('/api/v1/membership/add-organisation', body, key);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.position > 0, 'the reply carries the global position');

      const row = page.locator('table tbody tr', { hasText: 'Association des Maires de France' });
      await row.waitFor({ timeout: 10_000 });
      assert.match(await row.innerText(), /AMF/);
      assert.match(await row.innerText(), /Association d’élus/);
      assert.equal(await page.locator('[data-testid="orgs-count"]').innerText(), '1 organisation');

      // Retrying the same request with the same key changes nothing.
      const again = await env.server.post('/api/v1/membership/add-organisation', body, key);
      assert.equal(again.status, 200, JSON.stringify(again.body));

      const second = await env.server.post('/api/v1/membership/add-organisation', { name: 'Caisse des Dépôts', acronym: 'CDC', kind: 'public_operator' });
      assert.equal(second.status, 200, JSON.stringify(second.body));
      await page.locator('table tbody tr', { hasText: 'Caisse des Dépôts' }).waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('[data-testid="orgs-count"]').innerText(), '2 organisations');
      assert.deepEqual(await acronyms(page), ['AMF', 'CDC']);

      assert.equal(await page.evaluate(() => window.__marker), 'still-here', 'the page did not reload');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('adds an organisation with the form, and another open tab sees it too', async () => {
    const a = await openApp(env.browser, env.server.url);
    const b = await openApp(env.browser, env.server.url);
    try {
      await b.page.evaluate(() => {
        window.__marker = 'tab-b';
      });
      const { page } = a;
      await page.locator('#f-name').fill('Réseau Français des Villes Éducatrices');
      await page.locator('#f-acronym').fill('RFVE');
      await page.locator('#f-kind').selectOption('elected_officials_association');
      await page.locator('#f-website').fill('https://www.rfve.fr');
      await page.getByRole('button', { name: 'Ajouter l’organisation' }).click();

      await page.locator('[data-testid="form-success"]', { hasText: '« Réseau Français des Villes Éducatrices » a été ajoutée au comité.' }).waitFor();
      assert.equal(await page.locator('#f-name').inputValue(), '', 'the form is emptied');
      await page.locator('table tbody tr', { hasText: 'RFVE' }).waitFor();

      await b.page.locator('table tbody tr', { hasText: 'Réseau Français des Villes Éducatrices' }).waitFor({ timeout: 10_000 });
      const list = await acronyms(b.page);
      assert.equal(list.filter((x) => x === 'RFVE').length, 1, `RFVE once in ${list}`);
      assert.equal(await b.page.evaluate(() => window.__marker), 'tab-b');
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  it('shows the refusal next to the field, in the current language', async () => {
    // What the server says about a nameless organisation, asked directly (refused: no event).
    const refused = await env.server.post('/api/v1/membership/add-organisation', { name: '', acronym: 'X' });
    assert.ok(refused.status >= 400 && refused.status < 500, JSON.stringify(refused.body));
    assert.match(refused.contentType, /application\/problem\+json/);
    for (const k of ['type', 'title', 'status', 'code', 'message_fr', 'message_en']) {
      assert.ok(k in refused.body, `problem has ${k}: ${JSON.stringify(refused.body)}`);
    }
    assert.ok(refused.body.fields && 'name' in refused.body.fields, `fields names "name": ${JSON.stringify(refused.body)}`);

    const { page, context } = await openApp(env.browser, env.server.url);
    try {
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

      // A conflict (an acronym already used) shows the server's message in the current language.
      const first = await env.server.post('/api/v1/membership/add-organisation', { name: 'Ville & Banlieue', acronym: 'AMVBF' });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      await page.locator('table tbody tr', { hasText: 'AMVBF' }).waitFor();
      const rows = await page.locator('table tbody tr').count();
      await page.locator('#f-name').fill('Another name');
      await page.locator('#f-acronym').fill('AMVBF');
      await page.getByRole('button', { name: 'Add the organisation' }).click();
      const conflict = await env.server.post('/api/v1/membership/add-organisation', { name: 'Another name', acronym: 'AMVBF' });
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
