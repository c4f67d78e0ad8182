// The connection status is an aria-live region that says « En direct » when connected,
// and follows the device going offline and the server going away.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, openApp, statusText } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

describe('connection status', { timeout: 120_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('says « En direct » in a polite live region once connected', async () => {
    const { page, context } = await openApp(env.browser, env.server.url);
    try {
      const region = page.locator('#connection-status');
      assert.equal(await region.getAttribute('aria-live'), 'polite');
      assert.equal(await region.getAttribute('role'), 'status');
      await eventually(async () => (await statusText(page)) === 'En direct', { message: 'status « En direct »' });
      assert.match(await region.innerText(), /En direct/);
      await page.getByRole('button', { name: 'English' }).click();
      assert.equal(await statusText(page), 'Live');
    } finally {
      await context.close();
    }
  });

  it('says « Hors ligne » while the device is offline, then « En direct » again', async () => {
    const { page, context } = await openApp(env.browser, env.server.url);
    try {
      await eventually(async () => (await statusText(page)) === 'En direct', { message: 'status « En direct »' });
      await context.setOffline(true);
      await eventually(async () => (await statusText(page)) === 'Hors ligne', { message: 'status « Hors ligne »' });
      await context.setOffline(false);
      await eventually(async () => (await statusText(page)) === 'En direct', { message: 'status back to « En direct »' });
    } finally {
      await context.close();
    }
  });

  it('says « Reconnexion… » when the server goes away, then « Hors ligne »', async () => {
    const { page, context } = await openApp(env.browser, env.server.url);
    try {
      await eventually(async () => (await statusText(page)) === 'En direct', { message: 'status « En direct »' });
      await page.evaluate(() => {
        window.__marker = 'no-reload';
      });
      await env.server.stop();
      await eventually(async () => (await statusText(page)) === 'Reconnexion…', { message: 'status « Reconnexion… »' });
      // Four failed attempts (backoff 0.25–0.5 s, 0.5–1 s, 1–2 s, 2–4 s) then offline.
      await eventually(async () => (await statusText(page)) === 'Hors ligne', { timeout: 30_000, message: 'status « Hors ligne »' });
      // The rows already shown stay on screen.
      assert.equal(await page.locator('table tbody tr').count(), 11);
      assert.equal(await page.evaluate(() => window.__marker), 'no-reload');
    } finally {
      await context.close();
    }
  });
});
