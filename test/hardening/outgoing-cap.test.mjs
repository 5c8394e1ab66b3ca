// The cap on bytes buffered for a peer that stops reading: an echo server
// and a ping flood against a client that never reads. 'close' fails with
// 1008 and frees the buffer; 'wait' stops reading until the peer drains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from '../../dist/esm/index.js';
import { cleanup, frame, OP, rawUpgrade, nextConnection, startServer, withTimeout, collectGarbage } from './lib.mjs';

const MiB = 1024 * 1024;
const CAP = 2 * MiB;

async function echoServerWithDeafClient(options) {
  const { wss, port } = await startServer(options);
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const conn = nextConnection(wss);
  const { socket, leftover } = await rawUpgrade(port);
  const ws = await conn;
  socket.on('error', () => {});
  // The client never reads: the socket stays paused, the kernel buffers fill.
  return { wss, port, ws, socket, leftover };
}

/** Send `count` distinct 64 KiB messages; stop when the server closes or stops reading. */
async function pushMessages(socket, count, stop) {
  let sent = 0;
  for (; sent < count && !socket.destroyed && !stop(); sent++) {
    const payload = Buffer.alloc(64 * 1024, sent & 0xff);
    if (!socket.write(frame(OP.binary, payload, { mask: true }))) {
      const drained = await Promise.race([
        new Promise((r) => socket.once('drain', () => r(true))),
        new Promise((r) => socket.once('close', () => r(false))),
        new Promise((r) => stopWaiters.push(() => r(false))),
      ]);
      if (!drained) break;
    }
  }
  return sent;
}
const stopWaiters = [];
const wakeStopWaiters = () => stopWaiters.splice(0).forEach((w) => w());

test('bufferFullPolicy close: an echo to a client that never reads closes with 1008 near the cap', async () => {
  const p = await echoServerWithDeafClient({ maxBufferedAmount: CAP });
  try {
    await collectGarbage();
    const before = process.memoryUsage();
    let peakBuffered = 0;
    p.ws.on('message', () => (peakBuffered = Math.max(peakBuffered, p.ws.bufferedAmount)));
    let closed = null;
    p.ws.closed.then((info) => {
      closed = info;
      wakeStopWaiters();
    });
    // Stop early once the cap is clearly not enforced, so a regression fails fast.
    const sent = await pushMessages(p.socket, 600, () => closed !== null || peakBuffered > 2 * CAP);
    const info = await withTimeout(p.ws.closed, 2000, 'the server to give up on the deaf client');
    assert.equal(info.code, 1008);
    assert.equal(info.wasClean, false);
    assert.ok(sent < 600, 'the server stopped the flood');
    assert.ok(peakBuffered <= CAP + 64 * 1024 + 1024, `buffered ${peakBuffered} bytes against a cap of ${CAP}`);
    await collectGarbage();
    const grown = process.memoryUsage().arrayBuffers - before.arrayBuffers;
    assert.ok(grown < 8 * MiB, `array buffers grew by ${grown} bytes after the close`);
  } finally {
    await cleanup(p.wss);
  }
});

test("bufferFullPolicy wait: the echo server stops reading at the cap and loses nothing once the client reads", async () => {
  const p = await echoServerWithDeafClient({ maxBufferedAmount: CAP, bufferFullPolicy: 'wait' });
  try {
    let peakBuffered = 0;
    p.ws.on('message', () => (peakBuffered = Math.max(peakBuffered, p.ws.bufferedAmount)));
    // Push until the server stops reading (our writes stop draining).
    const total = 400; // 25 MiB: far past the cap plus the kernel buffers
    const pushing = pushMessages(p.socket, total, () => false);
    // Now read everything the server echoes, in order.
    let acc = p.leftover;
    let received = 0;
    const done = withTimeout(
      new Promise((resolve) => {
        p.socket.on('data', (chunk) => {
          acc = Buffer.concat([acc, chunk]);
          for (;;) {
            if (acc.length < 10) break;
            const len = Number(acc.readBigUInt64BE(2));
            if (acc.length < 10 + len) break;
            assert.equal(acc[0], 0x82);
            assert.equal(acc[10], received & 0xff, `message ${received} out of order`);
            acc = acc.subarray(10 + len);
            if (++received === total) resolve();
          }
        });
      }),
      30_000,
      'every echo',
    );
    // Start reading only once the server has paused (its buffer passed the cap).
    await withTimeout(
      new Promise((resolve) => {
        const check = () => (p.ws.bufferedAmount > CAP ? resolve() : setImmediate(check));
        check();
      }),
      10_000,
      'the server buffer to reach the cap',
    );
    p.socket.resume();
    await pushing;
    await done;
    assert.equal(received, total);
    assert.equal(p.ws.readyState, WebSocket.OPEN);
    assert.ok(peakBuffered <= CAP + 64 * 1024 + 1024, `buffered ${peakBuffered} bytes against a cap of ${CAP}`);
  } finally {
    await cleanup(p.wss);
  }
});

