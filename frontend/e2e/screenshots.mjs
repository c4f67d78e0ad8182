// Takes a screenshot of each main page of the workspace, on a demo server, into
// docs/screenshots/ (French, light; the dashboard also in dark and in English).
// Run: go tool task screenshots (or COMITE_BIN=… node e2e/screenshots.mjs [out dir]).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiFetch, eventually, launchBrowser, openApp, statusText } from './browser.mjs';
import { startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(here, '..', '..', 'docs', 'screenshots'));

/** Pages to take: name, hash, and the view whose first row a detail page shows. */
const SHOTS = [
  ['dashboard', '#/'],
  ['groups', '#/groups'],
  ['group', '#/groups/', 'groups'],
  ['opinions', '#/opinions'],
  ['opinion', '#/opinions/', 'opinions'],
  ['consultations', '#/consultations'],
  ['consultation', '#/consultations/', 'consultations'],
  ['sheets', '#/sheets'],
  ['timeline', '#/timeline'],
  ['organisations', '#/organisations'],
];

const server = await startServer({ demo: true });
const browser = await launchBrowser();
try {
  await mkdir(out, { recursive: true });
  for (const [variant, opts] of [
    ['', { colorScheme: 'light' }],
    ['-dark', { colorScheme: 'dark' }],
  ]) {
    const { page, context } = await openApp(browser, server.url, { ...opts, hash: '#/' });
    await eventually(async () => (await statusText(page)) === 'En direct', { message: 'live' });
    for (const [name, hash, view] of SHOTS) {
      if (variant && name !== 'dashboard') continue;
      let target = hash;
      if (view) {
        const res = await apiFetch(page, 'GET', `/api/v1/views/${view}`);
        const id = res.body?.items?.[0]?.id;
        if (!id) throw new Error(`no ${view} row to show: ${JSON.stringify(res.body).slice(0, 200)}`);
        target += encodeURIComponent(id);
      }
      await page.evaluate((h) => {
        window.location.hash = h;
      }, target);
      await page.locator(`main[data-page="${hash.split('/')[1] || 'dashboard'}"] [data-loaded="true"]`).first().waitFor({ timeout: 15_000 });
      await page.waitForTimeout(300);
      const file = path.join(out, `${name}${variant}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
