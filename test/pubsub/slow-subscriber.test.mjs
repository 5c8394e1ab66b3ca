// A subscriber that never reads: its buffer stays bounded by
// maxBufferedAmount, the publisher is never held up and the others receive
// everything in order. slowSubscriberPolicy 'close' (default): it is closed
// with 1008. 'skip': it stays open, skipped messages are counted in
// 'publish-skipped' events, and once it reads again it gets the rest in order.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { HOST, recordingClient, until, within } from './lib.mjs';

const CAP = 1024 * 1024;
const SIZE = 64 * 1024;
const COUNT = 600; // 37.5 MiB in all: far more than the kernel's loopback buffers hold

async function setup(policy) {
  const wss = new WebSocketServer({ port: 0, host: HOST, perMessageDeflate: false, maxBufferedAmount: CAP, ...(policy ? { slowSubscriberPolicy: policy } : {}) });
  await once(wss, 'listening');
  const url = `ws://${HOST}:${wss.address().port}`;
  const join = async () => {
    const accepted = once(wss, 'connection');
    const client = await recordingClient(WebSocket, url);
    const [server] = await accepted;
    server.on('error', () => {}); // the 'close' policy reports WS_ERR_BUFFER_OVERFLOW; the close code is checked
    server.subscribe('firehose');
    return { ...client, server };
  };
  const fast = await join();
  const stuck = await join();
  stuck.ws.pause(); // stops reading its socket: TCP backpressure reaches the server
  return { wss, fast, stuck };
}

/** Publishes COUNT numbered messages, keeping the fast reader close behind; returns the stuck socket's largest buffer. */
async function publishAll(wss, fast, stuckServer) {
  let maxBuffered = 0;
  for (let i = 0; i < COUNT; i++) {
    const data = Buffer.alloc(SIZE, i % 256);
    data.writeUInt32BE(i, 0);
    wss.publish('firehose', data);
    maxBuffered = Math.max(maxBuffered, stuckServer.bufferedAmount);
    if (i % 4 === 3) await until(() => fast.received.length >= i - 4, `the fast subscriber near ${i}`);
  }
  await within(20_000, until(() => fast.received.length === COUNT, 'every message on the fast subscriber', 20_000));
  return maxBuffered;
}

const index = (m) => m.binary.readUInt32BE(0);

describe('a subscriber that never reads', () => {
  test('default policy: closed with 1008 at maxBufferedAmount; the others get everything in order', { timeout: 60_000 }, async () => {
    const { wss, fast, stuck } = await setup();
    try {
      // (events.once would reject on the 'error' that comes first.)
      const serverClosed = new Promise((resolve) => stuck.server.on('close', (...args) => resolve(args)));
      const maxBuffered = await publishAll(wss, fast, stuck.server);
      assert.deepEqual(fast.received.map(index), Array.from({ length: COUNT }, (_, i) => i));
      const [code] = await within(5000, serverClosed, 'the stuck subscriber to be closed');
      assert.equal(code, 1008);
      assert.ok(maxBuffered <= CAP + 2 * SIZE, `buffer reached ${maxBuffered} bytes`);
      assert.equal(wss.subscriberCount('firehose'), 1);
    } finally {
      fast.ws.terminate();
      stuck.ws.terminate();
      await wss.close();
    }
  });

  test("slowSubscriberPolicy 'skip': left out and counted, never closed; reads the rest in order once it reads again", { timeout: 60_000 }, async () => {
    const { wss, fast, stuck } = await setup('skip');
    const skips = [];
    wss.on('publish-skipped', (ws, info) => skips.push({ ws, ...info }));
    try {
      const maxBuffered = await publishAll(wss, fast, stuck.server);
      assert.deepEqual(fast.received.map(index), Array.from({ length: COUNT }, (_, i) => i));
      assert.ok(maxBuffered <= CAP, `buffer reached ${maxBuffered} bytes`);
      assert.ok(skips.length > COUNT / 2, `${skips.length} skips`);
      assert.ok(skips.every((s) => s.ws === stuck.server && s.topic === 'firehose' && s.bytes === SIZE));
      assert.deepEqual(skips.map((s) => s.skipped), skips.map((_, i) => i + 1));
      assert.equal(stuck.server.readyState, WebSocket.OPEN);

      stuck.ws.resume();
      wss.publish('firehose', Buffer.from('0000last'));
      await within(20_000, until(() => stuck.received.at(-1)?.binary?.toString('latin1', 4) === 'last', 'the stuck subscriber to catch up'));
      const got = stuck.received.slice(0, -1).map(index);
      assert.equal(got.length + skips.length, COUNT);
      assert.deepEqual(got, [...got].sort((a, b) => a - b)); // in order, with gaps where skipped
      assert.equal(new Set(got).size, got.length);
    } finally {
      fast.ws.terminate();
      stuck.ws.terminate();
      await wss.close();
    }
  });

  test('slowSubscriberPolicy must be close or skip (coded error)', () => {
    assert.throws(() => new WebSocketServer({ noServer: true, slowSubscriberPolicy: 'drop' }), { code: 'WS_ERR_INVALID_OPTION', message: /'close' or 'skip'/ });
  });
});