test('ping flood from a client that never reads: pongs stay under the cap, other clients are served', async () => {
  for (const policy of ['close', 'wait']) {
    const { wss, port } = await startServer({ maxBufferedAmount: CAP, bufferFullPolicy: policy });
    wss.on('connection', (ws) => {
      ws.on('error', () => {});
      ws.on('message', (d) => ws.send(d));
    });
    try {
      const conn = nextConnection(wss);
      const { socket } = await rawUpgrade(port);
      const flooded = await conn;
      socket.on('error', () => {});
      let peak = 0;
      flooded.on('ping', () => (peak = Math.max(peak, flooded.bufferedAmount)));
      const batch = Buffer.concat(Array(1000).fill(frame(OP.ping, Buffer.alloc(125, 1), { mask: true })));
      let stopped = false;
      // Under 'wait' the server stops reading us, so our writes never drain:
      // watch its buffer instead (no event says "stopped reading").
      let heldTimer = null;
      const held = new Promise((resolve) => {
        if (policy !== 'wait') return;
        heldTimer = setInterval(() => flooded.bufferedAmount > CAP && resolve(), 5);
      });
      const flooding = (async () => {
        for (let i = 0; i < 400 && !stopped && !socket.destroyed && peak <= 2 * CAP; i++) {
          if (!socket.write(batch)) {
            await Promise.race([new Promise((r) => socket.once('drain', r)), new Promise((r) => socket.once('close', r)), flooded.closed, held]);
            if (policy === 'wait' && flooded.bufferedAmount > CAP) break; // the server stopped reading us
          }
        }
      })().finally(() => clearInterval(heldTimer));
      // Meanwhile a well-behaved client gets its echo.
      const client = new WebSocket(`ws://127.0.0.1:${port}`);
      await withTimeout(new Promise((r, j) => client.once('open', r).once('error', j)), 5000, 'open');
      client.send('still here');
      const [echo] = await withTimeout(new Promise((r) => client.once('message', (...a) => r(a))), 5000, 'an echo');
      assert.equal(String(echo), 'still here');
      client.close();
      await client.closed;
      await flooding;
      stopped = true;
      // A paused socket still finishes the chunk in hand: up to 64 KiB of pings more.
      assert.ok(peak <= CAP + 64 * 1024 + 1024, `${policy}: ${peak} bytes of pongs buffered against a cap of ${CAP}`);
      if (policy === 'close') assert.equal((await withTimeout(flooded.closed, 5000, 'close')).code, 1008);
    } finally {
      await cleanup(wss);
    }
  }
});

test('invalid maxBufferedAmount or bufferFullPolicy throws WS_ERR_INVALID_OPTION', async () => {
  const { WebSocketServer } = await import('../../dist/esm/index.js');
  for (const options of [{ maxBufferedAmount: 0 }, { maxBufferedAmount: '1' }, { bufferFullPolicy: 'drop' }]) {
    assert.throws(() => new WebSocketServer({ noServer: true, ...options }), (e) => e.code === 'WS_ERR_INVALID_OPTION');
    assert.throws(() => new WebSocket('ws://127.0.0.1:1', options), (e) => e.code === 'WS_ERR_INVALID_OPTION');
  }
});
