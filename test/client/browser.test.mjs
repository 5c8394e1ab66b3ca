// In Chromium (Debian's /usr/bin/chromium through playwright-core; never a
// downloaded browser): the same WebSocketStream script run with Chromium's
// native WebSocketStream, with socketeer/browser's, and with socketeer's on
// Node, against one socketeer server, must observe the same things; and the
// browser entry's reconnecting client, closed and async iteration work over
// the page's own WebSocket. The entry's size is measured and printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WebSocketServer, WebSocketStream } from 'socketeer';
import { withTimeout } from './lib.mjs';

const CHROMIUM = process.env.INTEROP_CHROMIUM || '/usr/bin/chromium';
const DIST = resolvePath('dist/browser');
const ENTRY = join(DIST, 'browser/index.js');

function missing() {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM}; install it with: apt-get install -y chromium`;
  try { createRequire(import.meta.url).resolve('playwright-core'); } catch { return 'playwright-core is missing; run npm ci'; }
  return null;
}

/** Every file the entry pulls in, following relative imports. */
function entryFiles(file = ENTRY, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*['"](\.[^'"]+)['"]/g)) entryFiles(join(dirname(file), spec), seen);
  return seen;
}

test('the browser entry has no Node built-ins; its size is printed', () => {
  const files = [...entryFiles()];
  let raw = 0;
  const all = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /from\s*['"](node:|[a-z])/, `${file} imports a package or a Node built-in`);
    assert.doesNotMatch(text, /\b(?:Buffer|process)\.[A-Za-z]|\brequire\(/, `${file} uses a Node global`);
    raw += Buffer.byteLength(text);
    all.push(text);
  }
  const gzip = gzipSync(all.join('\n'), { level: 9 }).length;
  console.log(`# socketeer/browser: ${files.length} files, ${(raw / 1024).toFixed(1)} KiB unminified (comments included), ${(gzip / 1024).toFixed(1)} KiB gzipped`);
  assert.ok(gzip < 16 * 1024, `gzipped size ${gzip} B stays under 16 KiB`);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  assert.equal(pkg.exports['.'].browser.default, './dist/browser/browser/index.js');
  assert.equal(pkg.exports['./browser'].default, './dist/browser/browser/index.js');
  assert.ok(existsSync(join(DIST, 'browser/index.d.ts')), 'types ship with the browser entry');
});

// ---- Chromium -------------------------------------------------------------------

const reason = missing();
const skip = reason === null ? false : process.env.CI === 'true' ? false : `Chromium missing: ${reason}`;
let server, wss, origin, refusedUrl, browser, page;
const drops = new Map();

before(async () => {
  if (reason !== null) return;
  server = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path.startsWith('/dist/')) {
      const file = join(DIST, path.slice('/dist/'.length));
      if (!file.startsWith(DIST) || !existsSync(file)) return res.writeHead(404).end();
      return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>socketeer</title>');
  });
  wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url, 'http://x');
    const mode = url.pathname.slice(1);
    const id = url.searchParams.get('id');
    if (mode === 'close-now') return ws.close(4001, 'bye');
    if (mode === 'three') {
      ws.send('one'); ws.send(new Uint8Array([2])); ws.send('three');
      return ws.close(1000, 'all sent');
    }
    if (mode === 'drop-once') {
      const n = (drops.get(id) ?? 0) + 1;
      drops.set(id, n);
      ws.send(`connection ${n}`);
    }
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : String(data);
      if (text === 'drop' && (mode !== 'drop-once' || drops.get(id) === 1)) ws.terminate();
      else if (text === 'close') ws.close(4001, 'bye');
      else ws.send(data, { binary: isBinary });
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `127.0.0.1:${server.address().port}`;
  const spare = http.createServer();
  await new Promise((r) => spare.listen(0, '127.0.0.1', r));
  refusedUrl = `ws://127.0.0.1:${spare.address().port}/`;
  await new Promise((r) => spare.close(r));
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage();
  await page.goto(`http://${origin}/`);
  await page.evaluate(async () => { window.socketeer = await import('/dist/browser/index.js'); });
});

