// Peer driver: the WebSocket of a real Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; never a downloaded browser), as a client. One
// browser and one page per test file; the page is loaded from the server under
// test, so its origin is that server's. The browser API has no ping() and no
// terminate().
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AsyncQueue, connectionId, withTimeout } from '../lib/async-queue.mjs';
import { CHROMIUM } from '../lib/availability.mjs';
import { WAIT_MS } from '../matrix.mjs';

const require = createRequire(import.meta.url);
const PAGE_SCRIPT = readFileSync(new URL('./chromium-page.js', import.meta.url), 'utf8');

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

export async function start() {
  const browser = await launchChromium();
  const page = await browser.newPage();
  const conns = new Map();
  await page.exposeFunction('__interopReport', (msg) => {
    const conn = conns.get(msg.conn);
    if (conn === undefined) return;
    if (msg.event === 'message') {
      conn.messages.push({ isBinary: msg.isBinary, length: msg.length, sha256: msg.sha256, type: msg.type });
    } else if (msg.event === 'closed') {
      conn.messages.end(new Error('connection closed'));
      conn.resolveClosed({ code: msg.code, reason: msg.reason, wasClean: msg.wasClean });
    }
  });
  let origin = null;

  async function load(wsUrl) {
    const httpUrl = new URL('/', wsUrl.replace(/^ws/, 'http')).href;
    if (origin === httpUrl) return;
    await page.goto(httpUrl);
    await page.evaluate(PAGE_SCRIPT);
    origin = httpUrl;
  }

  return {
    versions: { chromium: browser.version(), 'playwright-core': JSON.parse(readFileSync(require.resolve('playwright-core/package.json'), 'utf8')).version },
    async connect(url, { protocols = [], binaryType } = {}) {
      await load(url);
      const conn = connectionId(url);
      const state = { messages: new AsyncQueue() };
      const closed = new Promise((resolve) => { state.resolveClosed = resolve; });
      conns.set(conn, state);
      const res = await withTimeout(
        page.evaluate(([c, u, p, b]) => window.__interop.connect(c, u, p, b), [conn, url, protocols, binaryType ?? null]),
        WAIT_MS, 'Chromium to open',
      );
      if (!res.ok) return { ...res, status: null };
      const call = (fn, ...args) => page.evaluate(fn, args).catch(() => {});
      return {
        ok: true,
        handle: {
          caps: { ping: false, terminate: false },
          protocol: res.protocol,
          extensions: res.extensions,
          send(specs) { call(([c, s]) => window.__interop.send(c, s), conn, [specs].flat()); },
          nextMessage: (ms = WAIT_MS) => state.messages.shift(ms, 'a message'),
          close(code, reason) { call(([c, k, r]) => window.__interop.close(c, k, r), conn, code ?? null, reason ?? ''); },
          terminate() { throw new Error('the browser WebSocket has no terminate()'); },
          ping() { throw new Error('the browser WebSocket has no ping()'); },
          closed: () => withTimeout(closed, WAIT_MS, 'the close event'),
          dispose() { call(([c]) => window.__interop.dispose(c), conn); },
        },
      };
    },
    async close() { await browser.close(); },
  };
}
