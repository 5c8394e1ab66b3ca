// Message and frame limits over loopback: maxPayload checked on the header
// (before any allocation), 64-bit lengths, fragment floods, trickled frames,
// and a decompression bomb. A raw masked client plays the hostile peer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { cleanup, frame, OP, parseFrames, rawUpgrade, nextConnection, startServer, withTimeout, collectGarbage } from './lib.mjs';

const MiB = 1024 * 1024;

/**
 * A server with `options`, one raw client upgraded to it, and the server-side
 * WebSocket. `received` collects the server's frames to the raw client.
 */
async function hostilePair(options = {}, extraLines = []) {
  const { wss, port } = await startServer(options);
  const conn = nextConnection(wss);
  const { socket, leftover } = await rawUpgrade(port, extraLines);
  const ws = await conn;
  const messages = [];
  ws.on('message', (data, isBinary) => messages.push({ data, isBinary }));
  ws.on('error', () => {});
  let wire = leftover;
  socket.on('data', (c) => (wire = Buffer.concat([wire, c])));
  socket.on('error', () => {});
  socket.resume();
  return {
    wss, ws, socket, messages,
    serverFrames: () => parseFrames(wire).frames,
    closeFrame: () => parseFrames(wire).frames.find((f) => f.opcode === OP.close),
    dispose: () => cleanup(wss),
  };
}

/** Write `count` copies of `unit` in batches, honouring backpressure; stops when the socket closes. */
async function flood(socket, unit, count, batchSize = 4096) {
  const batch = Buffer.concat(Array(Math.min(batchSize, count)).fill(unit));
  let sent = 0;
  while (sent < count && !socket.destroyed && socket.writable) {
    const n = Math.min(batchSize, count - sent);
    const ok = socket.write(n === batchSize ? batch : batch.subarray(0, n * unit.length));
    sent += n;
    if (!ok) await new Promise((r) => { socket.once('drain', r); socket.once('close', r); });
  }
  return sent;
}

test('maxPayload: a frame header announcing more is refused with 1009 before its payload arrives', async () => {
  const p = await hostilePair({ maxPayload: 1000 });
  try {
    // Only the 4-byte header + mask of a 1001-byte frame: the payload never comes.
    p.socket.write(frame(OP.binary, Buffer.alloc(1001), { mask: true }).subarray(0, 8));
    const info = await withTimeout(p.ws.closed, 5000, 'the server to close');
    assert.equal(info.code, 1009);
    assert.equal(p.closeFrame()?.code, 1009);
  } finally {
    await p.dispose();
  }
});

test('maxPayload counts the whole message: 600 + 600 in two fragments is refused, 1000 accepted', async () => {
  const ok = await hostilePair({ maxPayload: 1000 });
  try {
    ok.socket.write(frame(OP.binary, Buffer.alloc(500, 1), { mask: true, fin: false }));
    ok.socket.write(frame(OP.cont, Buffer.alloc(500, 2), { mask: true }));
    ok.socket.write(frame(OP.close, Buffer.from([0x03, 0xe8]), { mask: true }));
    const info = await withTimeout(ok.ws.closed, 5000, 'close');
    assert.equal(info.code, 1000);
    assert.equal(ok.messages.length, 1);
    assert.equal(ok.messages[0].data.length, 1000);
  } finally {
    await ok.dispose();
  }
  const big = await hostilePair({ maxPayload: 1000 });
  try {
    big.socket.write(frame(OP.binary, Buffer.alloc(600, 1), { mask: true, fin: false }));
    big.socket.write(frame(OP.cont, Buffer.alloc(600, 2), { mask: true }));
    const info = await withTimeout(big.ws.closed, 5000, 'close');
    assert.equal(info.code, 1009);
    assert.equal(big.messages.length, 0);
  } finally {
    await big.dispose();
  }
});

test('64-bit lengths: 2^63-1 is refused with 1009 (no allocation), 2^63 with 1002', async () => {
  for (const [hi, expected] of [[0x7f, 1009], [0x80, 1002]]) {
    const p = await hostilePair();
    try {
      const before = process.memoryUsage().arrayBuffers;
      p.socket.write(Buffer.from([0x82, 0xff, hi, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6]));
      const info = await withTimeout(p.ws.closed, 5000, 'close');
      assert.equal(info.code, expected);
      assert.equal(p.closeFrame()?.code, expected);
      assert.ok(process.memoryUsage().arrayBuffers - before < 16 * MiB, 'nothing sized by the length was allocated');
    } finally {
      await p.dispose();
    }
  }
});

