// Property-based checks of the sans-I/O core with fast-check, shared by the
// reduced run in `npm test` (fuzz.test.mjs) and the long run (`npm run
// fuzz:full`, fuzz-long.mjs). Each property is { name, arbitrary, predicate }.
import zlib from 'node:zlib';
import fc from 'fast-check';
import { DeflateCodec } from '../../dist/esm/node/deflate-codec.js';
import { Connection } from '../../dist/esm/core/connection.js';
import { parseExtensionHeader } from '../../dist/esm/core/extension-header.js';
import { checkUpgradeRequest, parseTokenList } from '../../dist/esm/core/handshake.js';

const OPC = { cont: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };
/** Close codes a failing connection may send (RFC 6455 §7.4.1). */
const FAILURE_CODES = new Set([1002, 1007, 1008, 1009, 1011]);

export function encodeFrame({ fin, rsv = 0, opcode, payload, maskKey }) {
  const len = payload.length;
  const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const m = maskKey ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(m | 127, ...b);
  }
  const body = Buffer.from(payload);
  if (maskKey) {
    head.push(...maskKey);
    for (let i = 0; i < body.length; i++) body[i] ^= maskKey[i & 3];
  }
  return Buffer.concat([Buffer.from(head), body]);
}

/** A Connection over a recording sink; never throws out of the sink. */
export function harness(role, maxPayload = 1 << 20) {
  const out = { messages: [], pings: [], pongs: [], failures: [], closeFrames: [], written: [], ended: false, timer: false };
  const sink = {
    write(head, tail, cb) {
      out.written.push(Buffer.concat(tail ? [head, tail] : [head]));
      cb?.();
    },
    onMessage: (data, isBinary) => out.messages.push({ data: Buffer.from(data), isBinary }),
    onPing: (d) => out.pings.push(Buffer.from(d)),
    onPong: (d) => out.pongs.push(Buffer.from(d)),
    onCloseFrame: (code, reason) => out.closeFrames.push({ code, reason }),
    onFailure: (e) => out.failures.push(e),
    endTransport: () => (out.ended = true),
    armCloseTimer: () => (out.timer = true),
    inputDrained: () => (out.drained = true),
    holdInput: () => {},
    discardWrites: (callbacks) => callbacks.forEach((cb) => cb(new Error('discarded'))),
  };
  const connection = new Connection(sink, { role, maxPayload });
  return { connection, out };
}

/** Frames the connection wrote, decoded (unmasking a client's). */
export function writtenFrames(written) {
  const buf = Buffer.concat(written);
  const frames = [];
  let off = 0;
  while (off + 2 <= buf.length) {
    const b0 = buf[off];
    const b1 = buf[off + 1];
    let len = b1 & 0x7f;
    let p = off + 2;
    if (len === 126) (len = buf.readUInt16BE(p)), (p += 2);
    else if (len === 127) (len = Number(buf.readBigUInt64BE(p))), (p += 8);
    let key = null;
    if (b1 & 0x80) (key = buf.subarray(p, p + 4)), (p += 4);
    const payload = Buffer.from(buf.subarray(p, p + len));
    if (key) for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload });
    off = p + len;
  }
  return frames;
}

/** Cut `bytes` at the given fractions into chunks (each a fresh copy). */
export function chunk(bytes, cuts) {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const chunks = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p > prev) chunks.push(Buffer.from(bytes.subarray(prev, p)));
    prev = p;
  }
  return chunks;
}

const maskKey = fc.uint8Array({ minLength: 4, maxLength: 4 });
const controlPayload = fc.uint8Array({ maxLength: 125 });
const message = fc.oneof(
  fc.record({ binary: fc.constant(false), text: fc.string({ unit: 'grapheme', maxLength: 200 }) }),
  fc.record({ binary: fc.constant(true), bytes: fc.uint8Array({ maxLength: 3000 }) }),
);
/** A message with its fragment cut points and the control frames interleaved with its fragments. */
const plannedMessage = fc.record({
  message,
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
  controls: fc.array(fc.record({ ping: fc.boolean(), payload: controlPayload, at: fc.nat(6) }), { maxLength: 3 }),
});

