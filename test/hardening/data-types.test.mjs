// Every type send(), ping(), pong() and close() accept puts exactly the
// expected bytes on the wire: views send only the bytes they cover (never the
// rest of their buffer, never uninitialised memory); anything else throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, nextConnection, OP, parseFrames, rawUpgrade, startServer, withTimeout } from './lib.mjs';

/** A view over bytes 1..n of a larger buffer whose other bytes are 0xEE. */
function framed(Type, count) {
  const size = Type.BYTES_PER_ELEMENT ?? 1;
  const backing = new ArrayBuffer(size * (count + 3));
  new Uint8Array(backing).fill(0xee);
  const view = new Type(backing, size, count);
  const bytes = new Uint8Array(backing, size, size * count);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 1) & 0xff;
  return { view, expected: Buffer.from(bytes) };
}

const TYPED = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array];

function cases() {
  const list = [
    ['string', 'héllo ✓', { opcode: OP.text, bytes: Buffer.from('héllo ✓') }],
    ['empty string', '', { opcode: OP.text, bytes: Buffer.alloc(0) }],
    ['number', 42.5, { opcode: OP.text, bytes: Buffer.from('42.5') }],
    ['Buffer slice', Buffer.from('xxabcxx').subarray(2, 5), { opcode: OP.binary, bytes: Buffer.from('abc') }],
  ];
  for (const Type of TYPED) {
    const { view, expected } = framed(Type, 5);
    list.push([`${Type.name} at an offset`, view, { opcode: OP.binary, bytes: expected }]);
  }
  {
    const backing = new ArrayBuffer(16);
    new Uint8Array(backing).fill(0xee);
    const dv = new DataView(backing, 3, 6);
    for (let i = 0; i < 6; i++) dv.setUint8(i, i + 10);
    list.push(['DataView at an offset', dv, { opcode: OP.binary, bytes: Buffer.from([10, 11, 12, 13, 14, 15]) }]);
  }
  {
    const ab = new ArrayBuffer(4);
    new Uint8Array(ab).set([1, 2, 3, 4]);
    list.push(['ArrayBuffer', ab, { opcode: OP.binary, bytes: Buffer.from([1, 2, 3, 4]) }]);
    const sab = new SharedArrayBuffer(3);
    new Uint8Array(sab).set([9, 8, 7]);
    list.push(['SharedArrayBuffer', sab, { opcode: OP.binary, bytes: Buffer.from([9, 8, 7]) }]);
  }
  list.push(['Blob', new Blob([Buffer.from('blob'), new Uint8Array([0, 255])]), { opcode: OP.binary, bytes: Buffer.concat([Buffer.from('blob'), Buffer.from([0, 255])]) }]);
  return list;
}

async function serverAndRawClient() {
  const { wss, port } = await startServer();
  const conn = nextConnection(wss);
  const { socket, leftover } = await rawUpgrade(port);
  const ws = await conn;
  ws.on('error', () => {});
  let wire = leftover;
  const waiters = [];
  socket.on('data', (c) => {
    wire = Buffer.concat([wire, c]);
    for (const w of waiters.splice(0)) w();
  });
  socket.on('error', () => {});
  socket.resume();
  const framesUntil = (n) =>
    withTimeout(
      new Promise((resolve) => {
        const check = () => {
          const { frames } = parseFrames(wire);
          if (frames.length >= n) resolve(frames);
          else waiters.push(check);
        };
        check();
      }),
      5000,
      `for ${n} frames`,
    );
  return { wss, ws, socket, framesUntil };
}

test('send(): every accepted type puts exactly its bytes on the wire, in call order', async () => {
  const p = await serverAndRawClient();
  try {
    const list = cases();
    for (const [, data] of list) p.ws.send(data);
    const frames = await p.framesUntil(list.length);
    list.forEach(([name, , expected], i) => {
      assert.equal(frames[i].opcode, expected.opcode, `${name}: opcode`);
      assert.deepEqual(Buffer.from(frames[i].payload), expected.bytes, `${name}: payload`);
    });
  } finally {
    await cleanup(p.wss);
  }
});

