// Faults around the closing handshake, ordering under backpressure, and
// origin checks for browser-facing servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket } from '../../dist/esm/index.js';
import { cleanup, collectUntilClose, connectRaw, frame, nextConnection, OP, parseFrames, rawUpgrade, startServer, statusOf, upgradeRequest, withTimeout } from './lib.mjs';

test('a peer that vanishes without a FIN during the closing handshake: the close timer fires, 1006, nothing left', async () => {
  const { wss, port } = await startServer({ closeTimeout: 300 });
  try {
    const conn = nextConnection(wss);
    const { socket } = await rawUpgrade(port);
    const ws = await conn;
    socket.on('error', () => {});
    socket.on('data', () => {}); // reads, never answers, never ends
    socket.resume();
    const t0 = performance.now();
    ws.close(1000, 'bye');
    const info = await withTimeout(ws.closed, 5000, 'the close timer');
    const ms = performance.now() - t0;
    assert.equal(info.code, 1006);
    assert.equal(info.wasClean, false);
    assert.ok(ms >= 250, `closed after ${ms} ms: before closeTimeout`);
    assert.equal(ws._socket.destroyed, true, 'the socket is destroyed');
    assert.equal(wss.clients.size, 0);
    await withTimeout(new Promise((r) => (socket.destroyed ? r() : socket.once('close', r))), 5000, 'the raw socket to see the end');
  } finally {
    await cleanup(wss);
  }
});

test('messages sent before close() all arrive, in order, before the Close frame, with backpressure', async () => {
  const { wss, port } = await startServer({ highWaterMark: 64 * 1024 });
  try {
    const conn = nextConnection(wss);
    const { socket, leftover } = await rawUpgrade(port);
    const ws = await conn;
    socket.on('error', () => {});
    // The client does not read yet: the server's buffer fills past highWaterMark.
    const count = 200;
    let falseReturns = 0;
    for (let i = 0; i < count; i++) {
      if (!ws.send(Buffer.alloc(64 * 1024, i & 0xff))) falseReturns++;
    }
    ws.close(1000, 'done');
    assert.ok(falseReturns > 0, 'send() reported backpressure');
    let rest = leftover;
    const parsed = [];
    const frames = await withTimeout(
      new Promise((resolve) => {
        socket.on('data', (c) => {
          const step = parseFrames(rest.length === 0 ? c : Buffer.concat([rest, c]));
          rest = step.rest;
          for (const f of step.frames) parsed.push({ opcode: f.opcode, code: f.code, first: f.payload[0] });
          if (step.frames.some((f) => f.opcode === OP.close)) resolve(parsed);
        });
        socket.resume();
      }),
      10_000,
      'the Close frame',
    );
    const data = frames.filter((f) => f.opcode === OP.binary);
    assert.equal(data.length, count);
    data.forEach((f, i) => assert.equal(f.first, i & 0xff, `message ${i} out of order`));
    assert.equal(frames.at(-1).opcode, OP.close, 'the Close frame comes last');
    assert.equal(frames.at(-1).code, 1000);
    socket.write(frame(OP.close, Buffer.from([0x03, 0xe8]), { mask: true }));
    const info = await withTimeout(ws.closed, 5000, 'close');
    assert.equal(info.wasClean, true);
  } finally {
    await cleanup(wss);
  }
});

test('allowedOrigins: other origins and requests without one get 403; a listed origin connects', async () => {
  const { wss, port } = await startServer({ allowedOrigins: ['https://app.example'] });
  try {
    for (const extra of [['Origin: https://evil.example'], [], ['Origin: https://app.example.evil.example'], ['Origin: null']]) {
      const s = await connectRaw(port);
      const done = collectUntilClose(s);
      s.write(upgradeRequest(extra));
      assert.equal(statusOf((await done).text), 403, JSON.stringify(extra));
    }
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { origin: 'https://app.example' });
    await withTimeout(once(ws, 'open'), 5000, 'open');
    ws.close();
    await ws.closed;
  } finally {
    await cleanup(wss);
  }
});
