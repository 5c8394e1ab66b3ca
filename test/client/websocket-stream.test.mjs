// WebSocketStream on Node against a loopback socketeer server: open, close,
// abort, errors, and backpressure in both directions; WebSocketStream.from()
// on the server side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketStream } from 'socketeer';
import { startServer, once, withTimeout } from './lib.mjs';

async function echoServer() {
  return startServer((ws) => ws.on('message', (data, isBinary) => {
    if (String(data) === 'drop') ws.terminate();
    else if (String(data) === 'close') ws.close(4001, 'bye');
    else ws.send(data, { binary: isBinary });
  }));
}

test('opened, reading and writing text and binary, close() with a code', async (t) => {
  const server = await echoServer();
  t.after(() => server.close());
  const wss = new WebSocketStream(server.url, { protocols: [] });
  assert.equal(wss.url, server.url);
  const { readable, writable, protocol, extensions } = await wss.opened;
  assert.equal(protocol, '');
  assert.equal(typeof extensions, 'string');
  const reader = readable.getReader();
  const writer = writable.getWriter();
  await writer.write('hé');
  assert.deepEqual(await reader.read(), { value: 'hé', done: false });
  await writer.write(new Uint8Array([1, 2, 3]));
  const { value } = await reader.read();
  assert.ok(value instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(value)], [1, 2, 3]);
  assert.throws(() => wss.close({ closeCode: 1001 }), { name: 'InvalidAccessError' });
  assert.throws(() => wss.close({ closeCode: 4000, reason: 'x'.repeat(124) }), { name: 'SyntaxError' });
  wss.close({ closeCode: 4000, reason: 'done' });
  await assert.rejects(writer.closed, { name: 'InvalidStateError' });
  assert.deepEqual(await reader.read(), { value: undefined, done: true });
  assert.deepEqual(await wss.closed, { closeCode: 4000, reason: 'done' });
});

test('the server closes cleanly: readable ends, writes refused, closed resolves', async (t) => {
  const server = await echoServer();
  t.after(() => server.close());
  const wss = new WebSocketStream(server.url);
  const { readable, writable } = await wss.opened;
  const writer = writable.getWriter();
  await writer.write('close');
  const reader = readable.getReader();
  assert.equal((await reader.read()).done, true);
  assert.deepEqual(await wss.closed, { closeCode: 4001, reason: 'bye' });
  await assert.rejects(writer.write('late'), { name: 'InvalidStateError' });
});

test('a dropped connection errors readable, writable and closed with a WebSocketError 1006', async (t) => {
  const server = await echoServer();
  t.after(() => server.close());
  const wss = new WebSocketStream(server.url);
  const { readable, writable } = await wss.opened;
  const writer = writable.getWriter();
  await writer.write('drop');
  const error = await wss.closed.then(() => assert.fail('should reject'), (e) => e);
  assert.equal(error.name, 'WebSocketError');
  assert.equal(error.closeCode, 1006);
  assert.equal(error.code, 'WS_ERR_CLOSED_ABNORMALLY');
  await assert.rejects(readable.getReader().read(), { name: 'WebSocketError', closeCode: 1006 });
  await assert.rejects(writer.closed, { closeCode: 1006 });
});

test('writer.close() and readable.cancel() close; abort(reason) with a closeCode uses it', async (t) => {
  const server = await echoServer();
  t.after(() => server.close());
  let s = new WebSocketStream(server.url);
  await (await s.opened).writable.getWriter().close();
  assert.deepEqual(await s.closed, { closeCode: 1005, reason: '' });
  s = new WebSocketStream(server.url);
  await (await s.opened).readable.cancel(new Error('plain'));
  assert.deepEqual(await s.closed, { closeCode: 1005, reason: '' });
  s = new WebSocketStream(server.url);
  await (await s.opened).writable.abort({ closeCode: 4005, reason: 'werr' });
  assert.deepEqual(await s.closed, { closeCode: 4005, reason: 'werr' });
});

test('signal: aborted before or during the handshake rejects both promises with AbortError; after open it does nothing', async (t) => {
  const server = await echoServer();
  t.after(() => server.close());
  const pre = new AbortController();
  pre.abort();
  let s = new WebSocketStream(server.url, { signal: pre.signal });
  await assert.rejects(s.opened, { name: 'AbortError' });
  await assert.rejects(s.closed, { name: 'AbortError' });
  const during = new AbortController();
  s = new WebSocketStream(server.url, { signal: during.signal });
  during.abort();
  await assert.rejects(s.opened, { name: 'AbortError' });
  await assert.rejects(s.closed, { name: 'AbortError' });
  const after = new AbortController();
  s = new WebSocketStream(server.url, { signal: after.signal });
  await s.opened;
  after.abort();
  s.close();
  assert.deepEqual(await s.closed, { closeCode: 1005, reason: '' });
});

