// permessage-deflate limits and lifetimes over loopback: bombs, a Close
// arriving while inflating, no zlib work or handle left after close, the
// process-wide zlib concurrency cap, 8-bit windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { syncBuiltinESMExports } from 'node:module';
import zlib from 'node:zlib';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { zlibLimiter } from '../../dist/esm/node/zlib-limiter.js';
import { bomb, measure } from '../helpers/deflate-bomb.mjs';
import { closeAll, listen, text } from './deflate-helpers.mjs';
import { closeFrame, frame, rawClient, rawDeflater, rawServer, TAIL, within } from './deflate-raw.mjs';

// Every zlib stream the library creates in this process, to check that none outlives its connection.
const created = [];
for (const name of ['createDeflateRaw', 'createInflateRaw']) {
  const original = zlib[name];
  // node:zlib defines these read-only but configurable.
  Object.defineProperty(zlib, name, {
    configurable: true,
    enumerable: true,
    writable: true,
    value: (...args) => {
      const stream = original(...args);
      created.push(stream);
      return stream;
    },
  });
}
syncBuiltinESMExports();

const next = (emitter, event) => new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
const closeCode = (f) => (f?.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined);


const MB = 1 << 20;

test('a 2 MB message inflating to 2 GB costs about maxPayload and fails with 1009, both sides', async (t) => {
  const maxPayload = 4 * MB;
  const payload = bomb(2048);
  assert.ok(payload.length < maxPayload, `${payload.length} compressed bytes`);
  for (const frames of [1, 32]) {
    // Into a socketeer server.
    const { wss } = await listen(WebSocketServer, { perMessageDeflate: true, maxPayload });
    t.after(() => closeAll(wss));
    const connected = once(wss, 'connection');
    const raw = await rawClient(wss.address().port, 'permessage-deflate');
    t.after(() => raw.socket.destroy());
    const [server] = await connected;
    const errors = [];
    server.on('error', (e) => errors.push(e.code));
    let messages = 0;
    server.on('message', () => messages++);
    const size = Math.ceil(payload.length / frames);
    const bytes = Buffer.concat(
      Array.from({ length: frames }, (_, i) =>
        frame(i === 0 ? 0x2 : 0x0, payload.subarray(i * size, (i + 1) * size), { rsv1: i === 0, fin: i === frames - 1 }),
      ),
    );
    const { result, peak, cpu } = await measure(async () => {
      const closed = next(server, 'close');
      raw.socket.write(bytes);
      const replies = await raw.reader.untilClose();
      return { reply: replies.at(-1), closed: await within(10_000, closed, 'the close event') };
    });
    t.diagnostic(`server, ${frames} frame(s): peak growth ${(peak / MB).toFixed(1)} MB, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
    assert.equal(closeCode(result.reply), 1009);
    assert.equal(result.closed[0], 1009);
    assert.deepEqual(errors, ['WS_ERR_MESSAGE_TOO_BIG']);
    assert.equal(messages, 0);
    // 2 GB inflated would be 2 GB of memory and seconds of CPU.
    assert.ok(peak < maxPayload + 40 * MB, `peak growth ${(peak / MB).toFixed(1)} MB`);
    assert.ok(cpu.user + cpu.system < 3_000_000, `cpu ${JSON.stringify(cpu)}`);
  }
  // Into a socketeer client.
  const peer = await rawServer(() => 'permessage-deflate');
  t.after(() => peer.close());
  const ws = new WebSocket(`ws://127.0.0.1:${peer.port}`, { maxPayload });
  ws.on('error', () => {});
  const connection = await peer.next();
  await within(5000, once(ws, 'open'), 'open');
  const { result, peak } = await measure(async () => {
    const closed = next(ws, 'close');
    connection.socket.write(frame(0x2, payload, { rsv1: true, mask: false }));
    const reply = (await connection.reader.untilClose()).at(-1);
    connection.socket.end();
    return { reply, closed: await within(10_000, closed, 'the close event') };
  });
  t.diagnostic(`client: peak growth ${(peak / MB).toFixed(1)} MB`);
  assert.equal(closeCode(result.reply), 1009);
  assert.ok(result.reply.masked);
  assert.ok(peak < maxPayload + 40 * MB, `peak growth ${(peak / MB).toFixed(1)} MB`);
});

test('a Close that arrives while a message is inflating is handled after it, on both sides', async (t) => {
  const big = text(4 * MB, 9);
  const deflater = rawDeflater();
  const payload = await deflater.compress(Buffer.from(big));
  deflater.close();
  // Server side: message, then close, then the echo of the Close and the end of TCP.
  const { wss } = await listen(WebSocketServer, { perMessageDeflate: true, maxPayload: 64 * MB });
  t.after(() => closeAll(wss));
  const connected = once(wss, 'connection');
  const raw = await rawClient(wss.address().port, 'permessage-deflate');
  const [server] = await connected;
  const events = [];
  server.on('message', (data) => events.push(['message', data.length]));
  const closed = next(server, 'close').then(([code]) => events.push(['close', code]));
  raw.socket.write(Buffer.concat([frame(0x1, payload, { rsv1: true }), closeFrame(1000)]));
  const replies = await raw.reader.untilClose();
  await within(5000, closed, 'the close event');
  assert.deepEqual(events, [['message', Buffer.byteLength(big)], ['close', 1000]]);
  assert.equal(closeCode(replies.at(-1)), 1000);
  // Client side, with the WHATWG close event too.
  const peer = await rawServer(() => 'permessage-deflate');
  t.after(() => peer.close());
  const ws = new WebSocket(`ws://127.0.0.1:${peer.port}`, { maxPayload: 64 * MB });
  const connection = await peer.next();
  await within(5000, once(ws, 'open'), 'open');
  const seen = [];
  ws.on('message', (data) => seen.push(['message', Buffer.from(data).toString() === big]));
  const clientClosed = new Promise((resolve) => ws.addEventListener('close', (e) => resolve(seen.push(['close', e.code, e.wasClean]))));
  connection.socket.write(Buffer.concat([frame(0x1, payload, { rsv1: true, mask: false }), closeFrame(1000, { mask: false })]));
  const echo = (await connection.reader.untilClose()).at(-1);
  assert.equal(closeCode(echo), 1000);
  connection.socket.end();
  await within(5000, clientClosed, 'the client close event');
  assert.deepEqual(seen, [['message', true], ['close', 1000, true]]);
});

test('after close no zlib work runs and no zlib handle is left, however the connection ended', async (t) => {
  const { wss } = await listen(WebSocketServer, { perMessageDeflate: { threshold: 0 }, maxPayload: 64 * MB });
  t.after(() => closeAll(wss));
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      if (String(data) === 'terminate me') ws.terminate();
      else ws.send(data, { binary: isBinary });
    });
  });
  const url = `ws://127.0.0.1:${wss.address().port}`;
  const message = text(2 * MB, 11);
  const endings = ['close', 'terminate', 'close-mid-send', 'terminate-mid-send', 'server-terminate', 'bomb'];
  await Promise.all(
    endings.map(async (ending) => {
      const ws = new WebSocket(url, { maxPayload: 64 * MB });
      ws.on('error', () => {});
      await within(5000, once(ws, 'open'), 'open');
      const closed = next(ws, 'close');
      ws.send(message);
      if (ending.endsWith('mid-send')) {
        // Ends while compression and the echo's inflation are in flight.
        for (let i = 0; i < 3; i++) ws.send(message);
        if (ending.startsWith('close')) ws.close();
        else ws.terminate();
      } else {
        await within(10_000, next(ws, 'message'), 'the echo');
        if (ending === 'close') ws.close();
        else if (ending === 'terminate') ws.terminate();
        else if (ending === 'server-terminate') ws.send('terminate me');
        else ws._socket.write(frame(0x2, bomb(256), { rsv1: true })); // the server fails it with 1009
      }
      await within(10_000, closed, `close (${ending})`);
    }),
  );
  await closeAll(wss);
  assert.ok(created.length >= 2 * endings.length, `${created.length} zlib streams created`);
  // Count zlib calls from here on: none may happen.
  let calls = 0;
  for (const stream of created) {
    for (const method of ['write', 'flush', 'reset', 'params']) {
      const original = stream[method];
      stream[method] = function (...args) {
        calls++;
        return original.apply(this, args);
      };
    }
  }
  // Lets in-flight threadpool work and already-queued callbacks finish.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls, 0, 'zlib calls after every connection had closed');
  const open = created.filter((stream) => stream._handle !== null || !stream.destroyed);
  assert.equal(open.length, 0, `${open.length} of ${created.length} zlib streams still open`);
  for (const limiter of [zlibLimiter(10)]) assert.deepEqual(limiter.stats, { running: 0, waiting: 0 });
});

