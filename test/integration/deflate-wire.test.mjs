// permessage-deflate as seen on the wire, against raw peers: RSV1 placement,
// threshold, zlib options, context takeover, frame order, refused RSV1,
// the client's check of the server's answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { closeAll, listen, text } from './deflate-helpers.mjs';
import { closeFrame, frame, rawClient, rawDeflater, rawInflater, rawServer, within } from './deflate-raw.mjs';

const TEXT = 0x1;
const BINARY = 0x2;
const CONT = 0x0;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

/** A socketeer server with `options` and a raw client connected with `offer`; `server` is the server-side WebSocket. */
async function serverAndRawClient(t, options, offer = 'permessage-deflate') {
  const { wss } = await listen(WebSocketServer, options);
  t.after(() => closeAll(wss));
  const connected = once(wss, 'connection');
  const raw = await rawClient(wss.address().port, offer);
  t.after(() => raw.socket.destroy());
  const [server] = await within(5000, connected, 'the connection event');
  return { wss, raw, server };
}

/** Resolves with the arguments of the first `event` (unlike events.once, an 'error' does not reject it). */
const next = (emitter, event) => new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));

const closeCode = (f) => (f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined);

test('RSV1 only on the first frame of a compressed message; frames leave in API call order', async (t) => {
  const { raw, server } = await serverAndRawClient(t, { perMessageDeflate: { threshold: 100 } });
  const a = Buffer.from(text(3000, 1));
  const c = text(2000, 2);
  server.send(a.subarray(0, 1000), { fin: false });
  server.send(a.subarray(1000, 2000), { fin: false });
  server.ping('p1');
  server.send(a.subarray(2000), { fin: true });
  server.send('small'); // below the threshold: uncompressed
  server.ping('p2');
  server.send(c);
  server.send(Buffer.from('x'.repeat(500)), { compress: false });
  server.close(1000, 'bye');
  const frames = await raw.reader.untilClose();
  assert.deepEqual(
    frames.map((f) => [f.opcode, f.fin, f.rsv1]),
    [
      [BINARY, false, true],
      [CONT, false, false],
      [PING, true, false],
      [CONT, true, false],
      [TEXT, true, false],
      [PING, true, false],
      [TEXT, true, true],
      [BINARY, true, false],
      [CLOSE, true, false],
    ],
  );
  assert.equal(frames[2].payload.toString(), 'p1');
  assert.equal(frames[4].payload.toString(), 'small');
  assert.equal(frames[5].payload.toString(), 'p2');
  assert.equal(frames[7].payload.length, 500);
  const inflater = rawInflater();
  const message = Buffer.concat([frames[0].payload, frames[1].payload, frames[3].payload]);
  assert.ok((await inflater.decompress(message)).equals(a));
  assert.equal((await inflater.decompress(frames[6].payload)).toString(), c);
  inflater.close();
  raw.socket.write(closeFrame(1000));
});

test('threshold: below is sent plain, exactly and above are compressed; empty messages with threshold 0', async (t) => {
  for (const threshold of [0, 100]) {
    const { raw, server } = await serverAndRawClient(t, { perMessageDeflate: { threshold } });
    const sizes = threshold === 0 ? [0, 1] : [0, 99, 100, 101];
    for (const size of sizes) server.send(Buffer.from('a'.repeat(size)));
    const inflater = rawInflater();
    for (const size of sizes) {
      const f = await raw.reader.next();
      assert.equal(f.rsv1, size >= threshold, `threshold ${threshold}, ${size} bytes`);
      const data = f.rsv1 ? await inflater.decompress(f.payload) : f.payload;
      assert.equal(data.length, size);
      if (f.rsv1 && size === 0) assert.deepEqual([...f.payload], [0x00]); // RFC 7692 §7.2.3.6
    }
    inflater.close();
  }
});

/** The compressed payload a socketeer server with `options` sends for `message`, checked to inflate back to it. */
async function deflatedBy(t, options, message) {
  const { raw, server } = await serverAndRawClient(t, { perMessageDeflate: { threshold: 0, ...options } });
  server.send(message);
  const f = await raw.reader.next();
  assert.ok(f.rsv1);
  const inflater = rawInflater();
  assert.equal((await inflater.decompress(f.payload)).toString(), message);
  inflater.close();
  return f.payload;
}

test('level and memLevel reach zlib', async (t) => {
  const message = text(200_000, 3);
  const sizeWith = async (options) => (await deflatedBy(t, options, message)).length;
  const stored = await sizeWith({ level: 0 });
  const fast = await sizeWith({ level: 1 });
  const best = await sizeWith({ level: 9 });
  assert.ok(stored > Buffer.byteLength(message), `level 0 stores (${stored} bytes)`);
  assert.ok(best < fast && fast < stored, `level 9 ${best} < level 1 ${fast} < level 0 ${stored}`);
  const memSmall = await sizeWith({ level: 9, memLevel: 1 });
  const memLarge = await sizeWith({ level: 9, memLevel: 9 });
  assert.notEqual(memSmall, memLarge, `memLevel 1 and 9 give different streams (${memSmall} vs ${memLarge})`);
});

