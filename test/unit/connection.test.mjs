import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeConnection } from './connection-harness.mjs';
import { cframe, frame, closePayload, MASK } from './frame-builder.mjs';

const closeCodeOf = (f) => (f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005);

function expectFailure(role, bytes, closeCode, options) {
  const c = makeConnection(role, options);
  for (const b of Array.isArray(bytes) ? bytes : [bytes]) c.connection.receive(b);
  const frames = c.frames();
  assert.equal(frames.length, 1, 'exactly one frame: the Close');
  assert.equal(frames[0].opcode, 8);
  assert.equal(closeCodeOf(frames[0]), closeCode);
  assert.ok(c.log.some((l) => l.startsWith(`failure:${closeCode}`)), c.log.join());
  assert.equal(c.log.at(-1), role === 'server' ? 'end' : 'timer');
  const info = c.connection.transportClosed();
  assert.deepEqual([info.code, info.wasClean], [closeCode, false]);
  return c;
}

test('server: text, binary and fragmented messages are delivered', () => {
  const c = makeConnection('server');
  c.connection.receive(cframe({ opcode: 1, payload: 'hello' }));
  c.connection.receive(cframe({ opcode: 2, payload: Buffer.from([1, 2, 3]) }));
  c.connection.receive(Buffer.concat([
    cframe({ fin: false, opcode: 1, payload: 'fra' }),
    cframe({ opcode: 9, payload: 'mid' }),
    cframe({ fin: false, opcode: 0, payload: 'gme' }),
    cframe({ opcode: 0, payload: 'nted' }),
  ]));
  assert.deepEqual(c.messages.map((m) => [m.data.toString(), m.isBinary]), [['hello', false], ['\x01\x02\x03', true], ['fragmented', false]]);
  // The ping in the middle was answered with a pong carrying its payload.
  const pong = c.frames().find((f) => f.opcode === 0xa);
  assert.equal(pong.payload.toString(), 'mid');
  assert.equal(pong.masked, false);
});

test('masking rules: server needs masked frames, client refuses masked ones', () => {
  expectFailure('server', frame({ opcode: 1, payload: 'x' }), 1002);
  expectFailure('client', frame({ opcode: 1, payload: 'x', mask: MASK }), 1002);
});

test('client frames are masked with a fresh key each', () => {
  const c = makeConnection('client');
  c.connection.send('a', { binary: false });
  c.connection.send('a', { binary: false });
  const [a, b] = c.written;
  assert.ok(a[1] & 0x80 && b[1] & 0x80);
  assert.notDeepEqual(a.subarray(2, 6), b.subarray(2, 6));
  assert.deepEqual(c.frames().map((f) => f.payload.toString()), ['a', 'a']);
});

test('protocol violations fail with 1002', () => {
  expectFailure('server', cframe({ opcode: 1, rsv: 4, payload: 'x' }), 1002);
  expectFailure('server', cframe({ opcode: 1, rsv: 2, payload: 'x' }), 1002);
  expectFailure('server', cframe({ opcode: 3, payload: 'x' }), 1002);
  expectFailure('server', cframe({ opcode: 0xb, payload: 'x' }), 1002);
  expectFailure('server', cframe({ opcode: 9, payload: Buffer.alloc(126) }), 1002);
  expectFailure('server', cframe({ opcode: 9, fin: false, payload: 'x' }), 1002);
  expectFailure('server', cframe({ opcode: 0, payload: 'x' }), 1002);
  expectFailure('server', [cframe({ fin: false, opcode: 1, payload: 'a' }), cframe({ opcode: 1, payload: 'b' })], 1002);
  expectFailure('server', Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, ...MASK]), 1002);
});

test('invalid UTF-8 fails with 1007 as soon as it arrives', () => {
  const c = makeConnection('server');
  // The first fragment ends in the middle of a surrogate: fail before the message ends.
  c.connection.receive(cframe({ fin: false, opcode: 1, payload: Buffer.from([0x61, 0xed, 0xa0]) }));
  assert.equal(c.frames().at(-1)?.opcode, 8);
  assert.equal(closeCodeOf(c.frames().at(-1)), 1007);
  // Across fragments.
  expectFailure('server', [cframe({ fin: false, opcode: 1, payload: Buffer.from([0xce]) }), cframe({ opcode: 0, payload: Buffer.from([0x41]) })], 1007);
  // Truncated at the end of the message.
  expectFailure('server', cframe({ opcode: 1, payload: Buffer.from([0x61, 0xe2, 0x82]) }), 1007);
});

test('invalid UTF-8 in a frame trickled byte by byte fails at the bad byte', () => {
  const c = makeConnection('server');
  const bytes = cframe({ opcode: 1, payload: Buffer.from([0x61, 0x62, 0xf4, 0x90, 0x80, 0x80, 0x63]) });
  let failedAfter = -1;
  for (let i = 0; i < bytes.length; i++) {
    c.connection.receive(bytes.subarray(i, i + 1));
    if (failedAfter < 0 && c.written.length > 0) failedAfter = i;
  }
  // Header is 6 bytes (2 + mask); payload byte 3 (0x90) is the first that cannot be valid.
  assert.equal(failedAfter, 6 + 3);
});

test('maxPayload: an oversized frame header fails with 1009 before payload arrives', () => {
  const c = expectFailure('server', cframe({ opcode: 2, payload: Buffer.alloc(0), length: 2000 }).subarray(0, 8), 1009, { maxPayload: 1000 });
  assert.equal(c.messages.length, 0);
  expectFailure('server', [cframe({ fin: false, opcode: 2, payload: Buffer.alloc(600) }), cframe({ opcode: 0, payload: Buffer.alloc(600) })], 1009, { maxPayload: 1000 });
  // 2^53 declared length: refused with 1009 from the header alone.
  expectFailure('server', Buffer.from([0x82, 0xff, 0x00, 0x20, 0, 0, 0, 0, 0, 0, ...MASK]), 1009);
});

