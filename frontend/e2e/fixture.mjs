// The shared setup of the browser tests: one real `comite serve` and one Chromium per
// describe block, stopped after it.
import { after, before } from 'node:test';
import { chromiumPath, launchBrowser } from './browser.mjs';
import { comiteBin, startServer } from './server.mjs';

/**
 * Registers before/after hooks in the current describe block and returns an object whose
 * `server` and `browser` are set once the hooks ran. It fails the file at once, with the
 * fix in the message, when the server binary or the browser is missing: never a skip.
 */
export function serverAndBrowser(serverOptions = {}) {
  comiteBin();
  chromiumPath();
  const env = { server: undefined, browser: undefined };
  before(async () => {
    env.server = await startServer(serverOptions);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}
