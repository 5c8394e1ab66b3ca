// A Close that arrives while a compressed message is still inflating, with
// the end of TCP right behind it, must not be lost: the message is delivered,
// then the Close is read, answered and reported with its code. Each scenario
// repeats hundreds of times (thousands under SOCKETEER_FULL=1), because the
// loss was a race between zlib's threadpool and the socket's end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SWebSocket, SWebSocketServer, WWebSocket, WWebSocketServer } from '../helpers/pairs.mjs';
import { once, withTimeout } from '../helpers/once.mjs';
import { closeFrame, frame, rawClient, rawDeflater, rawServer } from './deflate-raw.mjs';

const RUNS = process.env.SOCKETEER_FULL === '1' ? 2000 : 200;
const DEFLATE = { threshold: 0 };

async function echoServer(kind, options = {}) {
  const Server = kind === 'ws' ? WWebSocketServer : SWebSocketServer;
  const wss = new Server({ port: 0, host: '127.0.0.1', perMessageDeflate: DEFLATE, ...options });
  await once(wss, 'listening');
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  return wss;
}

const closeServer = (wss) => withTimeout(new Promise((resolve) => wss.close(() => resolve())), 5000, 'for the server to close');

/** The client sends one compressed message and closes at once; the echo and the Close come back together. */
async function sendThenClose(url) {
  const ws = new SWebSocket(url, { perMessageDeflate: DEFLATE });
  await once(ws, 'open');
  const messages = [];
  ws.on('message', (data, isBinary) => messages.push({ data: Buffer.from(data), isBinary }));
  let sent = null;
  ws.send(Buffer.from([1, 2, 3]), (error) => (sent = error ?? 'ok'));
  ws.close();
  const info = await withTimeout(ws.closed, 5000, 'for the client to close');
  return { messages, info, sent };
}

for (const kind of ['ws', 'socketeer']) {
  test(`client: the echo and the Close behind it survive the server ending TCP (${kind} server, ${RUNS} runs)`, async () => {
    const wss = await echoServer(kind);
    const url = `ws://127.0.0.1:${wss.address().port}/`;
    let lost = 0;
    let unclean = 0;
    for (let i = 0; i < RUNS; i++) {
      const { messages, info, sent } = await sendThenClose(url);
      assert.equal(sent, 'ok', 'the send callback succeeded');
      if (messages.length !== 1 || !messages[0].isBinary || !messages[0].data.equals(Buffer.from([1, 2, 3]))) lost++;
      if (info.code !== 1005 || info.wasClean !== true) unclean++;
    }
    await closeServer(wss);
    assert.deepEqual({ lost, unclean }, { lost: 0, unclean: 0 });
  });
}

/** A socketeer server whose connections record what they deliver and how they close. */
async function recordingServer() {
  const wss = new SWebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: DEFLATE });
  await once(wss, 'listening');
  const results = [];
  const waiting = [];
  wss.on('connection', (ws) => {
    const messages = [];
    ws.on('message', (data, isBinary) => messages.push({ text: String(data), isBinary }));
    const seen = observe(ws);
    ws.closed.then((info) => {
      const result = { messages, info, seen };
      if (waiting.length > 0) waiting.shift()(result);
      else results.push(result);
    });
  });
  const next = () =>
    withTimeout(results.length > 0 ? Promise.resolve(results.shift()) : new Promise((r) => waiting.push(r)), 5000, 'for the server side to close');
  return { wss, port: wss.address().port, next };
}

test(`server: compressed text, Close(1000) and FIN in one write are all processed (${RUNS} runs)`, async () => {
  const server = await recordingServer();
  let failures = [];
  for (let i = 0; i < RUNS; i++) {
    const { socket, reader } = await rawClient(server.port, 'permessage-deflate');
    const deflater = rawDeflater();
    const payload = await deflater.compress(Buffer.from(`message ${i}`));
    deflater.close();
    socket.end(Buffer.concat([frame(0x1, payload, { rsv1: true }), closeFrame(1000)]));
    const frames = await reader.untilClose();
    const { messages, info } = await server.next();
    socket.destroy();
    const echoed = frames.at(-1);
    const ok =
      messages.length === 1 &&
      messages[0].text === `message ${i}` &&
      info.code === 1000 &&
      info.wasClean === true &&
      echoed?.opcode === 0x8 &&
      echoed.payload.readUInt16BE(0) === 1000;
    if (!ok) failures.push({ i, messages: messages.length, info, echoed: echoed?.opcode });
  }
  await closeServer(server.wss);
  assert.deepEqual(failures.slice(0, 3), []);
});

test(`server: a ws client sending a compressed message then closing gets it delivered and a clean close (${RUNS} runs)`, async () => {
  const server = await recordingServer();
  const url = `ws://127.0.0.1:${server.port}/`;
  let failures = 0;
  for (let i = 0; i < RUNS; i++) {
    const ws = new WWebSocket(url, { perMessageDeflate: DEFLATE });
    await once(ws, 'open');
    ws.send(`hello ${i}`);
    ws.close(1000);
    const [[code]] = await Promise.all([once(ws, 'close'), Promise.resolve()]);
    const { messages, info } = await server.next();
    if (code !== 1000 || messages.length !== 1 || messages[0].text !== `hello ${i}` || info.code !== 1000 || !info.wasClean) failures++;
  }
  await closeServer(server.wss);
  assert.equal(failures, 0);
});

