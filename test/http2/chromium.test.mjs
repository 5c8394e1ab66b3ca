// Chromium (Debian's /usr/bin/chromium through playwright-core; never a
// downloaded browser) opens WebSockets over HTTP/2 to a socketeer server:
// the page comes from the server over h2, the WebSocket rides the same
// session as an extended CONNECT stream (RFC 8441). Text, binary and
// compressed messages round-trip, Close codes go both ways, wasClean on both
// sides; the same page also opens a WebSocket over HTTP/1.1 to the same port.
// Without Chromium the test is skipped, except under CI=true, where it fails.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startH2Server, closed, withTimeout } from './lib.mjs';

const CHROMIUM = process.env.INTEROP_CHROMIUM || '/usr/bin/chromium';
const require = createRequire(import.meta.url);

function missing() {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM}; install it with: apt-get install chromium (or set INTEROP_CHROMIUM to its path)`;
  try {
    require.resolve('playwright-core');
  } catch {
    return 'playwright-core is missing; run npm ci';
  }
  return null;
}

const why = missing();
if (why !== null) {
  test('chromium over HTTP/2: Chromium is installed', { skip: process.env.CI === 'true' ? false : why }, () => {
    throw new Error(`Chromium is required when CI=true: ${why}`);
  });
} else {
  describe('chromium: WebSocket over HTTP/2 to socketeer', { timeout: 60_000 }, () => {
    let fixture;
    let browser;
    let page;
    const serverCloses = [];

    before(async () => {
      fixture = await startH2Server({ allowHTTP1: true, wssOptions: { perMessageDeflate: true, handleProtocols: (set) => (set.has('chat') ? 'chat' : false) } });
      fixture.wss.on('connection', (ws, request) => {
        serverCloses.push(closed(ws, 20_000).then((info) => ({ ...info, path: request.url, httpVersion: request.httpVersion })));
        ws.on('message', (data, isBinary) => {
          if (!isBinary && String(data) === 'close me') ws.close(4002, 'from server');
          else ws.send(data, { binary: isBinary });
        });
      });
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--ignore-certificate-errors'] });
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      page = await context.newPage();
      const response = await page.goto(`${fixture.origin}/`);
      assert.equal(response.status(), 200);
      await page.evaluate(() => {
        window.h2 = {
          open(url, protocols) {
            return new Promise((resolve, reject) => {
              const ws = new WebSocket(url, protocols);
              ws.binaryType = 'arraybuffer';
              ws.onopen = () => resolve(ws);
              ws.onerror = () => reject(new Error(`could not open ${url}`));
            });
          },
          next(ws) {
            return new Promise((resolve) => ws.addEventListener('message', (e) => resolve(e.data), { once: true }));
          },
          closed(ws) {
            return new Promise((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }), { once: true }));
          },
        };
      });
    });

    after(async () => {
      await browser?.close();
      await fixture?.close();
    });

    test('the page itself came over HTTP/2', () => {
      assert.ok(fixture.seen.pages.length >= 1);
      for (const version of fixture.seen.pages) assert.equal(version, '2.0'); // the page, perhaps a favicon
    });

    test('text, binary and compressed messages round-trip over an HTTP/2 stream; Close 4001 from the page is clean on both sides', async () => {
      const streamsBefore = fixture.seen.connectStreams;
      const out = await withTimeout(page.evaluate(async (url) => {
        const { open, next, closed } = window.h2;
        const ws = await open(url, ['chat']);
        const result = { protocol: ws.protocol, extensions: ws.extensions };
        ws.send('héllo');
        result.text = await next(ws);
        ws.send(new Uint8Array([0, 1, 2, 255]).buffer);
        result.binary = Array.from(new Uint8Array(await next(ws)));
        const big = 'compressible '.repeat(50_000);
        ws.send(big);
        result.bigEchoed = (await next(ws)) === big;
        const done = closed(ws);
        ws.close(4001, 'from page');
        result.close = await done;
        return result;
      }, fixture.url('/echo')), 20_000, 'for the page');
      assert.equal(fixture.seen.connectStreams, streamsBefore + 1, 'the server saw an extended CONNECT stream');
      const connection = fixture.seen.connections.at(-1);
      assert.equal(connection.request.httpVersion, '2.0');
      assert.equal(connection.request.headers[':protocol'], 'websocket');
      assert.equal(out.protocol, 'chat');
      assert.match(out.extensions, /permessage-deflate/);
      assert.match(connection.ws.extensions, /permessage-deflate/);
      assert.equal(out.text, 'héllo');
      assert.deepEqual(out.binary, [0, 1, 2, 255]);
      assert.equal(out.bigEchoed, true);
      assert.deepEqual(out.close, { code: 4001, reason: 'from page', wasClean: true });
      const serverSide = await serverCloses.at(-1);
      assert.deepEqual(serverSide, { code: 4001, reason: 'from page', wasClean: true, path: '/echo', httpVersion: '2.0' });
    });

    test('Close 4002 from the server is clean on both sides', async () => {
      const out = await withTimeout(page.evaluate(async (url) => {
        const { open, closed } = window.h2;
        const ws = await open(url);
        const done = closed(ws);
        ws.send('close me');
        return done;
      }, fixture.url('/server-close')), 20_000, 'for the page');
      assert.deepEqual(out, { code: 4002, reason: 'from server', wasClean: true });
      const serverSide = await serverCloses.at(-1);
      assert.equal(serverSide.httpVersion, '2.0');
      assert.deepEqual({ code: serverSide.code, wasClean: serverSide.wasClean }, { code: 4002, wasClean: true });
    });

    test('the same page opens a WebSocket over HTTP/1.1 to the same port (another host name, no HTTP/2 session to reuse)', async () => {
      const url = `wss://localhost:${fixture.port}/h1`;
      const out = await withTimeout(page.evaluate(async (u) => {
        const { open, next, closed } = window.h2;
        const ws = await open(u);
        ws.send('over 1.1?');
        const echoed = await next(ws);
        const done = closed(ws);
        ws.close(1000);
        return { echoed, close: await done };
      }, url), 20_000, 'for the page');
      assert.equal(out.echoed, 'over 1.1?');
      assert.deepEqual(out.close, { code: 1000, reason: '', wasClean: true });
      const serverSide = await serverCloses.at(-1);
      assert.equal(serverSide.path, '/h1');
      assert.equal(serverSide.httpVersion, '1.1');
      assert.equal(serverSide.wasClean, true);
    });

    test('WebSocketStream over HTTP/2, when this Chromium offers it', async (t) => {
      const has = await page.evaluate(() => typeof WebSocketStream === 'function');
      if (!has) {
        t.skip('this Chromium has no WebSocketStream');
        return;
      }
      const out = await withTimeout(page.evaluate(async (url) => {
        const wss = new WebSocketStream(url);
        const { readable, writable } = await wss.opened;
        const writer = writable.getWriter();
        const reader = readable.getReader();
        await writer.write('stream hello');
        const { value } = await reader.read();
        wss.close({ closeCode: 4003, reason: 'stream done' });
        const info = await wss.closed;
        return { value, closeCode: info.closeCode, reason: info.reason };
      }, fixture.url('/stream')), 20_000, 'for WebSocketStream');
      assert.deepEqual(out, { value: 'stream hello', closeCode: 4003, reason: 'stream done' });
      const serverSide = await serverCloses.at(-1);
      assert.deepEqual(serverSide, { code: 4003, reason: 'stream done', wasClean: true, path: '/stream', httpVersion: '2.0' });
    });
  });
}
