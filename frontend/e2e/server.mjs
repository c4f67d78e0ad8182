// Starts a real Comité server for the browser tests: $COMITE_BIN serve on a free port with
// a fresh data directory, and stops it (and removes the directory) afterwards.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';

const HOW_TO =
  'Build the app and the server, then point COMITE_BIN at the binary:\n' +
  '  (cd frontend && npm ci && npm run build) && go build -o /tmp/comite ./cmd/comite\n' +
  '  COMITE_BIN=/tmp/comite npm --prefix frontend run test:e2e';

/** A response's body: parsed JSON, or the text when it is not JSON. */
export async function readBody(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The server binary from $COMITE_BIN; throws a message saying how to get one. */
export function comiteBin() {
  const bin = process.env.COMITE_BIN;
  if (!bin) throw new Error(`COMITE_BIN is not set: the browser tests need a real Comité server.\n${HOW_TO}`);
  try {
    if (!statSync(bin).isFile()) throw new Error('not a file');
    accessSync(bin, constants.X_OK);
  } catch (err) {
    throw new Error(`COMITE_BIN=${bin} is not an executable file (${err.message}).\n${HOW_TO}`);
  }
  return bin;
}

/**
 * Runs `$COMITE_BIN serve --data <temp> --addr 127.0.0.1:0 [--demo] [args…]`, waits for the
 * "listening on http://…" line on stdout and for /healthz to say ok. A demo server gets
 * its demo accounts' password from COMITE_DEMO_PASSWORD: a fresh random one per server,
 * never a constant, returned as demoPassword.
 * `post` and `get` send no session: the API answers them 401 (use the page's session, see
 * apiFetch in browser.mjs, to act as someone).
 * @returns {Promise<{url: string, dataDir: string, demoPassword: string | undefined,
 *   stop: () => Promise<void>, output: () => string,
 *   post: (path: string, body: unknown, key?: string) => Promise<{status: number, body: any}>,
 *   get: (path: string) => Promise<{status: number, body: any}>}>}
 */
export async function startServer({ demo = true, args: extraArgs = [], timeoutMs = 60_000 } = {}) {
  const bin = comiteBin();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'comite-e2e-'));
  const args = ['serve', '--data', dataDir, '--addr', '127.0.0.1:0'];
  if (demo) args.push('--demo');
  args.push(...extraArgs);
  const demoPassword = demo ? randomBytes(18).toString('base64url') : undefined;
  const env = { ...process.env };
  delete env.COMITE_DEMO_PASSWORD;
  if (demoPassword) env.COMITE_DEMO_PASSWORD = demoPassword;
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });

  // Keep the tail of the output for error messages, and keep draining both pipes so the
  // server never blocks on a full one.
  let log = '';
  const keep = (chunk) => {
    log = (log + chunk).slice(-20_000);
  };
  child.stderr.setEncoding('utf8').on('data', keep);
  child.stdout.setEncoding('utf8');

  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let url;
  try {
    url = await new Promise((resolve, reject) => {
      let pending = '';
      const timer = setTimeout(
        () => reject(new Error(`no "listening on http://…" line on stdout within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.stdout.on('data', (chunk) => {
        keep(chunk);
        if (url) return;
        pending += chunk;
        const m = pending.match(/listening on (http:\/\/\S+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1].replace(/\/+$/, ''));
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (code ${code}, signal ${signal}) before listening`));
      });
    });
    await waitHealthy(url, timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`${bin} ${args.join(' ')}: ${err.message}\n--- server output ---\n${log}`);
  }

  const request = async (method, p, body, key) => {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key) headers['Idempotency-Key'] = key;
    const res = await fetch(url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await readBody(res) };
  };

  let stopped = false;
  return {
    url,
    dataDir,
    demoPassword,
    output: () => log,
    post: (p, body, key = randomUUID()) => request('POST', p, body, key),
    get: (p) => request('GET', p),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitHealthy(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/healthz`);
      const body = await res.text();
      if (res.ok && JSON.parse(body).status === 'ok') return;
      last = `${res.status} ${body}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`/healthz did not answer {"status":"ok"} within ${timeoutMs} ms (last: ${last})`);
}
