// Shared helpers of the permessage-deflate integration tests (not a test file).
import { once } from 'node:events';

export function text(size, seed = 1) {
  const words = ['"id"', '"name"', '"value"', '"socketeer"', 'true', 'false', 'null', '{', '}', '[', ']', ':', ',', 'é', '€'];
  let x = seed;
  let s = '';
  while (s.length < size) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += words[x % words.length] + (x % 7 === 0 ? String(x % 100000) : '');
  }
  // Cut on a character boundary, then pad with ASCII to the exact byte size.
  let buffer = Buffer.from(s.slice(0, size));
  buffer = Buffer.from(buffer.subarray(0, size).toString().replace(/\uFFFD$/, ''));
  return buffer.toString() + 'x'.repeat(size - buffer.length);
}

export function binary(size, seed = 1) {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = i % 3 === 0 ? x & 0xff : 0x41 + (i % 13);
  }
  return out;
}

/** Message sizes around the default threshold, empty, and large. */
export function messages({ large = 1 << 20, threshold = 1024 } = {}) {
  return [
    { data: '', binary: false },
    { data: 'hello', binary: false },
    { data: text(threshold - 1, 2), binary: false },
    { data: text(threshold, 3), binary: false },
    { data: binary(threshold + 1, 4), binary: true },
    { data: text(64 * 1024, 5), binary: false },
    { data: binary(large, 6), binary: true },
    { data: text(5000, 7), binary: false },
  ];
}

export async function listen(WebSocketServer, options) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await once(wss, 'listening');
  return { wss, url: `ws://127.0.0.1:${wss.address().port}` };
}

export function echo(ws) {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

export async function open(ws) {
  if (ws.readyState === 1) return ws;
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

/**
 * Sends every message (some fragmented in three frames) and checks that the
 * echoes come back equal and in order.
 */
export async function roundTrip(ws, list, { fragment = true } = {}) {
  const received = [];
  const done = new Promise((resolve, reject) => {
    const onMessage = (data, isBinary) => {
      received.push({ data, isBinary });
      if (received.length === list.length * (fragment ? 2 : 1)) {
        ws.off('message', onMessage);
        resolve();
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => reject(new Error(`closed with ${code} after ${received.length} messages`)));
  });
  for (const m of list) ws.send(m.data, { binary: m.binary });
  if (fragment) {
    for (const m of list) {
      const buffer = Buffer.from(m.data);
      const a = Math.floor(buffer.length / 3);
      const b = Math.floor((2 * buffer.length) / 3);
      ws.send(buffer.subarray(0, a), { binary: m.binary, fin: false });
      ws.send(buffer.subarray(a, b), { binary: m.binary, fin: false });
      ws.send(buffer.subarray(b), { binary: m.binary, fin: true });
    }
  }
  await done;
  const expected = fragment ? [...list, ...list] : list;
  expected.forEach((m, i) => {
    const got = received[i];
    const same = Buffer.from(m.data).equals(Buffer.isBuffer(got.data) ? got.data : Buffer.from(got.data));
    if (!same || got.isBinary !== m.binary) {
      throw new Error(`message ${i} (${Buffer.byteLength(m.data)} bytes, binary ${m.binary}) came back different`);
    }
  });
}

export async function closeAll(...things) {
  await Promise.all(
    things.map(async (thing) => {
      if (thing === undefined || thing === null) return;
      if (typeof thing.terminate === 'function' && thing.readyState !== 3) {
        const closed = once(thing, 'close');
        thing.close();
        await closed;
      } else if (typeof thing.close === 'function' && typeof thing.clients === 'object') {
        // A test that failed midway may leave connections open; they would hold close() forever.
        for (const client of thing.clients) client.terminate();
        await new Promise((resolve) => thing.close(resolve));
      }
    }),
  );
}

/** The four negotiated parameters, every combination. */
export function* parameterCombinations(bits = [8, 10, 15]) {
  for (const serverNoContextTakeover of [false, true])
    for (const clientNoContextTakeover of [false, true])
      for (const serverMaxWindowBits of bits)
        for (const clientMaxWindowBits of bits)
          yield { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits };
}