test("ws's zlibDeflateOptions reach zlib: level and memLevel as the flat options do, strategy, chunkSize", async (t) => {
  const message = text(200_000, 5);
  const payloadWith = (options) => deflatedBy(t, options, message);
  const flat = await payloadWith({ level: 1, memLevel: 3 });
  const wsNamed = await payloadWith({ zlibDeflateOptions: { level: 1, memLevel: 3 } });
  assert.ok(wsNamed.equals(flat), 'the same stream under either name');
  const byDefault = await payloadWith({});
  assert.ok(!flat.equals(byDefault), 'and not the default stream');
  const huffman = await payloadWith({ zlibDeflateOptions: { strategy: 2 } }); // Z_HUFFMAN_ONLY
  assert.ok(huffman.length > byDefault.length, `Huffman-only ${huffman.length} > default ${byDefault.length}`);
  const smallChunks = await payloadWith({ zlibDeflateOptions: { chunkSize: 256 } });
  assert.ok(smallChunks.equals(byDefault), 'the output buffer size changes no byte on the wire');
});

test("publish deflates with the server's settings: its threshold, level, memLevel and strategy", async (t) => {
  const message = text(50_000, 6);
  /** What a raw subscriber receives for one compress: true publish, and for the same message sent to it alone. */
  async function publishedAndSent(options) {
    const offer = 'permessage-deflate; server_no_context_takeover';
    const { wss, raw, server } = await serverAndRawClient(t, { perMessageDeflate: { serverNoContextTakeover: true, ...options } }, offer);
    server.subscribe('t');
    assert.equal(wss.publish('t', message, { compress: true }), 1);
    server.send(message);
    return [await raw.reader.next(), await raw.reader.next()];
  }
  const inflater = rawInflater();
  const payloads = {};
  for (const [name, options] of Object.entries({
    byDefault: {},
    flat: { level: 1, memLevel: 3 },
    wsNamed: { zlibDeflateOptions: { level: 1, memLevel: 3 } },
    huffman: { zlibDeflateOptions: { strategy: 2 } },
  })) {
    const [published, sent] = await publishedAndSent(options);
    assert.ok(published.rsv1 && sent.rsv1, name);
    assert.equal((await inflater.decompress(published.payload)).toString(), message, name);
    assert.ok(published.payload.equals(sent.payload), `${name}: the published stream is the one send() makes`);
    payloads[name] = published.payload;
  }
  inflater.close();
  assert.ok(!payloads.flat.equals(payloads.byDefault), 'level 1 changes the stream');
  assert.ok(payloads.wsNamed.equals(payloads.flat));
  assert.ok(payloads.huffman.length > payloads.byDefault.length, 'Huffman-only is larger');

  const { wss, raw, server } = await serverAndRawClient(t, { perMessageDeflate: { serverNoContextTakeover: true, threshold: 100 } }, 'permessage-deflate; server_no_context_takeover');
  server.subscribe('t');
  for (const size of [0, 99, 100]) wss.publish('t', 'a'.repeat(size), { compress: true });
  const frames = [await raw.reader.next(), await raw.reader.next(), await raw.reader.next()];
  assert.deepEqual(frames.map((f) => f.rsv1), [false, false, true], 'plain under the threshold, compressed from it');
});

test('context takeover on the wire: a repeated message shrinks with it, keeps its size without', async (t) => {
  const message = text(4000, 4);
  // Server to client, with and without server_no_context_takeover.
  for (const offer of ['permessage-deflate', 'permessage-deflate; server_no_context_takeover']) {
    const { raw, server } = await serverAndRawClient(t, { perMessageDeflate: { threshold: 0 } }, offer);
    for (let i = 0; i < 3; i++) server.send(message);
    const sizes = [];
    const inflater = rawInflater();
    for (let i = 0; i < 3; i++) {
      const f = await raw.reader.next();
      sizes.push(f.payload.length);
      assert.equal((await inflater.decompress(f.payload)).toString(), message);
    }
    inflater.close();
    if (offer.includes('server_no_context_takeover')) assert.deepEqual([sizes[1], sizes[2]], [sizes[0], sizes[0]], offer);
    else assert.ok(sizes[1] < sizes[0] / 4 && sizes[2] < sizes[0] / 4, `${offer}: ${sizes}`);
  }
  // Client to server, with and without client_no_context_takeover in the server's answer.
  for (const answer of ['permessage-deflate', 'permessage-deflate; client_no_context_takeover']) {
    const peer = await rawServer(() => answer);
    t.after(() => peer.close());
    const ws = new WebSocket(`ws://127.0.0.1:${peer.port}`, { perMessageDeflate: { threshold: 0 } });
    const connection = await peer.next();
    await within(5000, once(ws, 'open'), 'open');
    for (let i = 0; i < 3; i++) ws.send(message);
    const sizes = [];
    const inflater = rawInflater();
    for (let i = 0; i < 3; i++) {
      const f = await connection.reader.next();
      assert.ok(f.masked && f.rsv1);
      sizes.push(f.payload.length);
      assert.equal((await inflater.decompress(f.payload)).toString(), message);
    }
    inflater.close();
    if (answer.includes('client_no_context_takeover')) assert.deepEqual([sizes[1], sizes[2]], [sizes[0], sizes[0]], answer);
    else assert.ok(sizes[1] < sizes[0] / 4 && sizes[2] < sizes[0] / 4, `${answer}: ${sizes}`);
    ws.terminate();
  }
});