export const validSequences = {
  name: 'any valid frame sequence, in any chunking, parses to the same messages (both roles)',
  arbitrary: fc.record({
    role: fc.constantFrom('server', 'client'),
    plans: fc.array(plannedMessage, { maxLength: 8 }),
    keys: fc.array(maskKey, { minLength: 1, maxLength: 4 }),
    chunkCuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
    close: fc.option(fc.record({ code: fc.constantFrom(1000, 1001, 3000, 4999), reason: fc.string({ maxLength: 20 }) })),
  }),
  predicate({ role, plans, keys, chunkCuts, close }) {
    const { connection, out } = harness(role);
    let k = 0;
    const key = () => (role === 'server' ? keys[k++ % keys.length] : null);
    const frames = [];
    const expectedPings = [];
    const expectedPongs = [];
    for (const { message: m, cuts, controls } of plans) {
      const payload = m.binary ? Buffer.from(m.bytes) : Buffer.from(m.text);
      const parts = chunk(payload, cuts);
      if (parts.length === 0) parts.push(Buffer.alloc(0));
      parts.forEach((part, i) => {
        for (const c of controls) {
          if (c.at % parts.length === i && i > 0) {
            frames.push(encodeFrame({ fin: true, opcode: c.ping ? OPC.ping : OPC.pong, payload: Buffer.from(c.payload), maskKey: key() }));
            (c.ping ? expectedPings : expectedPongs).push(Buffer.from(c.payload));
          }
        }
        const opcode = i === 0 ? (m.binary ? OPC.binary : OPC.text) : OPC.cont;
        frames.push(encodeFrame({ fin: i === parts.length - 1, opcode, payload: part, maskKey: key() }));
      });
    }
    if (close) {
      const reason = Buffer.from(close.reason).subarray(0, 100);
      const body = Buffer.alloc(2 + reason.length);
      body.writeUInt16BE(close.code, 0);
      reason.copy(body, 2);
      // A reason cut inside a character would be invalid UTF-8: cut on a boundary.
      const text = body.subarray(2).toString();
      const valid = Buffer.concat([body.subarray(0, 2), Buffer.from(text.includes('\ufffd') ? '' : text)]);
      frames.push(encodeFrame({ fin: true, opcode: OPC.close, payload: valid, maskKey: key() }));
    }
    for (const c of chunk(Buffer.concat(frames), chunkCuts)) connection.receive(c);
    if (out.failures.length > 0) throw new Error(`unexpected failure: ${out.failures[0].message}`);
    if (out.messages.length !== plans.length) throw new Error(`${out.messages.length} messages, expected ${plans.length}`);
    plans.forEach(({ message: m }, i) => {
      const got = out.messages[i];
      const want = m.binary ? Buffer.from(m.bytes) : Buffer.from(m.text);
      if (got.isBinary !== m.binary || !got.data.equals(want)) throw new Error(`message ${i} differs`);
    });
    if (out.pings.length !== expectedPings.length || out.pings.some((p, i) => !p.equals(expectedPings[i]))) throw new Error('pings differ');
    if (out.pongs.length !== expectedPongs.length || out.pongs.some((p, i) => !p.equals(expectedPongs[i]))) throw new Error('pongs differ');
    const written = writtenFrames(out.written);
    const pongsWritten = written.filter((f) => f.opcode === OPC.pong);
    if (pongsWritten.length !== expectedPings.length) throw new Error('every ping must be answered');
    if (close && out.closeFrames.length !== 1) throw new Error('the Close frame must be reported once');
    if (close && written.filter((f) => f.opcode === OPC.close).length !== 1) throw new Error('the Close frame must be echoed once');
    return true;
  },
};