after(async () => {
  await browser?.close();
  for (const ws of wss?.clients ?? []) ws.terminate();
  await new Promise((r) => (server ? server.close(r) : r()));
});

test('Chromium is available', { skip }, () => {
  if (reason !== null) throw new Error(`${reason} (CI=true: this test needs Chromium)`);
});

// The script every WebSocketStream runs; it must not use anything only one side has.
const SCENARIO = `async (WSS, base, refused) => {
  const log = [];
  const err = (e) => ({ name: e && e.name, closeCode: e && e.closeCode !== undefined ? e.closeCode : 'n/a', reason: (e && e.reason) || '' });
  const settle = (p) => p.then((v) => ({ ok: v === undefined ? null : v }), (e) => ({ error: err(e) }));
  let s = new WSS(base + 'echo');
  log.push(['url', s.url === base + 'echo']);
  let o = await s.opened;
  log.push(['opened', Object.keys(o).sort(), o.protocol, typeof o.extensions]);
  let w = o.writable.getWriter(), r = o.readable.getReader();
  await w.write('hé'); let m = await r.read(); log.push(['text', typeof m.value, m.value]);
  await w.write(new Uint8Array([1, 2, 3])); m = await r.read();
  log.push(['binary', Object.prototype.toString.call(m.value), Array.from(new Uint8Array(m.value))]);
  await w.write(new ArrayBuffer(2)); m = await r.read(); log.push(['arraybuffer', m.value.byteLength]);
  try { s.close({ closeCode: 1001 }); } catch (e) { log.push(['close 1001', e.name]); }
  try { s.close({ closeCode: 4000, reason: 'x'.repeat(124) }); } catch (e) { log.push(['close long', e.name]); }
  s.close({ closeCode: 4000, reason: 'done' });
  log.push(['writer after close', await settle(w.closed)]);
  log.push(['read after close', await settle(r.read())]);
  log.push(['closed', await settle(s.closed)]);
  s.close();
  log.push(['close twice', 'no throw']);

  s = new WSS(base + 'echo'); o = await s.opened; w = o.writable.getWriter(); r = o.readable.getReader();
  await w.write('close');
  log.push(['server close read', await settle(r.read())]);
  log.push(['server close closed', await settle(s.closed)]);
  log.push(['write after server close', await settle(w.write('late'))]);

  s = new WSS(base + 'echo'); o = await s.opened; w = o.writable.getWriter(); r = o.readable.getReader();
  await w.write('drop');
  log.push(['drop read', await settle(r.read())]);
  log.push(['drop closed', await settle(s.closed)]);
  log.push(['drop writer', await settle(w.closed)]);

  s = new WSS(base + 'echo'); o = await s.opened; await o.writable.getWriter().close();
  log.push(['writer.close', await settle(s.closed)]);
  s = new WSS(base + 'echo'); o = await s.opened; await o.readable.cancel(new Error('x'));
  log.push(['readable.cancel', await settle(s.closed)]);

  let ac = new AbortController(); ac.abort();
  s = new WSS(base + 'echo', { signal: ac.signal });
  log.push(['pre-aborted', await settle(s.opened), await settle(s.closed)]);
  ac = new AbortController(); s = new WSS(base + 'echo', { signal: ac.signal }); ac.abort();
  log.push(['aborted while connecting', await settle(s.opened), await settle(s.closed)]);
  ac = new AbortController(); s = new WSS(base + 'echo', { signal: ac.signal }); await s.opened; ac.abort();
  s.close({ reason: 'only a reason' });
  log.push(['abort after open is ignored; a reason alone means 1000', await settle(s.closed)]);

  s = new WSS(base + 'echo'); s.close();
  log.push(['close while connecting', await settle(s.opened), await settle(s.closed)]);
  s = new WSS(refused);
  log.push(['refused', await settle(s.opened), await settle(s.closed)]);
  try { new WSS('ftp://x/'); } catch (e) { log.push(['ftp', e.name]); }
  try { new WSS(base, { protocols: ['a', 'a'] }); } catch (e) { log.push(['duplicate protocol', e.name]); }
  return log;
}`;