test('received messages keep their order across compressed, plain and control frames', async (t) => {
  const { raw, server } = await serverAndRawClient(t, { perMessageDeflate: { threshold: 0 } });
  const events = [];
  server.on('message', (data, isBinary) => events.push(['message', isBinary, Buffer.from(data).toString()]));
  server.on('ping', (data) => events.push(['ping', data.toString()]));
  const deflater = rawDeflater();
  const big = text(300_000, 5);
  const bigPayload = await deflater.compress(Buffer.from(big));
  const part1 = await deflater.compress(Buffer.from('fragmented '), false);
  const part2 = await deflater.compress(Buffer.from('message'));
  raw.socket.write(
    Buffer.concat([
      frame(TEXT, bigPayload, { rsv1: true }),
      frame(TEXT, 'plain'),
      frame(PING, 'p1'),
      frame(TEXT, part1, { rsv1: true, fin: false }),
      frame(PING, 'p2'),
      frame(CONT, part2, { fin: true }),
      frame(BINARY, 'raw bytes'),
      closeFrame(1000),
    ]),
  );
  const [code] = await within(5000, next(server, 'close'), 'the close event');
  deflater.close();
  assert.equal(code, 1000);
  assert.deepEqual(events, [
    ['message', false, big],
    ['message', false, 'plain'],
    ['ping', 'p1'],
    ['ping', 'p2'],
    ['message', false, 'fragmented message'],
    ['message', true, 'raw bytes'],
  ]);
  // The pongs and the Close echo went out in the same order.
  const frames = await raw.reader.untilClose();
  assert.deepEqual(frames.map((f) => [f.opcode, f.payload.toString('latin1')]), [
    [PONG, 'p1'],
    [PONG, 'p2'],
    [CLOSE, frames.at(-1).payload.toString('latin1')],
  ]);
  assert.equal(closeCode(frames.at(-1)), 1000);
});

test('RSV1 on a control or continuation frame, or without negotiation, fails with 1002', async (t) => {
  const deflater = rawDeflater();
  const cases = [
    ['ping with RSV1', 'permessage-deflate', () => frame(PING, 'x', { rsv1: true })],
    ['pong with RSV1', 'permessage-deflate', () => frame(PONG, 'x', { rsv1: true })],
    ['close with RSV1', 'permessage-deflate', () => closeFrame(1000, { rsv1: true })],
    [
      'continuation with RSV1',
      'permessage-deflate',
      async () =>
        Buffer.concat([
          frame(TEXT, await deflater.compress(Buffer.from('a'), false), { rsv1: true, fin: false }),
          frame(CONT, await deflater.compress(Buffer.from('b')), { rsv1: true }),
        ]),
    ],
    ['RSV1 with compression declined', null, async () => frame(TEXT, await deflater.compress(Buffer.from('a')), { rsv1: true })],
  ];
  for (const [what, offer, bytes] of cases) {
    const { raw, server } = await serverAndRawClient(t, { perMessageDeflate: true }, offer);
    const errors = [];
    server.on('error', (e) => errors.push(e.code));
    const closed = next(server, 'close');
    raw.socket.write(await bytes());
    const frames = await raw.reader.untilClose().catch((e) => assert.fail(`${what}: ${e.message}`));
    assert.equal(frames.at(-1)?.opcode, CLOSE, what);
    assert.equal(closeCode(frames.at(-1)), 1002, what);
    const [code] = await within(5000, closed, 'the close event');
    assert.equal(code, 1002, what);
    if (errors.length > 0) assert.deepEqual(errors, ['WS_ERR_UNEXPECTED_RSV'], what);
  }
  deflater.close();
});

