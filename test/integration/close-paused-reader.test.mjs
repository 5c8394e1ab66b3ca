// While reading is paused (pause(), a full async iterator, the 'wait' policy
// holding reads), bytes the peer sent before the connection ended sit in the
// socket's read buffer. They are still processed, in order, before the close
// is reported: every message, then the peer's Close with its code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OP, closeBody, frame } from '../helpers/raw-peer.mjs';
import { ROLES } from '../helpers/raw-pairs.mjs';
import { withTimeout } from '../helpers/once.mjs';

const COUNT = 20;
const RUNS = process.env.SOCKETEER_FULL === '1' ? 100 : 10;


/**
 * A paused socket does not notice a reset until it reads or writes again.
 * Resolves once the flood sits in its read buffer (bounded wait).
 */
async function floodBuffered(ws, bytes) {
  const deadline = performance.now() + 5000;
  while (ws._socket.readableLength < bytes) {
    if (performance.now() > deadline) throw new Error(`only ${ws._socket.readableLength} bytes buffered`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The peer sends COUNT messages and a Close(4001) while we are paused (then resets). */
function sendFlood(peer) {
  // No Nagle: every byte is on the wire before the RST (which discards unsent ones).
  // One write: the whole flood is one segment, read into the socket's buffer
  // even while it is paused (a paused socket stops reading after that).
  const frames = [];
  for (let i = 0; i < COUNT; i++) frames.push(frame(OP.text, `m${i}`, { mask: peer.role === 'client' }));
  frames.push(frame(OP.close, closeBody(4001, 'going'), { mask: peer.role === 'client' }));
  peer.socket.setNoDelay(true);
  const flood = Buffer.concat(frames);
  peer.write(flood);
  return flood.length;
}

function floodThenReset(peer) {
  const length = sendFlood(peer);
  peer.reset();
  return length;
}

const delivered = (ws) => {
  const seen = [];
  ws.on('message', (data) => seen.push(String(data)));
  return seen;
};
const expected = Array.from({ length: COUNT }, (_, i) => `m${i}`);

for (const role of ['server', 'client']) {
  test(`${role}: pause(), then the peer's messages, Close and a reset: all delivered, 4001 reported (${RUNS} runs)`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const pair = await ROLES[role]({}, { watch: false });
      const seen = delivered(pair.ws);
      pair.ws.pause();
      await floodBuffered(pair.ws, floodThenReset(pair.peer));
      // Writing to the reset peer fails; the socket closes with the flood still unread.
      pair.ws.send('poke');
      const info = await withTimeout(pair.ws.closed, 5000, 'for the close');
      assert.deepEqual(seen, expected);
      assert.equal(info.code, 4001);
      assert.equal(info.reason, 'going');
      assert.equal(info.wasClean, false, 'our Close could not reach a peer that reset');
      await pair.dispose();
    }
  });

  test(`${role}: pause(), the peer's messages and Close, then our close timer fires: all delivered, 4001 reported`, async () => {
    const pair = await ROLES[role]({ closeTimeout: 150 }, { watch: false });
    const seen = delivered(pair.ws);
    pair.ws.pause();
    for (let i = 0; i < COUNT; i++) pair.peer.send(OP.text, `m${i}`);
    pair.peer.sendClose(4001, 'going');
    // Our own Close goes out; the peer never ends TCP, so the timer destroys the socket.
    pair.ws.close(1000);
    await pair.peer.untilClose();
    const info = await withTimeout(pair.ws.closed, 5000, 'for the close');
    assert.deepEqual(seen, expected);
    assert.deepEqual([info.code, info.reason], [4001, 'going']);
    assert.equal(info.wasClean, true, 'both Close frames were exchanged');
    await pair.dispose();
  });

  test(`${role}: the async iterator paused at 16 queued messages still yields all ${COUNT}, then fails with 4001 after a reset`, async () => {
    const pair = await ROLES[role]({}, { watch: false });
    const iterator = pair.ws[Symbol.asyncIterator]();
    floodThenReset(pair.peer);
    await withTimeout(pair.ws.closed, 5000, 'for the close');
    const seen = [];
    let error = null;
    try {
      for (;;) {
        const { value, done } = await iterator.next();
        if (done) break;
        seen.push(value);
      }
    } catch (e) {
      error = e;
    }
    assert.deepEqual(seen, expected);
    assert.equal(error?.code, 'WS_ERR_CLOSED_ABNORMALLY');
    assert.equal(error?.closeCode, 4001);
    await pair.dispose();
  });

  test(`${role}: reads held by bufferFullPolicy 'wait' still deliver what arrived before a reset`, async () => {
    const pair = await ROLES[role]({ maxBufferedAmount: 16 * 1024, bufferFullPolicy: 'wait' }, { watch: false });
    const seen = delivered(pair.ws);
    pair.peer.socket.pause();
    // Fill the kernel buffers and ours past the cap: the transport stops
    // reading. How much the kernel takes depends on the machine (loopback
    // buffers autotune up to net.ipv4.tcp_rmem's maximum), so send until our
    // own buffer stays well past the cap.
    const big = Buffer.alloc(256 * 1024, 7);
    for (let sent = 0; pair.ws.bufferedAmount < 1024 * 1024; sent++) {
      assert.ok(sent < 512, `the kernel took ${sent} x 256 KiB without pushing back`);
      pair.ws.send(big);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await floodBuffered(pair.ws, sendFlood(pair.peer));
    pair.peer.reset();
    const info = await withTimeout(pair.ws.closed, 5000, 'for the close');
    assert.deepEqual(seen, expected);
    assert.equal(info.code, 4001);
    await pair.dispose();
  });
}

for (const role of ['server', 'client']) {
  test(`${role}: after the peer's Close and then a reset, wasClean is false (our Close never reached it)`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const pair = await ROLES[role]({}, { watch: false });
      pair.peer.sendClose(1000);
      pair.peer.reset();
      const info = await withTimeout(pair.ws.closed, 5000, 'for the close');
      assert.deepEqual(info, { code: 1000, reason: '', wasClean: false });
      await pair.dispose();
    }
  });
}