test('WebSocketStream: Chromium native, socketeer/browser in Chromium, and socketeer on Node observe the same', { skip, timeout: 60000 }, async () => {
  const base = `ws://${origin}/`;
  const native = await page.evaluate(`(${SCENARIO})(WebSocketStream, ${JSON.stringify(base)}, ${JSON.stringify(refusedUrl)})`);
  const polyfill = await page.evaluate(`(${SCENARIO})(window.socketeer.SocketeerWebSocketStream, ${JSON.stringify(base)}, ${JSON.stringify(refusedUrl)})`);
  const node = await (0, eval)(`(${SCENARIO})`)(WebSocketStream, base, refusedUrl);
  const rows = (log) => log.map((row) => JSON.stringify(row));
  assert.ok(native.length > 20);
  assert.deepEqual(rows(node), rows(native), 'socketeer on Node vs Chromium');
  assert.deepEqual(rows(polyfill), rows(native), 'socketeer/browser vs Chromium');
  console.log(`# ${native.length} observables agree across the three`);
});

test('socketeer/browser: WebSocket closed promise and async iteration over the native WebSocket', { skip, timeout: 30000 }, async () => {
  const result = await page.evaluate(async (base) => {
    const ws = new window.socketeer.WebSocket(base + 'three');
    ws.binaryType = 'arraybuffer';
    const got = [];
    for await (const message of ws) got.push(typeof message === 'string' ? message : Array.from(new Uint8Array(message)));
    return { got, closed: await ws.closed, native: ws instanceof WebSocket };
  }, `ws://${origin}/`);
  assert.deepEqual(result, { got: ['one', [2], 'three'], closed: { code: 1000, reason: 'all sent', wasClean: true }, native: true });
});

test('socketeer/browser: ReconnectingWebSocket reconnects after a drop, flushes its queue once, in order', { skip, timeout: 30000 }, async () => {
  const result = await withTimeout(page.evaluate(async (base) => {
    const events = [];
    const rws = new window.socketeer.ReconnectingWebSocket(base + 'drop-once?id=b1', { reconnect: { minDelay: 10, maxDelay: 40, resetAfter: 0 } });
    rws.addEventListener('message', (e) => events.push(['message', e.data]));
    rws.addEventListener('reconnecting', (e) => events.push(['reconnecting', e.attempt, e.code]));
    rws.addEventListener('reconnected', () => events.push(['reconnected']));
    rws.send('queued before open');
    await new Promise((r) => rws.addEventListener('open', r, { once: true }));
    rws.send('drop');
    await new Promise((r) => rws.addEventListener('reconnecting', r, { once: true }));
    const states = [rws.readyState];
    rws.send('while down');
    const sent = rws.sendAsync('async while down');
    await new Promise((r) => rws.addEventListener('reconnected', r, { once: true }));
    await sent;
    await new Promise((r) => { const check = () => (events.filter((e) => e[0] === 'message').length >= 5 ? r() : setTimeout(check, 5)); check(); });
    rws.close(4000, 'bye');
    const closed = await rws.closed;
    let full;
    const tiny = new window.socketeer.ReconnectingWebSocket(base + 'nowhere', { reconnect: { maxQueuedMessages: 1 } });
    tiny.send('a');
    try { tiny.send('b'); } catch (e) { full = e.code; }
    tiny.close();
    return { events, states, closed, state: rws.readyState, full };
  }, `ws://${origin}/`), 20000, 'the page');
  assert.deepEqual(result.events, [
    ['message', 'connection 1'],
    ['message', 'queued before open'],
    ['reconnecting', 1, 1006],
    ['reconnected'],
    ['message', 'connection 2'],
    ['message', 'while down'],
    ['message', 'async while down'],
  ]);
  assert.deepEqual(result.states, [0]);
  assert.deepEqual(result.closed, { code: 4000, reason: 'bye', wasClean: true });
  assert.equal(result.state, 3);
  assert.equal(result.full, 'WS_ERR_SEND_QUEUE_FULL');
});
