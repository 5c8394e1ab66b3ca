// Every send callback (and sendAsync promise) settles exactly once, however
// the connection ends: success only for data handed to the OS, an error with
// a code for data that never went out. With permessage-deflate, a message
// being compressed and the messages queued behind it are covered too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SWebSocket, SWebSocketServer } from '../helpers/pairs.mjs';
import { once, withTimeout } from '../helpers/once.mjs';
import { closeFrame, rawServer } from './deflate-raw.mjs';

const RUNS = process.env.SOCKETEER_FULL === '1' ? 100 : 10;
const DEFLATE = { threshold: 0 };
// Random bytes take zlib tens of milliseconds: long enough for the end of
// the connection to arrive while the message is still being compressed.
const LARGE = randomBytes(4 * 1024 * 1024);

/** A send callback that records how often it ran and with what. */
function recorder() {
  const calls = [];
  let resolve;
  const settled = new Promise((r) => (resolve = r));
  const callback = (error) => {
    calls.push(error ?? null);
    resolve();
  };
  return { calls, callback, settled: () => withTimeout(settled, 5000, 'for the send callback') };
}

/** Waits a macrotask so a second (wrong) call of a callback would have shown up. */
const afterIo = () => new Promise((resolve) => setImmediate(resolve));

async function deflatePair() {
  const wss = new SWebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: DEFLATE });
  await once(wss, 'listening');
  const connection = once(wss, 'connection');
  const ws = new SWebSocket(`ws://127.0.0.1:${wss.address().port}/`, { perMessageDeflate: DEFLATE });
  await once(ws, 'open');
  const [serverWs] = await connection;
  return { ws, serverWs, dispose: () => withTimeout(new Promise((r) => wss.close(() => r())), 5000, 'server close') };
}

test(`terminate() while a message is compressing: its callback and the ones queued behind it get an error (${RUNS} runs)`, async () => {
  for (let run = 0; run < RUNS; run++) {
    const { ws, dispose } = await deflatePair();
    const large = recorder();
    const small = recorder();
    ws.send(LARGE, large.callback);
    ws.send('small', small.callback);
    const asyncSend = ws.sendAsync('after');
    ws.terminate();
    await Promise.all([large.settled(), small.settled()]);
    await assert.rejects(asyncSend, { code: 'WS_ERR_NOT_OPEN' });
    await ws.closed;
    await afterIo();
    for (const r of [large, small]) {
      assert.equal(r.calls.length, 1, 'called exactly once');
      assert.equal(r.calls[0]?.code, 'WS_ERR_NOT_OPEN');
    }
    await dispose();
  }
});

async function rawDeflateServer() {
  return rawServer((offer) => (offer?.includes('permessage-deflate') ? 'permessage-deflate' : undefined));
}

test(`a reset while a message is compressing: every callback settles once, with an error (${RUNS} runs)`, async () => {
  const server = await rawDeflateServer();
  for (let run = 0; run < RUNS; run++) {
    const ws = new SWebSocket(`ws://127.0.0.1:${server.port}/`, { perMessageDeflate: DEFLATE });
    const [{ socket }] = await Promise.all([server.next(), once(ws, 'open')]);
    const large = recorder();
    const small = recorder();
    ws.send(LARGE, large.callback);
    ws.send('small', small.callback);
    const asyncSend = ws.sendAsync('after');
    socket.resetAndDestroy();
    await Promise.all([large.settled(), small.settled()]);
    await assert.rejects(asyncSend, { code: 'WS_ERR_NOT_OPEN' });
    const info = await withTimeout(ws.closed, 5000, 'for the close');
    await afterIo();
    assert.deepEqual(info, { code: 1006, reason: '', wasClean: false });
    for (const r of [large, small]) {
      assert.equal(r.calls.length, 1, 'called exactly once');
      assert.equal(r.calls[0]?.code, 'WS_ERR_NOT_OPEN');
    }
  }
  await server.close();
});

test(`the peer's Close and FIN while a message is compressing: the messages, then our Close, go out; callbacks succeed once (${RUNS} runs)`, async () => {
  const server = await rawDeflateServer();
  for (let run = 0; run < RUNS; run++) {
    const ws = new SWebSocket(`ws://127.0.0.1:${server.port}/`, { perMessageDeflate: DEFLATE });
    const [{ socket, reader }] = await Promise.all([server.next(), once(ws, 'open')]);
    const large = recorder();
    const small = recorder();
    ws.send(LARGE, large.callback);
    ws.send('small', small.callback);
    socket.end(closeFrame(4000, { mask: false }));
    const frames = await reader.untilClose();
    const info = await withTimeout(ws.closed, 5000, 'for the close');
    await Promise.all([large.settled(), small.settled()]);
    await afterIo();
    assert.deepEqual(
      frames.map((f) => f.opcode),
      [0x2, 0x1, 0x8],
      'both messages, then the Close reply',
    );
    assert.equal(frames[2].payload.readUInt16BE(0), 4000);
    assert.deepEqual(info, { code: 4000, reason: '', wasClean: true });
    assert.deepEqual([large.calls, small.calls], [[null], [null]]);
  }
  await server.close();
});

test('a message sent before close() leaves before the Close frame, though its compression finishes later', async () => {
  const server = await rawDeflateServer();
  const ws = new SWebSocket(`ws://127.0.0.1:${server.port}/`, { perMessageDeflate: DEFLATE });
  const [{ socket, reader }] = await Promise.all([server.next(), once(ws, 'open')]);
  const sent = recorder();
  ws.send(LARGE, sent.callback);
  ws.close(1000, 'done');
  const frames = await reader.untilClose();
  assert.deepEqual(frames.map((f) => [f.opcode, f.rsv1]), [[0x2, true], [0x8, false]]);
  socket.end(closeFrame(1000, { mask: false }));
  const info = await withTimeout(ws.closed, 5000, 'for the close');
  assert.deepEqual(info, { code: 1000, reason: '', wasClean: true });
  await sent.settled();
  assert.deepEqual(sent.calls, [null]);
  await server.close();
});

test(`a small message, then a 20 MB send and terminate() in one turn: the small one succeeds, the large one fails (${RUNS} runs)`, async () => {
  const wss = new SWebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const large = Buffer.alloc(20 * 1024 * 1024, 1);
  for (let run = 0; run < RUNS; run++) {
    const connection = once(wss, 'connection');
    const ws = new SWebSocket(`ws://127.0.0.1:${wss.address().port}/`, { perMessageDeflate: false });
    await once(ws, 'open');
    const [serverWs] = await connection;
    const received = once(serverWs, 'message');
    const small = recorder();
    const big = recorder();
    ws.send('small', small.callback);
    ws.send(large, big.callback);
    ws.terminate();
    await Promise.all([small.settled(), big.settled()]);
    const [data] = await received;
    assert.equal(String(data), 'small', 'the peer received the small message');
    await afterIo();
    assert.deepEqual(small.calls, [null], 'the small message reached the OS');
    assert.equal(big.calls.length, 1);
    assert.equal(big.calls[0]?.code, 'WS_ERR_NOT_OPEN');
  }
  await withTimeout(new Promise((r) => wss.close(() => r())), 5000, 'server close');
});
