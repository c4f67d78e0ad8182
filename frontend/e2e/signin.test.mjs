// Sign-in: the page a visitor without a session gets, the password form and its errors,
// the demo tour's one-click personas, who is signed in, signing out, and going back to
// the sign-in page when the session ends under an open page. Accessible in both languages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import {
  SECRETARIAT,
  apiFetch,
  eventually,
  openApp,
  signIn,
  signInWithPassword,
  statusText,
  waitForOrganisations,
  waitForWorkspace,
} from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const signInError = (page) => page.locator('[data-testid="signin-error"]');

describe('sign-in (demo server)', { timeout: 180_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('shows the sign-in page without a session, and the API refuses anonymous calls', async () => {
    for (const p of ['/api/v1/session', '/api/v1/views/organisations']) {
      const res = await env.server.get(p);
      assert.equal(res.status, 401, `${p}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'unauthenticated', `${p}: ${JSON.stringify(res.body)}`);
    }

    const { page, context, errors } = await openApp(env.browser, env.server.url, { as: null });
    try {
      assert.equal(await page.getAttribute('html', 'lang'), 'fr');
      assert.equal(await page.locator('h1').innerText(), 'Connexion');
      assert.equal(await page.title(), 'Connexion — Comité');
      assert.equal(await page.locator('section.orgs').count(), 0, 'no committee data before sign-in');

      const email = page.getByLabel('Adresse e-mail');
      const password = page.getByLabel('Mot de passe');
      assert.equal(await email.getAttribute('autocomplete'), 'username');
      assert.equal(await email.getAttribute('type'), 'email');
      assert.equal(await password.getAttribute('autocomplete'), 'current-password');
      assert.equal(await password.getAttribute('type'), 'password');
      assert.equal(await page.getByRole('button', { name: 'Se connecter', exact: true }).count(), 1);

      // The demo tour: one button per persona, secretariat first.
      const tour = page.locator('[data-testid="demo-tour"]');
      assert.equal(await tour.locator('h2').innerText(), 'Visite guidée');
      for (const name of [
        'Se connecter en tant que Secrétariat (MEN-DNE)',
        'Se connecter en tant que AMF (membre)',
        'Se connecter en tant que Auditeur',
        'Se connecter en tant que Observateur',
      ]) {
        assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, name);
      }
      const first = await tour.locator('button').first().getAttribute('data-persona');
      assert.equal(first, SECRETARIAT);

      await page.getByRole('button', { name: 'English' }).click();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('h1').innerText(), 'Sign in');
      assert.equal(await tour.locator('h2').innerText(), 'Demo tour');
      assert.equal(await page.getByRole('button', { name: 'Sign in as AMF (member)', exact: true }).count(), 1);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('says when the password is wrong, then signs in with the right one', async () => {
    const { page, context } = await openApp(env.browser, env.server.url, { as: null });
    try {
      // Nothing typed: said at once, without asking the server.
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
      assert.match(await signInError(page).innerText(), /Saisissez votre adresse e-mail et votre mot de passe/);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'signin-email');

      await page.locator('#signin-email').fill(SECRETARIAT);
      await page.locator('#signin-password').fill(`not-${env.server.demoPassword}`);
      await page.locator('#signin-password').press('Enter');
      const error = signInError(page);
      await error.filter({ hasText: 'Adresse e-mail ou mot de passe incorrect.' }).waitFor({ timeout: 10_000 });
      assert.match(await error.innerText(), /Connexion impossible/);
      // Announced: inside an assertive live region.
      assert.equal(await page.locator('.signin__messages').getAttribute('aria-live'), 'assertive');
      const password = page.locator('#signin-password');
      assert.equal(await password.getAttribute('aria-invalid'), 'true');
      assert.equal(await password.getAttribute('aria-describedby'), 'signin-error');
      assert.equal(await password.inputValue(), '', 'the wrong password is cleared');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'signin-password', 'focus back on the password');
      assert.deepEqual(await axe(page), [], 'sign-in page with an error');

      await page.getByRole('button', { name: 'English' }).click();
      assert.match(await error.innerText(), /Wrong email address or password\./);
      await page.getByRole('button', { name: 'Français' }).click();

      await signInWithPassword(page, SECRETARIAT, env.server.demoPassword);
      assert.match(await page.locator('[data-testid="account-role"]').innerText(), /^Secrétariat · MEN-DNE$/);
      const session = await apiFetch(page, 'GET', '/api/v1/session');
      assert.equal(session.status, 200, JSON.stringify(session.body));
      assert.equal(session.body.user.email, SECRETARIAT);
      assert.equal(session.body.user.role, 'secretariat');
      assert.equal(await page.locator('[data-testid="account-name"]').innerText(), session.body.user.name);
    } finally {
      await context.close();
    }
  });

  it('signs in as a persona with one click and shows the organisations page', async () => {
    const { page, context, errors } = await openApp(env.browser, env.server.url, { as: null });
    try {
      await page.getByRole('button', { name: 'Se connecter en tant que AMF (membre)', exact: true }).click();
      await waitForWorkspace(page);
      await waitForOrganisations(page);
      assert.equal(await page.locator('[data-testid="orgs-count"]').innerText(), '11 organisations');
      assert.match(await page.locator('h1').innerText(), /Comité des partenaires du numérique pour l.éducation/);
      await eventually(async () => (await statusText(page)) === 'En direct', { message: 'status « En direct »' });
      // Who is signed in: name, role and the organisation's acronym from the organisations view.
      await page.locator('[data-testid="account-role"]', { hasText: 'Membre · AMF' }).waitFor();
      assert.match(await page.locator('[data-testid="account"]').innerText(), /Session ouverte/);
      assert.equal(await page.getByRole('button', { name: 'Se déconnecter' }).count(), 1);
      // A member reads the committee but does not get the secretariat's form.
      assert.equal(await page.locator('#f-name').count(), 0);
      assert.match(await page.locator('.add-org').innerText(), /Seul le secrétariat/);

      await page.getByRole('button', { name: 'English' }).click();
      assert.equal(await page.locator('[data-testid="account-role"]').innerText(), 'Member · AMF');
      assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 1);

      // The session outlives a reload.
      await page.reload();
      await waitForWorkspace(page);
      assert.equal(await page.locator('[data-testid="account-role"]').innerText(), 'Member · AMF');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('signs out back to the sign-in page, and the session is gone', async () => {
    const { page, context } = await openApp(env.browser, env.server.url, { as: 'auditor@demo.invalid' });
    try {
      assert.equal(await page.locator('[data-testid="account-role"]').innerText(), 'Auditeur');
      await eventually(async () => (await statusText(page)) === 'En direct', { message: 'status « En direct »' });
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.locator('[data-testid="signin-form"]').waitFor();
      assert.match(await page.locator('[data-testid="signin-notice"]').innerText(), /Déconnexion effectuée/);
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'signin-notice');
      assert.equal(await page.locator('section.orgs').count(), 0);
      assert.equal(await page.title(), 'Connexion — Comité');

      await eventually(async () => (await apiFetch(page, 'GET', '/api/v1/session')).status === 401, {
        message: 'the session is closed on the server',
      });
      await page.reload();
      await page.locator('[data-testid="signin-form"]').waitFor();
      assert.equal(await page.locator('[data-testid="signin-notice"]').count(), 0);

      // And one can sign in again (as someone else) from there.
      await signIn(page, 'observer@demo.invalid');
      assert.equal(await page.locator('[data-testid="account-role"]').innerText(), 'Observateur');
    } finally {
      await context.close();
    }
  });

  it('goes back to the sign-in page when a call is refused because the session ended', async () => {
    const { page, context } = await openApp(env.browser, env.server.url);
    try {
      await eventually(async () => (await statusText(page)) === 'En direct', { message: 'status « En direct »' });
      await context.clearCookies();
      await page.locator('#f-name').fill('Réseau Canopé');
      await page.locator('#f-acronym').fill('CANOPE');
      await page.getByRole('button', { name: 'Ajouter l’organisation' }).click();
      await page.locator('[data-testid="signin-form"]').waitFor({ timeout: 10_000 });
      assert.match(await page.locator('[data-testid="signin-notice"]').innerText(), /Votre session a expiré/);
    } finally {
      await context.close();
    }
  });

  it('goes back to the sign-in page when the live connection is refused because the session ended', async () => {
    const context = await env.browser.newContext({ locale: 'fr-FR', reducedMotion: 'reduce' });
    const page = await context.newPage();
    // Pass every live socket through to the real server, keeping the last one to drop it.
    let socket;
    await page.routeWebSocket(/\/api\/v1\/live$/, (ws) => {
      socket = ws;
      ws.connectToServer();
    });
    try {
      await page.goto(env.server.url);
      await signIn(page, SECRETARIAT);
      await eventually(async () => (await statusText(page)) === 'En direct', { message: 'status « En direct »' });
      await context.clearCookies();
      // The connection drops; the client reconnects without a session and the server
      // refuses the upgrade (401), which the page only sees as a failed connection.
      await socket.close({ code: 1001, reason: 'test: going away' });
      await page.locator('[data-testid="signin-form"]').waitFor({ timeout: 20_000 });
      assert.match(await page.locator('[data-testid="signin-notice"]').innerText(), /Votre session a expiré/);
    } finally {
      await context.close();
    }
  });

  for (const colorScheme of ['light', 'dark']) {
    it(`has no WCAG 2.1 AA violation on the sign-in page, in French and in English (${colorScheme})`, async () => {
      const { page, context } = await openApp(env.browser, env.server.url, { as: null, colorScheme });
      try {
        await page.locator('[data-testid="demo-tour"]').waitFor();
        assert.deepEqual(await axe(page), [], 'French');
        await page.getByRole('button', { name: 'English' }).click();
        await page.locator('h1', { hasText: 'Sign in' }).waitFor();
        assert.deepEqual(await axe(page), [], 'English');
      } finally {
        await context.close();
      }
    });
  }

  it('can be used with the keyboard alone, with a visible focus', async () => {
    const { page, context } = await openApp(env.browser, env.server.url, { as: null });
    try {
      await page.locator('[data-testid="demo-tour"]').waitFor();
      let reached = false;
      for (let i = 0; i < 6 && !reached; i++) {
        await page.keyboard.press('Tab');
        const el = await page.evaluate(() => {
          const a = document.activeElement;
          const s = a ? getComputedStyle(a) : null;
          return { id: a?.id, outline: s?.outlineStyle };
        });
        assert.notEqual(el.outline, 'none', `focus visible on stop ${i}: ${JSON.stringify(el)}`);
        reached = el.id === 'signin-email';
      }
      assert.ok(reached, 'the email field is reachable with Tab');
      await page.keyboard.type(SECRETARIAT);
      await page.keyboard.press('Tab');
      await page.keyboard.type(env.server.demoPassword);
      await page.keyboard.press('Enter');
      await waitForWorkspace(page);
      // The focus moved into the new page.
      assert.ok(await page.evaluate(() => document.querySelector('main')?.contains(document.activeElement)));
    } finally {
      await context.close();
    }
  });
});

describe('sign-in throttling (demo server)', { timeout: 120_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('says how long to wait after too many failed attempts', async () => {
    const { page, context } = await openApp(env.browser, env.server.url, { as: null });
    try {
      const email = page.locator('#signin-email');
      const password = page.locator('#signin-password');
      const error = signInError(page);
      await email.fill('observer@demo.invalid');
      // The server slows down after 5 failures and refuses (429) after 10 within 15 minutes.
      let last = 0;
      for (let i = 0; i < 12 && last !== 429; i++) {
        await password.fill(`wrong-${i}-${env.server.demoPassword}`);
        const [res] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/session', {
            timeout: 15_000,
          }),
          password.press('Enter'),
        ]);
        last = res.status();
        assert.ok(last === 401 || last === 429, `attempt ${i}: ${last}`);
      }
      assert.equal(last, 429, 'refused after too many failures');
      await error.filter({ hasText: 'Trop de tentatives' }).waitFor();
      assert.match(await error.innerText(), /Trop de tentatives de connexion\. Réessayez dans \d+ (secondes?|minutes?)\./);
      await page.getByRole('button', { name: 'English' }).click();
      assert.match(await error.innerText(), /Too many sign-in attempts\. Try again in \d+ (seconds?|minutes?)\./);
    } finally {
      await context.close();
    }
  });
});
