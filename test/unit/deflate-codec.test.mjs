import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { createDeflateCodec } from '../../dist/esm/node/deflate-codec.js';
import { zlibLimiter } from '../../dist/esm/node/zlib-limiter.js';
import { bomb, measure } from '../helpers/deflate-bomb.mjs';

const TAIL = Buffer.from([0, 0, 0xff, 0xff]);

function config(overrides = {}) {
  return {
    deflateWindowBits: 15,
    inflateWindowBits: 15,
    deflateNoContextTakeover: false,
    inflateNoContextTakeover: false,
    level: -1,
    memLevel: 8,
    concurrencyLimit: 10,
    ...overrides,
  };
}

/** The two ends of one direction: what `sender` deflates, `receiver` inflates. */
function pair(bits, noContext, extra = {}) {
  const sender = createDeflateCodec(config({ deflateWindowBits: bits, deflateNoContextTakeover: noContext, ...extra }));
  const receiver = createDeflateCodec(config({ inflateWindowBits: bits, inflateNoContextTakeover: noContext, ...extra }));
  return { sender, receiver, close: () => (sender.close(), receiver.close()) };
}

const compress = (codec, data, fin = true) =>
  new Promise((resolve, reject) => codec.compress(data, fin, (e, r) => (e ? reject(e) : resolve(r))));
/** The buffers `codec` inflates `data` into, as its callback gives them (their total checked against its length). */
const decompressParts = (codec, data, fin = true, maxBytes = 1 << 30) =>
  new Promise((resolve, reject) =>
    codec.decompress(data, fin, maxBytes, (e, chunks, length) => {
      if (e) return reject(e);
      assert.equal(chunks.reduce((sum, c) => sum + c.length, 0), length);
      resolve(chunks);
    }),
  );
const decompress = async (codec, data, fin = true, maxBytes = 1 << 30) =>
  Buffer.concat(await decompressParts(codec, data, fin, maxBytes));

/** `original` deflated by `sender` and inflated by `receiver`: the buffers it comes back in, checked to be `original`. */
async function roundTripParts(sender, receiver, original) {
  const chunks = await decompressParts(receiver, await compress(sender, original));
  assert.ok(Buffer.concat(chunks).equals(original));
  return chunks;
}

function text(size, seed = 1) {
  // JSON-like text with repeats at short and long distances.
  const words = ['"id"', '"name"', '"value"', '"socketeer"', 'true', 'false', 'null', '{', '}', '[', ']', ':', ','];
  let x = seed;
  let s = '';
  while (s.length < size) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += words[x % words.length] + (x % 7 === 0 ? String(x % 100000) : '');
  }
  return Buffer.from(s.slice(0, size));
}