test('concurrencyLimit caps zlib operations across all connections of the process', async (t) => {
  const limit = 3; // a value no other test in this file uses: its limiter is this test's
  const limiter = zlibLimiter(limit);
  let peak = 0;
  const start = limiter.start;
  limiter.start = function (job) {
    start.call(this, job);
    peak = Math.max(peak, this.stats.running);
  };
  t.after(() => delete limiter.start);
  const options = { threshold: 0, concurrencyLimit: limit };
  const { wss } = await listen(WebSocketServer, { perMessageDeflate: options, maxPayload: 64 * MB });
  t.after(() => closeAll(wss));
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  const url = `ws://127.0.0.1:${wss.address().port}`;
  const clients = await Promise.all(
    Array.from({ length: 8 }, async () => {
      const ws = new WebSocket(url, { perMessageDeflate: options, maxPayload: 64 * MB });
      await within(5000, once(ws, 'open'), 'open');
      return ws;
    }),
  );
  const message = text(512 * 1024, 12);
  const echoes = clients.map((ws) => within(20_000, next(ws, 'message'), 'an echo'));
  for (const ws of clients) ws.send(message);
  // Eight compressions were asked for at once: three run, five wait.
  assert.deepEqual(limiter.stats, { running: limit, waiting: clients.length - limit });
  for (const [data] of await Promise.all(echoes)) assert.equal(Buffer.from(data).toString(), message);
  assert.equal(peak, limit);
  await closeAll(...clients);
  assert.deepEqual(limiter.stats, { running: 0, waiting: 0 });
});