// ---- variations, both roles: what sits behind the inflation, and when TCP ends

const VARIANT_RUNS = process.env.SOCKETEER_FULL === '1' ? 200 : 20;
const PING = 0x9;
const PONG = 0xa;

/**
 * Builds what the raw peer sends: compressed messages (one per entry of
 * `texts`, fragmented into `fragments` frames), control frames after the
 * first message, then a Close. Returns the bytes and what must be observed.
 */
async function buildStream({ texts, fragments = 1, controls = [], close = { code: 1000, reason: '' } }, mask) {
  const deflater = rawDeflater();
  const frames = [];
  for (const [index, text] of texts.entries()) {
    const payload = await deflater.compress(Buffer.from(text));
    const size = Math.ceil(payload.length / fragments);
    for (let i = 0; i < fragments; i++) {
      const part = payload.subarray(i * size, i === fragments - 1 ? payload.length : (i + 1) * size);
      frames.push(frame(i === 0 ? 0x1 : 0x0, part, { fin: i === fragments - 1, rsv1: i === 0, mask }));
    }
    if (index === 0) for (const [opcode, data] of controls) frames.push(frame(opcode, data, { mask }));
  }
  deflater.close();
  const body = Buffer.alloc(2 + Buffer.byteLength(close.reason));
  body.writeUInt16BE(close.code);
  body.write(close.reason, 2);
  frames.push(frame(0x8, body, { mask }));
  return Buffer.concat(frames);
}

/** Records messages, pings, pongs and the close of a socketeer WebSocket. */
function observe(ws) {
  const seen = [];
  ws.on('message', (data, isBinary) => seen.push(`${isBinary ? 'binary' : 'text'}:${String(data).length}:${String(data).slice(0, 12)}`));
  ws.on('ping', (data) => seen.push(`ping:${data}`));
  ws.on('pong', (data) => seen.push(`pong:${data}`));
  return seen;
}

function expected({ texts, controls = [] }) {
  const out = [];
  texts.forEach((text, i) => {
    out.push(`text:${text.length}:${text.slice(0, 12)}`);
    if (i === 0) for (const [opcode, data] of controls) out.push(`${opcode === PING ? 'ping' : 'pong'}:${data}`);
  });
  return out;
}

/** Ends TCP in the same write as the stream, or in a later turn. */
function sendAndEnd(socket, bytes, endLater) {
  if (!endLater) socket.end(bytes);
  else socket.write(bytes, () => setImmediate(() => socket.end()));
}

const BIG = 'x'.repeat(4 * 1024 * 1024) + 'tail';
const VARIANTS = {
  'a fragmented compressed message': { texts: ['fragmented message '.repeat(50)], fragments: 3 },
  'several messages queued behind one inflation': { texts: ['one', 'two two', 'three three three', 'four'] },
  'a ping and a pong behind the message': { texts: ['hello'], controls: [[PING, 'p1'], [PONG, 'q1']] },
  'a Close with a code and a reason': { texts: ['hello'], close: { code: 4123, reason: 'see you' } },
  'a large message whose inflation takes several turns': { texts: [BIG, 'after the big one'] },
};

for (const [name, variant] of Object.entries(VARIANTS)) {
  for (const endLater of [false, true]) {
    const when = endLater ? 'TCP ends in a later chunk' : 'TCP ends in the same chunk';
    const close = variant.close ?? { code: 1000, reason: '' };
    const runs = variant.texts[0] === BIG ? 3 : VARIANT_RUNS;

    test(`server: ${name}, then Close; ${when}`, async () => {
      const server = await recordingServer();
      const bytes = await buildStream(variant, true);
      for (let i = 0; i < runs; i++) {
        const { socket, reader } = await rawClient(server.port, 'permessage-deflate');
        sendAndEnd(socket, bytes, endLater);
        const frames = await reader.untilClose();
        const { info, seen } = await server.next();
        socket.destroy();
        assert.deepEqual(seen, expected(variant));
        assert.deepEqual(info, { code: close.code, reason: close.reason, wasClean: true });
        assert.equal(frames.at(-1).payload.readUInt16BE(0), close.code, 'the Close was answered with its code');
      }
      await closeServer(server.wss);
    });

    test(`client: ${name}, then Close; ${when}`, async () => {
      const server = await rawServer((offer) => (offer?.includes('permessage-deflate') ? 'permessage-deflate' : undefined));
      const bytes = await buildStream(variant, false);
      for (let i = 0; i < runs; i++) {
        const ws = new SWebSocket(`ws://127.0.0.1:${server.port}/`, { perMessageDeflate: DEFLATE });
        const [{ socket, reader }] = await Promise.all([server.next(), once(ws, 'open')]);
        const seen = observe(ws);
        sendAndEnd(socket, bytes, endLater);
        const frames = await reader.untilClose();
        const info = await withTimeout(ws.closed, 5000, 'for the client to close');
        assert.deepEqual(seen, expected(variant));
        assert.deepEqual(info, { code: close.code, reason: close.reason, wasClean: true });
        assert.equal(frames.at(-1).opcode, 0x8, 'the client answered the Close');
      }
      await server.close();
    });
  }
}