test('close initiated by us: data first, then Close, no data after, timer armed', () => {
  const c = makeConnection('server');
  c.connection.send('before', { binary: false });
  c.connection.close(1000, Buffer.from('bye'));
  assert.equal(c.connection.send('after', { binary: false }), false);
  const frames = c.frames();
  assert.deepEqual(frames.map((f) => f.opcode), [1, 8]);
  assert.equal(closeCodeOf(frames[1]), 1000);
  assert.equal(frames[1].payload.subarray(2).toString(), 'bye');
  assert.deepEqual(c.log.slice(-1), ['timer']);
  // Peer answers: server ends TCP at once.
  c.connection.receive(cframe({ opcode: 8, payload: closePayload(1000, 'bye') }));
  assert.equal(c.log.at(-1), 'end');
  assert.equal(c.frames().length, 2, 'no second Close');
  assert.deepEqual(c.connection.transportClosed(), { code: 1000, reason: 'bye', wasClean: true });
});

test('client initiated close then server Close: client waits for the server to end TCP', () => {
  const c = makeConnection('client');
  c.connection.close(4001, Buffer.from('x'));
  c.connection.receive(frame({ opcode: 8, payload: closePayload(4001, 'x') }));
  assert.ok(!c.log.includes('end'), 'the client does not end TCP itself');
  assert.ok(c.log.includes('timer'));
  assert.deepEqual(c.connection.transportClosed(), { code: 4001, reason: 'x', wasClean: true });
});

test('peer Close first: answered once with the same code and reason', () => {
  const s = makeConnection('server');
  s.connection.receive(cframe({ opcode: 8, payload: closePayload(4002, 'why') }));
  const [reply] = s.frames();
  assert.equal(closeCodeOf(reply), 4002);
  assert.equal(reply.payload.subarray(2).toString(), 'why');
  assert.deepEqual(s.log.slice(-2), ['write', 'end']);
  assert.deepEqual(s.connection.transportClosed(), { code: 4002, reason: 'why', wasClean: true });

  const c = makeConnection('client');
  c.connection.receive(frame({ opcode: 8 }));
  assert.equal(c.frames()[0].payload.length, 0, 'no body when the peer sent none');
  assert.equal(c.log.at(-1), 'timer');
  assert.deepEqual(c.connection.transportClosed(), { code: 1005, reason: '', wasClean: true });
});

test('both sides close at once: no second Close', () => {
  const c = makeConnection('server');
  c.connection.close(1000);
  c.connection.receive(cframe({ opcode: 8, payload: closePayload(1000) }));
  assert.equal(c.frames().filter((f) => f.opcode === 8).length, 1);
  assert.equal(c.connection.transportClosed().wasClean, true);
});

test('data after a Close is ignored; a second Close is never read', () => {
  const c = makeConnection('server');
  c.connection.receive(Buffer.concat([
    cframe({ opcode: 8, payload: closePayload(1000) }),
    cframe({ opcode: 1, payload: 'late' }),
    cframe({ opcode: 8, payload: closePayload(1001) }),
  ]));
  assert.equal(c.messages.length, 0);
  assert.equal(c.frames().length, 1);
});

test('invalid Close frames: 1-byte body and bad codes fail 1002, bad reason 1007', () => {
  expectFailure('server', cframe({ opcode: 8, payload: Buffer.from([3]) }), 1002);
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    expectFailure('server', cframe({ opcode: 8, payload: closePayload(code) }), 1002);
  }
  expectFailure('server', cframe({ opcode: 8, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff])]) }), 1007);
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
    const c = makeConnection('server');
    c.connection.receive(cframe({ opcode: 8, payload: closePayload(code) }));
    assert.equal(closeCodeOf(c.frames()[0]), code);
  }
});

test('TCP gone with no Close exchanged reports 1006', () => {
  const c = makeConnection('client');
  c.connection.receive(frame({ fin: false, opcode: 1, payload: 'partial' }));
  assert.deepEqual(c.connection.transportClosed(), { code: 1006, reason: '', wasClean: false });
});

test('a message split at every byte boundary arrives intact', () => {
  const payload = Buffer.from('split me everywhere: ünïcödé 𝄞');
  const bytes = Buffer.concat([cframe({ fin: false, opcode: 1, payload: payload.subarray(0, 10) }), cframe({ opcode: 0, payload: payload.subarray(10) })]);
  const c = makeConnection('server');
  for (let i = 0; i < bytes.length; i++) c.connection.receive(bytes.subarray(i, i + 1));
  assert.equal(c.messages[0].data.toString(), payload.toString());
});

test('a message in many tiny fragments is reassembled', () => {
  const c = makeConnection('server', { maxPayload: 100 * 1024 * 1024 });
  const frames = [];
  const n = 5000;
  for (let i = 0; i < n; i++) frames.push(cframe({ fin: i === n - 1, opcode: i === 0 ? 2 : 0, payload: Buffer.from([i & 0xff]) }));
  c.connection.receive(Buffer.concat(frames));
  assert.equal(c.messages.length, 1);
  assert.equal(c.messages[0].data.length, n);
  assert.equal(c.messages[0].data[4999], 4999 & 0xff);
});

test('fragmented sending uses continuation frames', () => {
  const c = makeConnection('server');
  c.connection.send(Buffer.from('ab'), { binary: true, fin: false });
  c.connection.send(Buffer.from('cd'), { binary: true, fin: true });
  const f = c.frames();
  assert.deepEqual(f.map((x) => [x.opcode, x.fin]), [[2, false], [0, true]]);
});
