// The demo server on its own (no browser): the page and its script are served,
// /echo echoes, /chat?room=NAME reaches everyone in that room (topics) and
// nobody else, other paths get 404,
// pages from another origin get 403,
// and close() ends every connection with 1001.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket } from '../../dist/esm/index.js';
import { startDemo } from '../../demo/server.mjs';

const WAIT_MS = 5_000;

async function open(url, origin) {
  const ws = new WebSocket(url, [], origin === undefined ? {} : { origin });
  await once(ws, 'open');
  return ws;
}

function nextMessage(ws) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), WAIT_MS);
    ws.once('message', (data, isBinary) => { clearTimeout(timer); resolve({ data: Buffer.from(data), isBinary }); });
  });
}

test('demo server: page, /echo, /chat, 404, close with 1001', { timeout: 20_000 }, async (t) => {
  const demo = await startDemo({ port: 0 });
  t.after(() => demo.close());
  const wsBase = demo.url.replace(/^http/, 'ws');

  const page = await fetch(demo.url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script src="client\.js"><\/script>/);
  const script = await fetch(new URL('client.js', demo.url));
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type'), /javascript/);
  assert.equal((await fetch(new URL('nope', demo.url))).status, 404);

  const echo = await open(`${wsBase}echo`);
  echo.send('hi ✓');
  assert.deepEqual(await nextMessage(echo), { data: Buffer.from('hi ✓'), isBinary: false });
  echo.send(Buffer.from([1, 2, 3]));
  assert.deepEqual(await nextMessage(echo), { data: Buffer.from([1, 2, 3]), isBinary: true });

  const [a, b] = await Promise.all([open(`${wsBase}chat`), open(`${wsBase}chat`)]);
  const atA = nextMessage(a);
  const atB = nextMessage(b);
  a.send('to everyone');
  assert.equal(String((await atA).data), 'to everyone');
  assert.equal(String((await atB).data), 'to everyone');

  // Rooms are topics: ?room=NAME; the lobby does not hear another room.
  const [r1, r2] = await Promise.all([open(`${wsBase}chat?room=kitchen`), open(`${wsBase}chat?room=kitchen`)]);
  assert.equal(demo.chat.subscriberCount('room:kitchen'), 2);
  assert.equal(demo.chat.subscriberCount('room:lobby'), 2);
  const heardInLobby = [];
  a.on('message', (data) => heardInLobby.push(String(data)));
  const atR2 = nextMessage(r2);
  r1.send('in the kitchen');
  assert.equal(String((await atR2).data), 'in the kitchen');
  const lobbyMark = nextMessage(b);
  const lobbyMarkAtA = nextMessage(a);
  a.send('lobby again');
  assert.equal(String((await lobbyMark).data), 'lobby again');
  assert.equal(String((await lobbyMarkAtA).data), 'lobby again');
  assert.deepEqual(heardInLobby, ['lobby again']);

  const stray = new WebSocket(`${wsBase}elsewhere`);
  const refused = once(stray, 'error');
  assert.equal((await stray.closed).code, 1006, 'another path is refused');
  assert.equal((await refused)[0].statusCode, 404, 'another path gets 404');

  const foreign = new WebSocket(`${wsBase}chat`, [], { origin: 'https://elsewhere.example' });
  const foreignRefused = once(foreign, 'error');
  assert.equal((await foreign.closed).code, 1006, 'a page from another origin is refused');
  assert.equal((await foreignRefused)[0].statusCode, 403, 'another origin gets 403');
  const sameSite = await open(`${wsBase}echo`, demo.url.replace(/\/$/, ''));
  sameSite.close();
  await sameSite.closed;

  const closes = Promise.all([echo, a, b, r1, r2].map((ws) => ws.closed));
  await demo.close();
  for (const info of await closes) assert.deepEqual({ code: info.code, wasClean: info.wasClean }, { code: 1001, wasClean: true });
});
