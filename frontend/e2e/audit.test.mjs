// The auditors' stream browser against a real demo server: an auditor finds the page in
// the navigation, filters the log's streams by category, opens an opinion's stream and
// sees its events linked by their hashes, with their payloads; axe finds no violation.
// The secretariat has no such page (the navigation does not offer it, the server refuses).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { goTo, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

describe('stream browser (demo server)', { timeout: 120_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('an auditor browses the log: streams by category, one stream’s events and payloads', async () => {
    const { page, context, errors } = await openApp(env.browser, env.server.url, { as: 'auditor@demo.invalid', hash: '#/' });
    try {
      await goTo(page, 'audit');
      const table = page.locator('[data-testid="audit-streams"]');
      await table.waitFor({ timeout: 20_000 });
      const cats = await table.locator('tbody tr').evaluateAll((rows) => [...new Set(rows.map((r) => r.dataset.category))]);
      for (const c of ['committee', 'workinggroup', 'opinion', 'consultation', 'actionboard']) assert.ok(cats.includes(c), `${c} in ${cats}`);
      await page.locator('#audit-category').selectOption('opinion');
      const rows = await table.locator('tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.category));
      assert.ok(rows.length >= 2 && rows.every((c) => c === 'opinion'), JSON.stringify(rows));
      assert.deepEqual(await axe(page), [], 'stream list, French');

      await table.locator('tbody tr a').first().click();
      await page.locator('[data-testid="audit-events"] li').first().waitFor({ timeout: 15_000 });
      assert.match(await page.locator('[data-testid="audit-chain"]').innerText(), /Les \d+ événements de ce flux se suivent et s’enchaînent/);
      const first = page.locator('[data-testid="audit-events"] li').first();
      assert.equal(await first.getAttribute('data-type'), 'opinions.opinion.created');
      assert.equal(await first.getAttribute('data-revision'), '0');
      await first.locator('summary').click();
      const payload = JSON.parse(await first.locator('.audit-payload').innerText());
      assert.ok(payload.title && payload.opinion_id, JSON.stringify(payload));
      assert.deepEqual(await axe(page), [], 'one stream, French');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('is not offered to the secretariat, and the server refuses it', async () => {
    const { page, context } = await openApp(env.browser, env.server.url, { hash: '#/' });
    try {
      await page.locator('[data-testid="workspace-nav"]').waitFor();
      assert.equal(await page.locator('[data-testid="workspace-nav"] a[data-nav="audit"]').count(), 0);
      await page.evaluate(() => (location.hash = '#/audit'));
      await page.locator('[data-testid="audit-error"]').waitFor({ timeout: 10_000 });
    } finally {
      await context.close();
    }
  });
});