test('ping() and pong(): the same types, as control payloads; over 125 bytes throws', async () => {
  const p = await serverAndRawClient();
  try {
    const list = cases();
    for (const [, data] of list) p.ws.ping(data);
    for (const [, data] of list) p.ws.pong(data);
    p.ws.ping();
    const frames = await p.framesUntil(list.length * 2 + 1);
    list.forEach(([name, , expected], i) => {
      assert.equal(frames[i].opcode, OP.ping, `${name}: ping opcode`);
      assert.deepEqual(Buffer.from(frames[i].payload), expected.bytes, `${name}: ping payload`);
      assert.equal(frames[list.length + i].opcode, OP.pong, `${name}: pong opcode`);
      assert.deepEqual(Buffer.from(frames[list.length + i].payload), expected.bytes, `${name}: pong payload`);
    });
    assert.equal(frames[list.length * 2].payload.length, 0, 'ping() with no data is empty');
    assert.throws(() => p.ws.ping(Buffer.alloc(126)), (e) => typeof e.code === 'string');
    assert.throws(() => p.ws.pong(new Uint16Array(63)), (e) => typeof e.code === 'string');
  } finally {
    await cleanup(p.wss);
  }
});

test('close(): code and reason (string or Buffer) go out exactly; invalid ones throw and send nothing', async () => {
  const p = await serverAndRawClient();
  try {
    assert.throws(() => p.ws.close(1005));
    assert.throws(() => p.ws.close(1000, 'x'.repeat(124)));
    assert.throws(() => p.ws.close(999));
    assert.throws(() => p.ws.close(1000.5));
    p.ws.send('before');
    p.ws.close(4001, Buffer.from('bye ✓'));
    const frames = await p.framesUntil(2);
    assert.equal(frames.length, 2, 'nothing went out for the refused calls');
    assert.equal(frames[0].opcode, OP.text);
    assert.equal(frames[1].opcode, OP.close);
    assert.deepEqual(Buffer.from(frames[1].payload), Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('bye ✓')]));
  } finally {
    await cleanup(p.wss);
  }
});

test('types that are not data throw WS_ERR_INVALID_DATA_TYPE, and nothing is sent', async () => {
  const p = await serverAndRawClient();
  try {
    for (const bad of [{}, [1, 2], null, true, Symbol('s'), () => 1, new Map()]) {
      assert.throws(() => p.ws.send(bad), (e) => e.code === 'WS_ERR_INVALID_DATA_TYPE', String(typeof bad));
    }
    p.ws.send('only this');
    const frames = await p.framesUntil(1);
    assert.equal(frames.length, 1);
    assert.equal(Buffer.from(frames[0].payload).toString(), 'only this');
  } finally {
    await cleanup(p.wss);
  }
});

test('client send(): every type arrives intact, and the caller\'s memory is never masked in place', async () => {
  const { WebSocket } = await import('../../dist/esm/index.js');
  const { wss, port } = await startServer();
  const received = [];
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => received.push({ data: Buffer.from(data), isBinary })));
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  try {
    await withTimeout(new Promise((r, j) => client.once('open', r).once('error', j)), 5000, 'open');
    const list = cases();
    const snapshots = list.map(([, data]) =>
      typeof data === 'object' && !(data instanceof Blob) ? Buffer.from(ArrayBuffer.isView(data) ? data.buffer : data) : null,
    );
    await Promise.all(list.map(([, data]) => client.sendAsync(data)));
    await withTimeout(
      new Promise((resolve) => {
        const check = () => (received.length >= list.length ? resolve() : setImmediate(check));
        check();
      }),
      5000,
      'all messages',
    );
    list.forEach(([name, data, expected], i) => {
      assert.deepEqual(received[i].data, expected.bytes, `${name}: payload`);
      assert.equal(received[i].isBinary, expected.opcode === OP.binary, `${name}: binary flag`);
      if (snapshots[i] !== null) {
        const now = Buffer.from(ArrayBuffer.isView(data) ? data.buffer : data);
        assert.deepEqual(now, snapshots[i], `${name}: the caller's buffer was modified`);
      }
    });
  } finally {
    client.terminate();
    await cleanup(wss);
  }
});
