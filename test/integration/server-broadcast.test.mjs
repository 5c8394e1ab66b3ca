// wss.broadcast() / broadcast(): one encoding, every open client gets the
// message once, in order with what each connection sent before and after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket as WsClient } from 'ws';
import { WebSocket, WebSocketServer, broadcast } from '../../dist/esm/index.js';
import { once, withTimeout } from '../helpers/once.mjs';

async function startServer(options = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await once(wss, 'listening');
  return wss;
}

function collect(ws, count) {
  const got = [];
  return withTimeout(
    new Promise((resolve) => {
      const onMessage = (data, isBinary) => {
        got.push([isBinary, isBinary ? Buffer.from(data).toString('hex') : data.toString()]);
        if (got.length < count) return;
        ws.off('message', onMessage);
        resolve(got);
      };
      ws.on('message', onMessage);
    }),
    5000,
    `for ${count} messages`,
  );
}

async function connectAll(wss, clients) {
  const accepted = [];
  const onConnection = (ws) => accepted.push(ws);
  wss.on('connection', onConnection);
  await Promise.all(clients.map((c) => once(c, 'open')));
  await withTimeout(
    new Promise((resolve) => {
      const check = () => (accepted.length === clients.length ? resolve() : setImmediate(check));
      check();
    }),
    3000,
    'for the server to accept every client',
  );
  wss.off('connection', onConnection);
  return accepted;
}

test('every open client gets each broadcast once, in order with its own sends', async () => {
  const wss = await startServer({ perMessageDeflate: true });
  const url = `ws://127.0.0.1:${wss.address().port}`;
  const clients = [new WebSocket(url), new WebSocket(url, { perMessageDeflate: false }), new WsClient(url)];
  try {
    const accepted = await connectAll(wss, clients);
    const received = clients.map((c, i) => collect(c, i === 0 ? 5 : 4));
    // One connection is mid-fragment: the broadcast must wait behind its message.
    accepted[0].send('frag-', { fin: false });
    assert.equal(wss.broadcast('hello'), 3);
    accepted[0].send('end');
    assert.equal(wss.broadcast(Buffer.from([1, 2, 3])), 3);
    assert.equal(broadcast(accepted, 'text as binary', { binary: true }), 3);
    for (const ws of accepted) ws.send('after');
    const results = await Promise.all(received);
    const common = [
      [false, 'hello'],
      [true, '010203'],
      [true, Buffer.from('text as binary').toString('hex')],
      [false, 'after'],
    ];
    assert.deepEqual(results[0], [[false, 'frag-end'], ...common], 'the broadcast waited for the fragmented message');
    for (const got of results.slice(1)) assert.deepEqual(got, common);
  } finally {
    for (const c of clients) c.terminate();
    await withTimeout(wss.close(), 5000, 'for the server to close');
  }
});

test('broadcast skips closing clients and honours the filter', async () => {
  const wss = await startServer();
  const url = `ws://127.0.0.1:${wss.address().port}`;
  const clients = [new WebSocket(url), new WebSocket(url), new WebSocket(url)];
  try {
    const accepted = await connectAll(wss, clients);
    const first = collect(clients[0], 2);
    const second = collect(clients[1], 2);
    const closing = once(clients[2], 'close');
    accepted[2].close(1000);
    assert.equal(wss.broadcast('to the open ones'), 2, 'a closing client is skipped');
    assert.equal(wss.broadcast('only the first', { filter: (ws) => ws === accepted[0] }), 1);
    await closing;
    assert.deepEqual(await first, [[false, 'to the open ones'], [false, 'only the first']]);
    assert.equal(wss.broadcast('again', { filter: (ws) => ws !== accepted[0] }), 1);
    assert.deepEqual(await second, [[false, 'to the open ones'], [false, 'again']]);
  } finally {
    for (const c of clients) c.terminate();
    await withTimeout(wss.close(), 5000, 'for the server to close');
  }
});

test('a large broadcast (header and payload written apart) arrives whole at every client', async () => {
  const wss = await startServer();
  const url = `ws://127.0.0.1:${wss.address().port}`;
  const clients = [new WebSocket(url), new WsClient(url)];
  try {
    await connectAll(wss, clients);
    const payload = Buffer.alloc(100 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const received = clients.map((c) => collect(c, 1));
    assert.equal(wss.broadcast(payload), 2);
    for (const got of await Promise.all(received)) assert.deepEqual(got, [[true, payload.toString('hex')]]);
  } finally {
    for (const c of clients) c.terminate();
    await withTimeout(wss.close(), 5000, 'for the server to close');
  }
});
