// The inflate flood (docs/security.md): a peer sends small compressed frames
// that inflate to 8 MiB of zeros each, as fast as the socket takes them.
// While a message inflates, socketeer stops reading the socket, so TCP slows
// the sender down: what the peer manages to push stays within the kernel's
// buffers plus maxUnparsedBytes, instead of piling up in our memory, and
// messages keep being delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { bomb, measure } from '../helpers/deflate-bomb.mjs';
import { once, withTimeout } from '../helpers/once.mjs';
import { frame, rawClient, rawServer } from '../integration/deflate-raw.mjs';

const MESSAGES = process.env.SOCKETEER_FULL === '1' ? 400 : 100;
const MiB = 1024 * 1024;
/** What the flooder may have pushed into the network by the time MESSAGES arrived: kernel buffers, one read, the backlog cap. */
const PUSHED_BOUND = 32 * MiB;
const MEMORY_BOUND = 400 * MiB;

/**
 * Writes compressed 8 MiB messages to `socket` as fast as it takes them
 * (honouring its backpressure) until `stop()`; returns the bytes handed to the kernel.
 */
function flood(socket, mask) {
  // RFC 7692 §7.2.1: the sender drops the 00 00 ff ff that ends the sync flush.
  const stream = bomb(8);
  const payload = stream.subarray(0, stream.length - 4);
  const message = frame(0x2, payload, { rsv1: true, mask });
  let handed = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped && !socket.destroyed) {
      handed += message.length;
      if (!socket.write(frame(0x2, payload, { rsv1: true, mask }))) {
        await new Promise((resolve) => {
          const go = () => {
            socket.off('drain', go);
            socket.off('close', go);
            resolve();
          };
          socket.on('drain', go);
          socket.on('close', go);
        });
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      const pushed = handed - socket.writableLength;
      socket.destroy();
      await done;
      return pushed;
    },
  };
}

/** Resolves once `ws` has delivered `count` messages of 8 MiB. */
function deliveries(ws, count) {
  let seen = 0;
  return withTimeout(
    new Promise((resolve, reject) => {
      ws.on('message', (data) => {
        if (data.length !== 8 * MiB) reject(new Error(`a message of ${data.length} bytes`));
        if (++seen === count) resolve(seen);
      });
    }),
    60_000,
    `for ${count} inflated messages`,
  );
}

/** Floods `ws` (of `role`) through the raw peer's `socket` until MESSAGES arrived; checks what got through. */
async function floodUntilDelivered(role, socket, ws) {
  const { result: pushed, peak } = await measure(async () => {
    const attacker = flood(socket, role === 'server');
    await deliveries(ws, MESSAGES);
    return attacker.stop();
  });
  console.log(`${role} role: the flooder pushed ${(pushed / MiB).toFixed(1)} MiB for ${MESSAGES} messages; peak memory growth ${(peak / MiB).toFixed(0)} MiB`);
  assert.ok(pushed < PUSHED_BOUND, `the flooder pushed ${pushed} bytes: reading was not held while inflating`);
  assert.ok(peak < MEMORY_BOUND, `memory grew by ${peak} bytes`);
}

test(`server: a client flooding 8 MiB deflate bombs is slowed by TCP (${MESSAGES} messages)`, async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
  await once(wss, 'listening');
  const connection = once(wss, 'connection');
  const { socket } = await rawClient(wss.address().port, 'permessage-deflate');
  const [ws] = await connection;
  await floodUntilDelivered('server', socket, ws);
  await wss.close();
});

test(`client: a server flooding 8 MiB deflate bombs is slowed by TCP (${MESSAGES} messages)`, async () => {
  const server = await rawServer((offer) => (offer?.includes('permessage-deflate') ? 'permessage-deflate' : undefined));
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  const [{ socket }] = await Promise.all([server.next(), once(ws, 'open')]);
  ws.on('error', () => {});
  await floodUntilDelivered('client', socket, ws);
  // What the flooder pushed before it went away is still queued behind the inflation: drop it.
  ws.terminate();
  await withTimeout(ws.closed, 5000, 'for the client to close');
  await server.close();
});