test('8-bit windows: what socketeer compresses inflates with a 256-byte window', async (t) => {
  // Repeats 300 bytes apart, beyond a 256-byte window.
  const block = text(300, 13);
  const message = block.repeat(30);
  const strictInflate = (payload) =>
    new Promise((resolve, reject) => {
      const inflater = zlib.createInflateRaw({ windowBits: 8, chunkSize: 64 });
      const out = [];
      inflater.on('data', (c) => out.push(c)).on('error', reject).on('end', () => resolve(Buffer.concat(out).toString()));
      inflater.end(Buffer.concat([payload, TAIL, Buffer.from([0x03, 0x00])]));
    });
  // Server side, asked by the client.
  const { wss } = await listen(WebSocketServer, { perMessageDeflate: { threshold: 0 } });
  t.after(() => closeAll(wss));
  const connected = once(wss, 'connection');
  const raw = await rawClient(wss.address().port, 'permessage-deflate; server_max_window_bits=8');
  t.after(() => raw.socket.destroy());
  assert.equal(raw.extensions, 'permessage-deflate; server_max_window_bits=8');
  const [server] = await connected;
  server.send(message);
  server.send(message);
  for (let i = 0; i < 2; i++) {
    const f = await raw.reader.next();
    assert.ok(f.rsv1 && f.payload.length < Buffer.byteLength(message));
    // Each message alone (no back-reference into the previous one, nor beyond 256 bytes).
    assert.equal(await strictInflate(f.payload), message);
  }
  // Client side, limited by the server's answer.
  const peer = await rawServer(() => 'permessage-deflate; client_max_window_bits=8');
  t.after(() => peer.close());
  const ws = new WebSocket(`ws://127.0.0.1:${peer.port}`, { perMessageDeflate: { threshold: 0 } });
  const connection = await peer.next();
  await within(5000, once(ws, 'open'), 'open');
  ws.send(message);
  const f = await connection.reader.next();
  assert.ok(f.rsv1);
  assert.equal(await strictInflate(f.payload), message);
  ws.terminate();
});