test('a failed handshake rejects opened (closeCode null) and closed (1006); bad URLs and protocols throw SyntaxError', async () => {
  const server = await echoServer();
  const url = server.url;
  await server.close();
  const s = new WebSocketStream(url);
  const opened = await s.opened.then(() => assert.fail('refused'), (e) => e);
  assert.equal(opened.name, 'WebSocketError');
  assert.equal(opened.closeCode, null);
  await assert.rejects(s.closed, { name: 'WebSocketError', closeCode: 1006 });
  assert.throws(() => new WebSocketStream('ftp://x/'), { name: 'SyntaxError' });
  assert.throws(() => new WebSocketStream(url, { protocols: ['a', 'a'] }), { name: 'SyntaxError' });
  assert.equal(new WebSocketStream('http://127.0.0.1:9/x').url, 'ws://127.0.0.1:9/x');
});

test('backpressure in: while nobody reads, socketeer stops reading and the server sees it', async (t) => {
  const chunk = Buffer.alloc(64 * 1024, 7);
  let serverSide;
  const server = await startServer((ws) => { serverSide = ws; });
  t.after(() => server.close());
  const s = new WebSocketStream(server.url, { readableHighWaterMark: 128 * 1024 });
  const { readable } = await s.opened;
  // The server keeps 8 sends in flight and stops when none completes for 300 ms:
  // a client that reads everything would take all 64 MiB and never block it.
  let sent = 0;
  let done = 0;
  const pump = () => new Promise((resolve) => {
    let idle = null;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => resolve('blocked'), 300);
    };
    const more = () => {
      while (sent - done < 8) {
        if (sent * chunk.length >= 64 * 1024 * 1024) return resolve('never blocked');
        sent++;
        serverSide.send(chunk, () => { done++; arm(); more(); });
      }
    };
    arm();
    more();
  });
  assert.equal(await pump(), 'blocked');
  assert.ok(done < sent, 'sends stay pending on the server: the client stopped reading');
  console.log(`# the server blocked after ${(done * chunk.length / 1048576).toFixed(1)} MiB written (client high-water mark 128 KiB)`);
  // Now read everything: the server's backlog drains.
  const reader = readable.getReader();
  let received = 0;
  while (received < sent) {
    const { value } = await withTimeout(reader.read(), 5000, 'a message');
    received++;
    assert.equal(value.byteLength, chunk.length);
  }
  await withTimeout(new Promise((r) => (function wait() { done === sent ? r() : setTimeout(wait, 5); })()), 5000, 'server sends to settle');
  s.close();
  await s.closed;
});

test('backpressure out: write() settles when the frame reached the OS', async (t) => {
  const server = await startServer((ws) => ws.pause());
  t.after(() => server.close());
  const s = new WebSocketStream(server.url);
  const { writable } = await s.opened;
  const writer = writable.getWriter();
  const big = new Uint8Array(1024 * 1024);
  let settled = 0;
  const writes = [];
  for (let i = 0; i < 64; i++) writes.push(writer.write(big).then(() => settled++));
  // The server reads nothing: once the kernel buffers fill, later writes stay pending.
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(settled < 64, `${settled} of 64 MiB settled while the peer reads nothing`);
  for (const ws of server.sockets) ws.resume();
  await withTimeout(Promise.all(writes), 10000, 'all writes');
  assert.equal(settled, 64);
  s.close();
  await s.closed;
});

test('WebSocketStream.from(ws) gives a server-side socket the same pair', async (t) => {
  const server = await startServer(async (ws) => {
    const stream = WebSocketStream.from(ws);
    const { readable, writable } = await stream.opened;
    const writer = writable.getWriter();
    for await (const message of readable) await writer.write(typeof message === 'string' ? message.toUpperCase() : message);
  });
  t.after(() => server.close());
  const s = new WebSocketStream(server.url);
  const { readable, writable } = await s.opened;
  const writer = writable.getWriter();
  const reader = readable.getReader();
  await writer.write('shout');
  assert.deepEqual(await reader.read(), { value: 'SHOUT', done: false });
  s.close({ closeCode: 1000 });
  assert.deepEqual(await s.closed, { closeCode: 1000, reason: '' });
});