/** Bytes that start like a plausible frame more often than pure noise would. */
const hostileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 300 }))
    .map(([b0, b1, rest]) => Uint8Array.from([b0, b1 | 0x80, ...rest])),
  fc
    .array(fc.record({ fin: fc.boolean(), rsv: fc.nat(7), opcode: fc.nat(15), payload: fc.uint8Array({ maxLength: 140 }) }), { maxLength: 6 })
    .map((frames) => Buffer.concat(frames.map((f) => encodeFrame({ ...f, maskKey: [1, 2, 3, 4] })))),
);

export const anyBytes = {
  name: 'any byte string ends in messages, a failure with a defined close code, or a wait, never an exception',
  arbitrary: fc.record({
    role: fc.constantFrom('server', 'client'),
    bytes: hostileBytes,
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }),
    maxPayload: fc.constantFrom(0, 1, 125, 1000, 1 << 20),
  }),
  predicate({ role, bytes, cuts, maxPayload }) {
    const { connection, out } = harness(role, maxPayload);
    for (const c of chunk(Buffer.from(bytes), cuts)) connection.receive(c);
    const written = writtenFrames(out.written);
    const closes = written.filter((f) => f.opcode === OPC.close);
    if (closes.length > 1) throw new Error('more than one Close frame written');
    if (out.failures.length > 0) {
      const error = out.failures[0];
      if (typeof error.code !== 'string' || !FAILURE_CODES.has(error.closeCode)) throw new Error(`bad failure ${error.code} ${error.closeCode}`);
      if (closes.length !== 1 || closes[0].payload.readUInt16BE(0) !== error.closeCode) throw new Error('the failure must send its Close code');
    }
    for (const m of out.messages) {
      if (m.data.length > maxPayload) throw new Error('a message over maxPayload was delivered');
      if (!m.isBinary && Buffer.from(m.data.toString()).compare(m.data) !== 0) throw new Error('invalid UTF-8 delivered as text');
    }
    for (const c of closes) {
      if (c.payload.length === 1) throw new Error('a 1-byte Close body');
      if (c.payload.length >= 2) {
        const code = c.payload.readUInt16BE(0);
        if ([1004, 1005, 1006, 1015].includes(code) || code < 1000 || code >= 5000) throw new Error(`code ${code} on the wire`);
      }
    }
    const info = connection.transportClosed();
    if (!Number.isInteger(info.code)) throw new Error('close info without a code');
    return true;
  },
};

const headerText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.array(fc.constantFrom('permessage-deflate', ';', ',', '=', ' ', '"', '\\', 'a', 'client_max_window_bits', '15', '__proto__', '\t'), { maxLength: 60 }).map((a) => a.join('')),
);

export const headerParsers = {
  name: 'handshake and extension header parsers return or throw an Error on any input, never anything else',
  arbitrary: fc.record({
    value: headerText,
    headers: fc.dictionary(fc.constantFrom('upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', '__proto__', 'constructor'), headerText),
    method: fc.constantFrom('GET', 'POST', undefined, 'get'),
  }),
  predicate({ value, headers, method }) {
    for (const parse of [parseExtensionHeader, parseTokenList]) {
      try {
        parse(value);
      } catch (error) {
        if (!(error instanceof Error)) throw new Error('threw a non-Error');
      }
    }
    const result = checkUpgradeRequest(method, headers);
    if (typeof result !== 'object' || typeof result.ok !== 'boolean') throw new Error('checkUpgradeRequest returned no verdict');
    if (!result.ok && !(result.status >= 400 && result.status < 500)) throw new Error(`refused with status ${result.status}`);
    return true;
  },
};

export const PROPERTIES = [validSequences, anyBytes, headerParsers];

/** The fast-check property for one of ours (async ones return a promise). */
export function asProperty(property) {
  return property.async
    ? fc.asyncProperty(property.arbitrary, (input) => property.predicate(input))
    : fc.property(property.arbitrary, (input) => property.predicate(input));
}

// ---- permessage-deflate: the inflate path pauses the parser mid-chunk ------

