// The same receive limits on the client side, against a hostile raw server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from '../../dist/esm/index.js';
import { frame, hostileServer, OP, withTimeout } from './lib.mjs';

async function clientAgainst(script, options = {}) {
  const peer = await hostileServer(script);
  const ws = new WebSocket(peer.url, { perMessageDeflate: false, closeTimeout: 200, ...options });
  ws.on('error', () => {});
  let messages = 0;
  ws.on('message', () => messages++);
  try {
    const info = await withTimeout(ws.closed, 10_000, 'the client to close');
    return { info, messages };
  } finally {
    await peer.close();
  }
}

test('client maxPayload: a header announcing more is refused with 1009 before the payload', async () => {
  const { info, messages } = await clientAgainst((s) => s.write(frame(OP.binary, Buffer.alloc(1001)).subarray(0, 4)), { maxPayload: 1000 });
  assert.equal(info.code, 1009);
  assert.equal(messages, 0);
});

test('client: 64-bit lengths 2^63-1 (1009) and 2^63 (1002)', async () => {
  for (const [hi, code] of [[0x7f, 1009], [0x80, 1002]]) {
    const { info } = await clientAgainst((s) => s.write(Buffer.from([0x82, 0x7f, hi, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0])));
    assert.equal(info.code, code);
  }
});

test('client: 100,000 one-byte fragments are refused by the fragment budget (1008)', async () => {
  const { info, messages } = await clientAgainst(
    (s) => {
      s.write(frame(OP.binary, Buffer.from([1]), { fin: false }));
      const batch = Buffer.concat(Array(10_000).fill(frame(OP.cont, Buffer.from([1]), { fin: false })));
      for (let i = 0; i < 10; i++) s.write(batch);
      s.write(frame(OP.cont, Buffer.from([1])));
    },
    { maxPayload: 1024 * 1024 },
  );
  assert.equal(info.code, 1008);
  assert.equal(messages, 0);
});
