// Drives Debian's Chromium with playwright-core (no browser download), and small helpers
// shared by the browser tests.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** The Chromium executable: $CHROMIUM_PATH, or the first candidate on PATH. Throws with the fix. */
export function chromiumPath() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  for (const name of CANDIDATES) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not this one
    }
  }
  throw new Error(
    'No Chromium found for the browser tests. Install it with `apt-get install -y chromium` ' +
      '(Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome executable.',
  );
}

/** Launches headless Chromium; playwright gives it a fresh temporary profile. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The demo secretariat: the persona the tests act as unless they say otherwise. */
export const SECRETARIAT = 'secretariat@demo.invalid';

/**
 * Opens the app in a new context at the page `hash` (the organisations page unless told),
 * signs in as the persona `as` (the secretariat unless told; null stays on the sign-in
 * page) and waits until the workspace shows (and, on the organisations page, its view
 * has loaded). beforeGoto(page, context) runs before the first navigation (e.g. to route
 * the websocket).
 * @param {import('playwright-core').Browser} browser
 */
export async function openApp(
  browser,
  url,
  {
    colorScheme = 'light',
    viewport = { width: 1280, height: 900 },
    as = SECRETARIAT,
    hash = '#/organisations',
    beforeGoto = async () => {},
  } = {},
) {
  const context = await browser.newContext({ locale: 'fr-FR', colorScheme, viewport, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  await beforeGoto(page, context);
  await page.goto(url + hash);
  if (as) {
    await signIn(page, as);
    if (hash === '#/organisations') await waitForOrganisations(page);
  } else {
    await page.locator('[data-testid="signin-form"]').waitFor({ timeout: 20_000 });
  }
  return { context, page, errors };
}

/**
 * Signs in from the sign-in page with the demo tour's one-click button for email, and
 * waits for the organisations view.
 * @param {import('playwright-core').Page} page
 */
export async function signIn(page, email) {
  const button = page.locator(`button[data-persona="${email}"]`);
  await button.waitFor({ timeout: 20_000 });
  await button.click();
  await waitForWorkspace(page);
}

/**
 * Signs in from the sign-in page with an email and a password (the demo password the
 * test server was given), and waits for the organisations view.
 * @param {import('playwright-core').Page} page
 */
export async function signInWithPassword(page, email, password) {
  await page.locator('#signin-email').fill(email);
  await page.locator('#signin-password').fill(password);
  await page.locator('[data-testid="signin-form"] button[type="submit"]').click();
  await waitForWorkspace(page);
}

/** Waits until the signed-in workspace shows (its navigation). */
export function waitForWorkspace(page) {
  return page.locator('[data-testid="workspace-nav"]').waitFor({ timeout: 20_000 });
}

/** Waits until the organisations page has loaded its view. */
export function waitForOrganisations(page) {
  return page.locator('section.orgs[data-loaded="true"]').waitFor({ timeout: 20_000 });
}

/**
 * Goes to a page of the workspace by its navigation link (as a user would), and waits
 * until the page's main element says it is that page.
 * @param {import('playwright-core').Page} page
 */
export async function goTo(page, name) {
  await page.locator(`[data-testid="workspace-nav"] a[data-nav="${name}"]`).click();
  await page.locator(`main[data-page="${name}"]`).waitFor({ timeout: 10_000 });
}

/**
 * Calls the HTTP API from inside the page, with its session cookie and its Origin (as the
 * app itself does): {status, contentType, body}.
 * @param {import('playwright-core').Page} page
 */
export function apiFetch(page, method, path, body, key) {
  return page.evaluate(
    async ({ method, path, body, key }) => {
      const headers = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (key) headers['Idempotency-Key'] = key;
      const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let parsed;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed };
    },
    { method, path, body, key },
  );
}

/** Posts a command from inside the page (see apiFetch), with a fresh Idempotency-Key unless given. */
export function apiPost(page, path, body, key = crypto.randomUUID()) {
  return apiFetch(page, 'POST', path, body, key);
}

/** Text of the connection status region. */
export function statusText(page) {
  return page.locator('#connection-status .status__text').innerText();
}

/** Acronyms in the organisations table, in display order. */
export function acronyms(page) {
  return page.locator('table tbody th[scope="row"]').allInnerTexts();
}

/** Polls fn until it returns a truthy value (returned) or the time is up (throws with the last value). */
export async function eventually(fn, { timeout = 15_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${message} not met within ${timeout} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