const CODEC_CONFIG = {
  deflateWindowBits: 15,
  inflateWindowBits: 15,
  deflateNoContextTakeover: false,
  inflateNoContextTakeover: false,
  level: 1,
  memLevel: 8,
  concurrencyLimit: 10,
};

function deflateMessage(bytes) {
  const out = zlib.deflateRawSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4); // RFC 7692 §7.2.1: drop 00 00 ff ff
}

export const deflatedSequences = {
  name: 'compressed and plain messages, fragmented, with pings, in any chunking, inflate to the same messages',
  async: true,
  arbitrary: fc.record({
    plans: fc.array(
      fc.record({
        compressed: fc.boolean(),
        message,
        cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        ping: fc.option(controlPayload),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    chunkCuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
  }),
  async predicate({ plans, chunkCuts }) {
    const out = { messages: [], failures: [], pings: 0 };
    const codec = new DeflateCodec(CODEC_CONFIG);
    let wake = () => {};
    const sink = {
      write: (_h, _t, cb) => cb?.(),
      onMessage: (data, isBinary) => {
        out.messages.push({ data: Buffer.from(data), isBinary });
        wake();
      },
      onPing: () => out.pings++,
      onPong: () => {},
      onCloseFrame: () => {},
      onFailure: (e) => {
        out.failures.push(e);
        wake();
      },
      endTransport: () => {},
      armCloseTimer: () => {},
      inputDrained: () => {},
      holdInput: () => {},
      discardWrites: () => {},
    };
    const connection = new Connection(sink, { role: 'server', maxPayload: 1 << 20, codec });
    const frames = [];
    const key = [9, 8, 7, 6];
    let pings = 0;
    for (const { compressed, message: m, cuts, ping } of plans) {
      const raw = m.binary ? Buffer.from(m.bytes) : Buffer.from(m.text);
      const payload = compressed ? deflateMessage(raw) : raw;
      const parts = chunk(payload, cuts);
      if (parts.length === 0) parts.push(Buffer.alloc(0));
      parts.forEach((part, i) => {
        if (i === 1 && ping) {
          frames.push(encodeFrame({ fin: true, opcode: OPC.ping, payload: Buffer.from(ping), maskKey: key }));
          pings++;
        }
        const opcode = i === 0 ? (m.binary ? OPC.binary : OPC.text) : OPC.cont;
        frames.push(encodeFrame({ fin: i === parts.length - 1, rsv: i === 0 && compressed ? 4 : 0, opcode, payload: part, maskKey: key }));
      });
    }
    for (const c of chunk(Buffer.concat(frames), chunkCuts)) connection.receive(c);
    let timer;
    try {
      await Promise.race([
        new Promise((resolve) => {
          wake = () => (out.messages.length === plans.length || out.failures.length > 0 ? resolve() : undefined);
          wake();
        }),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`stalled after ${out.messages.length}/${plans.length} messages`)), 5000))),
      ]);
    } finally {
      clearTimeout(timer);
      connection.transportClosed();
    }
    if (out.failures.length > 0) throw new Error(`unexpected failure: ${out.failures[0].message}`);
    plans.forEach(({ message: m }, i) => {
      const want = m.binary ? Buffer.from(m.bytes) : Buffer.from(m.text);
      if (out.messages[i].isBinary !== m.binary || !out.messages[i].data.equals(want)) throw new Error(`message ${i} differs`);
    });
    if (out.pings !== pings) throw new Error(`${out.pings} pings, expected ${pings}`);
    return true;
  },
};

PROPERTIES.push(deflatedSequences);

/**
 * Feeds `chunks` to a fresh server Connection with a real deflate codec,
 * then the end of input; resolves with every event it reported, in order,
 * once it says all input is drained, and the close it reports after that.
 */