test('round trips in every window size and context takeover setting', async () => {
  const messages = [Buffer.alloc(0), Buffer.from('a'), text(1023), text(1024, 2), text(1025, 3), text(70_000, 4), Buffer.alloc(0), text(5000, 5)];
  for (const bits of [8, 9, 10, 11, 12, 13, 14, 15]) {
    for (const noContext of [false, true]) {
      const { sender, receiver, close } = pair(bits, noContext);
      for (const message of messages) {
        const payload = await compress(sender, message);
        assert.ok(payload.length >= 1, 'never an empty payload');
        assert.ok(!payload.subarray(-4).equals(TAIL), 'tail stripped');
        // Any RFC 7692 receiver: append the tail and inflate.
        if (noContext) {
          // Without context takeover each message stands alone: any RFC 7692 receiver can inflate it.
          const alone = zlib.inflateRawSync(Buffer.concat([payload, TAIL]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
          assert.ok(alone.equals(message));
        }
        assert.ok((await decompress(receiver, payload)).equals(message), `bits ${bits} noContext ${noContext} size ${message.length}`);
      }
      close();
    }
  }
});

test('multi-megabyte messages, compressible and not', async () => {
  const { sender, receiver, close } = pair(15, false);
  const random = Buffer.alloc(3 << 20);
  for (let i = 0; i < random.length; i += 4) random.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  for (const message of [text(4 << 20, 9), random, Buffer.alloc(8 << 20, 0x61)]) {
    const payload = await compress(sender, message);
    assert.ok((await decompress(receiver, payload)).equals(message));
  }
  close();
});

test('fragmented messages: compressed in pieces, inflated in other pieces', async () => {
  for (const noContext of [false, true]) {
    const { sender, receiver, close } = pair(15, noContext);
    for (let round = 0; round < 3; round++) {
      const message = text(200_000, 10 + round);
      const parts = [message.subarray(0, 1000), message.subarray(1000, 1000), message.subarray(1000, 150_000), message.subarray(150_000)];
      const frames = [];
      for (let i = 0; i < parts.length; i++) frames.push(await compress(sender, parts[i], i === parts.length - 1));
      const wire = Buffer.concat(frames);
      // Re-split the compressed bytes at arbitrary points, including empty frames.
      const cuts = [0, 1, 1, 7, Math.floor(wire.length / 2), wire.length - 1, wire.length];
      const out = [];
      for (let i = 0; i + 1 < cuts.length; i++) {
        out.push(await decompress(receiver, wire.subarray(cuts[i], cuts[i + 1]), i + 2 === cuts.length));
      }
      assert.ok(Buffer.concat(out).equals(message), `round ${round} noContext ${noContext}`);
    }
    close();
  }
});

test('context takeover is observable in the output size, and reset when negotiated off', async () => {
  const message = text(4000, 42);
  for (const noContext of [false, true]) {
    const { sender, receiver, close } = pair(15, noContext);
    const first = await compress(sender, message);
    const second = await compress(sender, message);
    if (noContext) assert.equal(second.length, first.length);
    else assert.ok(second.length < first.length / 4, `${second.length} vs ${first.length}`);
    assert.ok((await decompress(receiver, first)).equals(message));
    assert.ok((await decompress(receiver, second)).equals(message));
    // The second message alone cannot be inflated without the first when context is kept.
    const fresh = createDeflateCodec(config());
    if (noContext) assert.ok((await decompress(fresh, second)).equals(message));
    else await assert.rejects(decompress(fresh, second), { code: 'WS_ERR_INVALID_COMPRESSED_DATA' });
    fresh.close();
    close();
  }
});

test('window bits 8: Huffman-only output fits a 256-byte window', async () => {
  // Repeats 300 bytes apart: a normal deflater refers back beyond 256 bytes.
  const block = text(300, 7);
  const message = Buffer.concat(Array(20).fill(block));
  const strictInflate = (payload) =>
    new Promise((resolve, reject) => {
      // Output in 64-byte chunks, so back-references must fit the 256-byte window.
      const inflater = zlib.createInflateRaw({ windowBits: 8, chunkSize: 64 });
      const out = [];
      inflater.on('data', (c) => out.push(c)).on('error', reject).on('end', () => resolve(Buffer.concat(out)));
      inflater.end(Buffer.concat([payload, TAIL, Buffer.from([0x03, 0x00])]));
    });
  const normal = createDeflateCodec(config({ deflateWindowBits: 15 }));
  await assert.rejects(strictInflate(await compress(normal, message)), /distance too far back/);
  normal.close();
  const { sender, receiver, close } = pair(8, false);
  for (let i = 0; i < 3; i++) {
    const payload = await compress(sender, message);
    assert.ok(payload.length < message.length, 'still compresses (Huffman coding)');
    assert.ok((await strictInflate(payload)).equals(message));
    assert.ok((await decompress(receiver, payload)).equals(message));
  }
  close();
});

test('peers that end messages with a final block (BFINAL) are understood', async () => {
  const receiver = createDeflateCodec(config());
  for (const word of ['one', 'two', 'three']) {
    const payload = zlib.deflateRawSync(Buffer.from(word)); // Z_FINISH: final block, no tail
    assert.equal((await decompress(receiver, payload)).toString(), word);
  }
  const synced = zlib.deflateRawSync(Buffer.from('four'), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
  assert.equal((await decompress(receiver, synced)).toString(), 'four');
  receiver.close();
});

test('operations queued before earlier ones finish complete in call order', async () => {
  const { sender, receiver, close } = pair(15, false);
  const messages = Array.from({ length: 20 }, (_, i) => text(1000 + i * 997, i));
  const payloads = await Promise.all(messages.map((m) => compress(sender, m)));
  const outputs = await Promise.all(payloads.map((p) => decompress(receiver, p)));
  outputs.forEach((o, i) => assert.ok(o.equals(messages[i]), `message ${i}`));
  close();
});

test('maxBytes: exactly the limit passes, one byte over fails', async () => {
  const message = text(100_000, 3);
  const { sender, close } = pair(15, true);
  const payload = await compress(sender, message);
  const a = createDeflateCodec(config());
  assert.equal((await decompress(a, payload, true, message.length)).length, message.length);
  const b = createDeflateCodec(config());
  await assert.rejects(decompress(b, payload, true, message.length - 1), { code: 'WS_ERR_MESSAGE_TOO_BIG' });
  // The inflate side stays failed; the connection is over anyway.
  await assert.rejects(decompress(b, payload), { code: 'WS_ERR_MESSAGE_TOO_BIG' });
  a.close();
  b.close();
  close();
});

test('corrupt data fails with WS_ERR_INVALID_COMPRESSED_DATA', async () => {
  const codec = createDeflateCodec(config());
  await assert.rejects(decompress(codec, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00])), { code: 'WS_ERR_INVALID_COMPRESSED_DATA' });
  codec.close();
});

async function inflateBomb(payload, maxBytes, frames = 1) {
  const codec = createDeflateCodec(config());
  const { result: error, peak, cpu } = await measure(async () => {
    let budget = maxBytes;
    try {
      const size = Math.ceil(payload.length / frames);
      for (let i = 0; i < frames; i++) {
        const out = await decompress(codec, payload.subarray(i * size, (i + 1) * size), i === frames - 1, budget);
        budget -= out.length;
      }
    } catch (e) {
      return e;
    }
    return undefined;
  });
  codec.close();
  return { error, peak, cpu };
}

test('a ~10 KB bomb stops at maxBytes', async () => {
  const payload = bomb(10); // 10 MB of zeros
  assert.ok(payload.length < 11_000, `${payload.length} bytes`);
  const { error } = await inflateBomb(payload, 1 << 20);
  assert.equal(error?.code, 'WS_ERR_MESSAGE_TOO_BIG');
});

test('a 4 GB bomb (4 MB compressed) costs about maxBytes of memory and stops early', async (t) => {
  const payload = bomb(4096);
  const maxBytes = 16 << 20;
  for (const frames of [1, 64]) {
    const { error, peak, cpu } = await inflateBomb(payload, maxBytes, frames);
    assert.equal(error?.code, 'WS_ERR_MESSAGE_TOO_BIG');
    t.diagnostic(`${frames} frame(s): peak growth ${(peak / 2 ** 20).toFixed(1)} MB, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
    // Inflating 4 GB would take seconds of CPU; stopping at 16 MB takes milliseconds.
    assert.ok(cpu.user + cpu.system < 2_000_000, `cpu ${JSON.stringify(cpu)}`);
    assert.ok(peak < maxBytes + (48 << 20), `peak growth ${(peak / 2 ** 20).toFixed(1)} MB for a ${maxBytes >> 20} MB limit`);
  }
});

test('close() drops pending callbacks, frees the limiter slots and allows no further work', async () => {
  const limit = 3; // a limiter of its own, so that its counters are this test's
  const limiter = zlibLimiter(limit);
  const codecs = Array.from({ length: 6 }, () => createDeflateCodec(config({ concurrencyLimit: limit })));
  const big = text(2 << 20, 8);
  const payload = bomb(64);
  let fired = 0;
  for (const codec of codecs) {
    codec.compress(big, true, () => fired++);
    codec.decompress(payload, true, 1 << 30, () => fired++);
    codec.decompress(payload, true, 1 << 30, () => fired++);
  }
  assert.ok(limiter.stats.running <= limit && limiter.stats.waiting > 0, JSON.stringify(limiter.stats));
  for (const codec of codecs) codec.close();
  assert.deepEqual(limiter.stats, { running: 0, waiting: 0 });
  // Calls after close are ignored.
  codecs[0].compress(big, true, () => fired++);
  codecs[0].decompress(payload, true, 10, () => fired++);
  codecs[0].close();
  // Let in-flight threadpool work finish: a new codec's round trip completes after it.
  const probe = pair(15, false);
  for (let i = 0; i < 5; i++) await decompress(probe.receiver, await compress(probe.sender, big));
  probe.close();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fired, 0);
});

test('close() from inside a callback stops the rest of the queue', async () => {
  const { sender, close } = pair(15, false);
  let calls = 0;
  await new Promise((resolve) => {
    sender.compress(text(10_000), true, () => {
      calls++;
      sender.close();
      setImmediate(resolve);
    });
    sender.compress(text(10_000), true, () => calls++);
  });
  const probe = pair(15, false);
  await compress(probe.sender, text(100_000));
  probe.close();
  assert.equal(calls, 1);
  close();
});

test('the process-wide cap bounds concurrent zlib operations', async () => {
  const limit = 2;
  const limiter = zlibLimiter(limit);
  let peak = 0;
  const codecs = Array.from({ length: 12 }, () => createDeflateCodec(config({ concurrencyLimit: limit })));
  const message = text(300_000, 5);
  await Promise.all(
    codecs.map(async (codec) => {
      const p = compress(codec, message);
      peak = Math.max(peak, limiter.stats.running);
      const payload = await p;
      const out = await decompress(codec, payload);
      assert.ok(out.equals(message));
    }),
  );
  assert.ok(peak <= limit);
  assert.deepEqual(limiter.stats, { running: 0, waiting: 0 });
  for (const codec of codecs) codec.close();
});

test('inflated output comes in 64 KiB buffers: a 64 KiB message on a fresh inflater is one buffer, not a concatenation', async () => {
  const { sender, receiver, close } = pair(15, false);
  try {
    const chunksOf = async (original) => {
      const chunks = await roundTripParts(sender, receiver, original);
      assert.ok(chunks.every((c) => c.length <= 64 * 1024));
      return chunks.length;
    };
    assert.equal(await chunksOf(text(65536, 1)), 1, 'a whole 64 KiB message in one buffer');
    assert.equal(await chunksOf(text(1000, 2)), 1);
    // zlib cuts successive messages from the same buffer: one that starts part-way spans two.
    assert.ok((await chunksOf(text(65536, 3))) <= 2);
    assert.ok((await chunksOf(text(200_000, 4))) <= 5);
  } finally {
    close();
  }
});

test('inflateChunkSize (zlibInflateOptions.chunkSize) sets the size of the buffers a message is inflated into', async () => {
  const { sender, receiver, close } = pair(15, false, { inflateChunkSize: 1024 });
  try {
    const chunks = await roundTripParts(sender, receiver, text(65536, 7));
    assert.ok(chunks.every((c) => c.length <= 1024), 'no buffer above 1 KiB');
    assert.ok(chunks.length >= 64, `${chunks.length} buffers for 64 KiB`);
  } finally {
    close();
  }
});