test('a legitimate 4 MiB message in 64-byte fragments (65,536 frames) is accepted with the default limits', async () => {
  const p = await hostilePair();
  try {
    const piece = Buffer.alloc(64, 0x5a);
    p.socket.write(frame(OP.binary, piece, { mask: true, fin: false }));
    await flood(p.socket, frame(OP.cont, piece, { mask: true, fin: false }), 65_534);
    p.socket.write(frame(OP.cont, piece, { mask: true }));
    p.socket.write(frame(OP.close, Buffer.from([0x03, 0xe8]), { mask: true }));
    const info = await withTimeout(p.ws.closed, 20_000, 'close');
    assert.equal(info.code, 1000, `closed with ${info.code} ${info.reason}`);
    assert.equal(p.messages.length, 1);
    assert.equal(p.messages[0].data.length, 4 * MiB);
    assert.ok(p.messages[0].data.every((b) => b === 0x5a));
  } finally {
    await p.dispose();
  }
});

test('a frame trickled in 1-byte TCP writes arrives whole, with memory near its size', async () => {
  const p = await hostilePair();
  try {
    // 64 KiB in ~30,000 TCP reads: keeping each read as its own Buffer would
    // retain several MiB of per-part overhead; packed, it retains about the payload.
    const payload = Buffer.alloc(64 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
    const bytes = frame(OP.binary, payload, { mask: true });
    await collectGarbage();
    const before = process.memoryUsage();
    for (let i = 0; i < bytes.length - 1; i++) {
      p.socket.write(bytes.subarray(i, i + 1));
      // Let the bytes leave in tiny segments.
      if ((i & 1) === 1) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => p.socket.write(Buffer.alloc(0), r));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    // All but the last byte are held by the server now: measure what stays alive.
    await collectGarbage();
    const held = process.memoryUsage();
    const retained = held.heapUsed + held.arrayBuffers - before.heapUsed - before.arrayBuffers;
    assert.equal(p.messages.length, 0, 'not delivered before its last byte');
    p.socket.write(bytes.subarray(bytes.length - 1));
    await withTimeout(new Promise((r) => (p.messages.length > 0 ? r() : p.ws.once('message', r))), 10_000, 'the message');
    assert.deepEqual(p.messages[0].data, payload);
    assert.ok(retained < 2 * MiB, `retained ${retained} bytes while holding 64 KiB trickled in tiny reads`);
  } finally {
    await p.dispose();
  }
});

test(
  'fragment flood: 100,000 one-byte fragments are refused (1008/1009) within the byte budget, memory bounded',
  async () => {
    // 100,001 payload bytes fit in maxPayload (1 MiB); the frames do not fit
    // in the budget (maxPayload + 1 MiB, each frame counting 128 bytes more).
    const p = await hostilePair({ maxPayload: MiB });
    try {
      await collectGarbage();
      const before = process.memoryUsage();
      p.socket.write(frame(OP.binary, Buffer.from([1]), { mask: true, fin: false }));
      const sent = await flood(p.socket, frame(OP.cont, Buffer.from([1]), { mask: true, fin: false }), 100_000);
      if (!p.socket.destroyed) p.socket.write(frame(OP.cont, Buffer.from([1]), { mask: true }));
      const info = await withTimeout(
        Promise.race([p.ws.closed, new Promise((r) => p.ws.once('message', () => r({ code: 'message accepted' })))]),
        20_000,
        'close',
      );
      assert.ok(info.code === 1008 || info.code === 1009, `closed with ${info.code}`);
      assert.equal(p.messages.length, 0);
      const after = process.memoryUsage();
      assert.ok(after.heapUsed - before.heapUsed < 32 * MiB, 'heap bounded');
      assert.ok(sent <= 100_000);
    } finally {
      await p.dispose();
    }
  },
);

test('decompression bomb: 64 MiB of zeros in a 64 KiB frame is refused with 1009, memory bounded', async () => {
  const p = await hostilePair({ maxPayload: MiB, perMessageDeflate: true }, ['Sec-WebSocket-Extensions: permessage-deflate']);
  try {
    const deflated = zlib.deflateRawSync(Buffer.alloc(64 * MiB), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const body = deflated.subarray(0, deflated.length - 4);
    await collectGarbage();
    const before = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.arrayBuffers + m.external - before.arrayBuffers - before.external);
    }, 5);
    p.socket.write(frame(OP.binary, body, { mask: true, rsv: 4 }));
    const info = await withTimeout(p.ws.closed, 10_000, 'close');
    clearInterval(sampler);
    assert.equal(info.code, 1009, `closed with ${info.code} ${info.reason}`);
    assert.equal(p.messages.length, 0);
    assert.ok(peak < 16 * MiB, `external memory grew by ${peak} bytes inflating a bomb against a 1 MiB limit`);
  } finally {
    await p.dispose();
  }
});
