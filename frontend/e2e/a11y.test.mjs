// Accessibility: axe-core finds no WCAG 2.1 A/AA violation, in French and English, light
// and dark; the page works with the keyboard alone and shows where the focus is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { openApp, waitForWorkspace } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

describe('accessibility', { timeout: 180_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  for (const colorScheme of ['light', 'dark']) {
    it(`has no WCAG 2.1 AA violation in French and in English (${colorScheme})`, async () => {
      const { page, context } = await openApp(env.browser, env.server.url, { colorScheme });
      try {
        await page.locator('#connection-status', { hasText: 'En direct' }).waitFor();
        assert.deepEqual(await axe(page), [], 'French');

        // With an error and a field marked invalid.
        await page.getByRole('button', { name: 'Ajouter l’organisation' }).click();
        await page.locator('[data-testid="form-error"]').waitFor();
        assert.deepEqual(await axe(page), [], 'French, form with errors');

        await page.getByRole('button', { name: 'English' }).click();
        await page.locator('#connection-status', { hasText: 'Live' }).waitFor();
        assert.deepEqual(await axe(page), [], 'English');
      } finally {
        await context.close();
      }
    });
  }

  it('is usable with the keyboard, with a visible focus', async () => {
    const { page, context } = await openApp(env.browser, env.server.url);
    try {
      // Start from the top of a fresh page (signing in moved the focus to the page's heading).
      await page.reload();
      await waitForWorkspace(page);
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => ({ text: document.activeElement?.textContent, href: document.activeElement?.getAttribute('href') }));
      assert.deepEqual(skip, { text: 'Aller au contenu principal', href: '#main' });

      // Tab on until the language switch, noting that every stop shows a focus outline (the
      // sign-out button comes on the way).
      let found = false;
      let signOut = false;
      for (let i = 0; i < 10 && !found; i++) {
        await page.keyboard.press('Tab');
        const el = await page.evaluate(() => {
          const a = document.activeElement;
          const s = a ? getComputedStyle(a) : null;
          return { testid: a?.getAttribute('data-testid'), outline: s?.outlineStyle, width: s?.outlineWidth };
        });
        assert.notEqual(el.outline, 'none', `focus visible on stop ${i}: ${JSON.stringify(el)}`);
        found = el.testid === 'lang-switch';
        signOut ||= el.testid === 'sign-out';
      }
      assert.ok(signOut, 'the sign-out button is reachable with Tab');
      assert.ok(found, 'the language switch is reachable with Tab');
      await page.keyboard.press('Enter');
      // The switch re-renders the page: wait for it instead of reading at once.
      await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: 5000 }).catch(() => {});
      assert.equal(await page.getAttribute('html', 'lang'), 'en');

      // The form can be filled and sent without a mouse.
      await page.locator('#f-name').focus();
      await page.keyboard.type('Réseau Canopé');
      await page.keyboard.press('Tab');
      await page.keyboard.type('CANOPE');
      await page.keyboard.press('Enter');
      const outcome = page.locator('[data-testid="form-success"], [data-testid="form-error"]');
      await outcome.waitFor();
      assert.equal(await outcome.getAttribute('data-testid'), 'form-success', await outcome.innerText());
      await page.locator('table tbody tr', { hasText: 'CANOPE' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