test('compressed text is UTF-8 checked as it inflates: an invalid first fragment fails with 1007 at once', async (t) => {
  const { raw } = await serverAndRawClient(t, { perMessageDeflate: { threshold: 0 } });
  const deflater = rawDeflater();
  const invalid = Buffer.concat([Buffer.from('valid start '), Buffer.from([0xff, 0xfe]), Buffer.from(' rest')]);
  // Only the first fragment is sent: the failure cannot wait for the end of the message.
  raw.socket.write(frame(TEXT, await deflater.compress(invalid, false), { rsv1: true, fin: false }));
  const frames = await raw.reader.untilClose();
  assert.equal(closeCode(frames.at(-1)), 1007);
  // A character split across fragments is fine.
  const { raw: raw2, server: server2 } = await serverAndRawClient(t, { perMessageDeflate: { threshold: 0 } });
  const d2 = rawDeflater();
  const euro = Buffer.from('€');
  raw2.socket.write(
    Buffer.concat([
      frame(TEXT, await d2.compress(euro.subarray(0, 1), false), { rsv1: true, fin: false }),
      frame(CONT, await d2.compress(euro.subarray(1))),
    ]),
  );
  const [data] = await within(5000, next(server2, 'message'), 'the message');
  assert.equal(data.toString(), '€');
  deflater.close();
  d2.close();
});

test('the client fails the connection when the server answers what it did not offer or malformed values', async (t) => {
  const answers = [
    [{}, 'x-foo'],
    [{}, 'permessage-deflate; client_max_window_bits'],
    [{}, 'permessage-deflate; server_max_window_bits=7'],
    [{}, 'permessage-deflate; server_max_window_bits=16'],
    [{}, 'permessage-deflate; client_max_window_bits="1 0"'],
    [{}, 'permessage-deflate; server_no_context_takeover; server_no_context_takeover'],
    [{}, 'permessage-deflate; unknown_param'],
    [{}, 'permessage-deflate, permessage-deflate'],
    [{}, 'permessage-deflate;;'],
    [false, 'permessage-deflate'],
    [{ clientMaxWindowBits: false }, 'permessage-deflate; client_max_window_bits=10'],
    [{ clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=11'],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate'],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=12'],
    [{ serverNoContextTakeover: true }, 'permessage-deflate'],
  ];
  const peer = await rawServer(() => answers[index][1]);
  t.after(() => peer.close());
  let index = 0;
  for (; index < answers.length; index++) {
    const [option, answer] = answers[index];
    const what = `${JSON.stringify(option)} -> ${answer}`;
    const ws = new WebSocket(`ws://127.0.0.1:${peer.port}`, { perMessageDeflate: option });
    const errors = [];
    ws.on('error', (e) => errors.push(e));
    const connection = await peer.next();
    const [code] = await within(5000, next(ws, 'close'), `close (${what})`);
    assert.equal(errors.length, 1, what);
    assert.equal(errors[0].code, 'WS_ERR_EXTENSION_NEGOTIATION', what);
    assert.equal(errors[0].closeCode, 1010, what);
    assert.match(errors[0].message, /permessage-deflate|not acceptable|not offered/, what);
    // Not established (RFC 6455 §4.1), so no frame is sent; the close event reports 1006.
    assert.equal(code, 1006, what);
    assert.equal(await connection.reader.next(), null, what);
  }
  // And the answers it must accept.
  for (const [option, answer, extensions] of [
    [{}, undefined, ''],
    [{}, 'permessage-deflate', 'permessage-deflate'],
    [{}, 'permessage-deflate; client_max_window_bits="9"', 'permessage-deflate; client_max_window_bits="9"'],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=8', 'permessage-deflate; server_max_window_bits=8'],
  ]) {
    answers[index] = [option, answer];
    const ws = new WebSocket(`ws://127.0.0.1:${peer.port}`, { perMessageDeflate: option });
    await peer.next();
    await within(5000, once(ws, 'open'), `open with ${answer}`);
    assert.equal(ws.extensions, extensions);
    ws.terminate();
    await next(ws, 'close');
  }
});

test('the server answers 400 to a Sec-WebSocket-Extensions header outside the grammar', async (t) => {
  const { wss } = await listen(WebSocketServer, { perMessageDeflate: true });
  t.after(() => closeAll(wss));
  for (const header of ['permessage-deflate; =', 'permessage-deflate; a="unterminated', 'permessage-deflate x']) {
    await assert.rejects(rawClient(wss.address().port, header), /handshake refused: HTTP\/1\.1 400/, header);
  }
  // Well-formed but unacceptable offers are declined, not refused.
  const raw = await rawClient(wss.address().port, 'permessage-deflate; server_max_window_bits=7, x-other; a=1');
  assert.equal(raw.extensions, undefined);
  raw.socket.destroy();
});