async function eventsUntilDrained(chunks) {
  const events = [];
  let drained;
  const done = new Promise((resolve) => (drained = resolve));
  const sink = {
    write: (_h, _t, cb) => cb?.(),
    onMessage: (data, isBinary) => events.push(`message:${isBinary ? 'b' : 't'}:${Buffer.from(data).toString('hex')}`),
    onPing: (d) => events.push(`ping:${Buffer.from(d).toString('hex')}`),
    onPong: (d) => events.push(`pong:${Buffer.from(d).toString('hex')}`),
    onCloseFrame: (code, reason) => events.push(`close-frame:${code}:${reason}`),
    onFailure: (e) => events.push(`failure:${e.code}`),
    endTransport: () => events.push('end'),
    armCloseTimer: () => {},
    inputDrained: () => drained(),
    holdInput: () => {},
    discardWrites: () => {},
  };
  const connection = new Connection(sink, { role: 'server', maxPayload: 1 << 20, codec: new DeflateCodec(CODEC_CONFIG) });
  for (const c of chunks) connection.receive(c);
  connection.endOfInput();
  let timer;
  try {
    await Promise.race([done, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('input never drained')), 5000)))]);
  } finally {
    clearTimeout(timer);
  }
  const info = connection.transportClosed();
  events.push(`closed:${info.code}:${info.reason}:${info.wasClean}`);
  return events;
}

export const closeThenEof = {
  name: 'a stream ending with a Close frame and EOF reports the same events however it is split',
  async: true,
  arbitrary: fc.record({
    plans: fc.array(
      fc.record({ compressed: fc.boolean(), message, cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }), ping: fc.option(controlPayload) }),
      { maxLength: 5 },
    ),
    close: fc.option(fc.record({ code: fc.constantFrom(1000, 1001, 3000, 4999), reason: fc.string({ maxLength: 20 }) })),
    trailing: fc.boolean(),
    chunkCuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
  }),
  async predicate({ plans, close, trailing, chunkCuts }) {
    const key = [1, 2, 3, 4];
    const frames = [];
    for (const { compressed, message: m, cuts, ping } of plans) {
      const raw = m.binary ? Buffer.from(m.bytes) : Buffer.from(m.text);
      const parts = chunk(compressed ? deflateMessage(raw) : raw, cuts);
      if (parts.length === 0) parts.push(Buffer.alloc(0));
      parts.forEach((part, i) => {
        if (i === 1 && ping) frames.push(encodeFrame({ fin: true, opcode: OPC.ping, payload: Buffer.from(ping), maskKey: key }));
        const opcode = i === 0 ? (m.binary ? OPC.binary : OPC.text) : OPC.cont;
        frames.push(encodeFrame({ fin: i === parts.length - 1, rsv: i === 0 && compressed ? 4 : 0, opcode, payload: part, maskKey: key }));
      });
    }
    let body = Buffer.alloc(0);
    if (close) {
      const reason = Buffer.from(close.reason).subarray(0, 100);
      body = Buffer.alloc(2 + reason.length);
      body.writeUInt16BE(close.code);
      reason.copy(body, 2);
    }
    frames.push(encodeFrame({ fin: true, opcode: OPC.close, payload: body, maskKey: key }));
    // Bytes after the Close are never read.
    if (trailing) frames.push(encodeFrame({ fin: true, opcode: OPC.text, payload: Buffer.from('after'), maskKey: key }));
    const stream = Buffer.concat(frames);
    const whole = await eventsUntilDrained([Buffer.from(stream)]);
    const split = await eventsUntilDrained(chunk(stream, chunkCuts));
    if (JSON.stringify(whole) !== JSON.stringify(split)) throw new Error(`events differ:\n${whole.join(' ')}\n${split.join(' ')}`);
    const messages = whole.filter((e) => e.startsWith('message:')).length;
    if (messages !== plans.length) throw new Error(`${messages} messages delivered, expected ${plans.length}`);
    const expectedClose = close ? `closed:${close.code}:` : 'closed:1005::true';
    if (!whole.at(-1).startsWith(expectedClose) || !whole.at(-1).endsWith(':true')) throw new Error(`close reported as ${whole.at(-1)}`);
    return true;
  },
};

PROPERTIES.push(closeThenEof);
