// OpenID Connect sign-in as the page shows it: the provider's button when the server has
// one, and the translated reason when the server sends the browser back with
// ?signin_error= (here: the provider cannot be reached, since none listens at its
// address; the full flow against a provider is tested in Go, cmd/comite/oidc_test.go).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { eventually, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

describe('OpenID Connect sign-in (provider down)', { timeout: 180_000 }, () => {
  const env = serverAndBrowser({
    demo: false,
    args: [
      '--oidc-issuer', 'http://127.0.0.1:9/unreachable',
      '--oidc-client-id', 'comite',
      '--oidc-redirect-url', 'http://127.0.0.1:9/api/v1/session/oidc/callback',
      '--oidc-label', 'Partenaires SSO',
    ],
  });

  it('offers the provider, and says in both languages why signing in with it failed', async () => {
    const info = await env.server.get('/api/v1/session/oidc');
    assert.equal(info.status, 200, JSON.stringify(info.body));
    assert.deepEqual(info.body, { enabled: true, label: 'Partenaires SSO' });

    const { page, context, errors } = await openApp(env.browser, env.server.url, { as: null });
    try {
      const button = page.getByRole('link', { name: 'Partenaires SSO', exact: true });
      await button.waitFor({ timeout: 20_000 });
      assert.equal(await button.getAttribute('href'), '/api/v1/session/oidc/login');
      assert.equal(await page.locator('[data-testid="signin-error"]').count(), 0);

      await button.click();
      const error = page.locator('[data-testid="signin-error"]');
      await error.waitFor({ timeout: 20_000 });
      assert.match(await error.innerText(), /Le fournisseur d’identité est injoignable pour le moment/);
      // The code is taken out of the address: a reload does not show it again.
      await eventually(async () => new URL(page.url()).search === '', { message: 'address cleaned' });
      assert.equal(new URL(page.url()).pathname, '/');

      assert.deepEqual(await axe(page), []);

      await page.getByRole('button', { name: 'English' }).click();
      assert.match(await error.innerText(), /The identity provider cannot be reached at the moment/);

      await page.reload();
      await page.getByRole('link', { name: 'Partenaires SSO', exact: true }).waitFor({ timeout: 20_000 });
      assert.equal(await page.locator('[data-testid="signin-error"]').count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
