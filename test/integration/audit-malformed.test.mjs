// Audit (issue 2 §4, issue 8 fuzzing): malformed input from a peer over real
// loopback sockets never throws out of socketeer, with or without an 'error'
// listener, with or without permessage-deflate: each connection ends with
// exactly one close event carrying a defined code, and `closed` resolves.
// Inputs are random (fast-check, fixed seed so a failure replays) and bounded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { once, settle, withTimeout } from '../helpers/once.mjs';

const RUNS = Number(process.env.AUDIT_RUNS ?? 60);
const SEED = Number(process.env.AUDIT_SEED ?? 0x5eed);
// Codes a connection may end with after garbage: a failure we sent, a Close
// the garbage happened to contain (any code valid to receive), or none.
const VALID_RECEIVED = (c) => c === 1005 || c === 1006 || (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);

const uncaught = [];
const onUncaught = (error) => uncaught.push(error);
before(() => process.on('uncaughtException', onUncaught));
after(() => process.removeListener('uncaughtException', onUncaught));

function acceptFor(key) {
  return createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
}

/** Frames as a hostile peer would write them: any header bits, optional mask, garbage payload. */
const frameArb = fc.record({
  b0: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(0x01, 0x02, 0x00, 0x80, 0x81, 0x82, 0x88, 0x89, 0x8a, 0xc1, 0x41, 0xc0) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
  ),
  masked: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.boolean() }),
  len: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 12 }) }, fc.integer({ min: 0, max: 130 }), fc.constantFrom(126, 127)),
  payload: fc.oneof(fc.uint8Array({ maxLength: 140 }), fc.constantFrom([0x03, 0xe8], [0x03, 0xe8, 0xff], [0x0f, 0xa0, 0x68, 0x69], [0x03], [0xce, 0xba, 0xe1, 0xbd, 0xb9], [0xf2, 0x63, 0x60, 0x00, 0x00]).map((a) => Uint8Array.from(a))),
  ext: fc.uint8Array({ minLength: 8, maxLength: 8 }),
}).map(({ b0, masked, len, payload, ext }) => {
  const head = [b0, (masked ? 0x80 : 0) | len];
  // Short lengths match the payload so many frames are well-formed and later ones get parsed.
  if (len === 126) head.push(ext[0], ext[1]);
  if (len === 127) head.push(...ext);
  const parts = [Buffer.from(head)];
  if (masked) parts.push(Buffer.from([1, 2, 3, 4]));
  const body = Buffer.from(len < 126 && payload.length >= len && len <= 12 ? payload.subarray(0, len) : payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i] ^= i % 4 + 1;
  parts.push(body);
  return Buffer.concat(parts);
});
const wireArb = fc.record({
  bytes: fc.oneof(fc.array(frameArb, { minLength: 1, maxLength: 6 }).map((f) => Buffer.concat(f)), fc.uint8Array({ minLength: 1, maxLength: 300 }).map((u) => Buffer.from(u))),
  chunk: fc.integer({ min: 1, max: 64 }),
  listenError: fc.boolean(),
  endAfter: fc.constantFrom('end', 'reset'),
});

function writeChunked(socket, bytes, size) {
  for (let i = 0; i < bytes.length; i += size) socket.write(bytes.subarray(i, i + size));
}

function finish(socket, how) {
  if (how === 'end') socket.end();
  else socket.resetAndDestroy();
}

async function expectOneClose(ws, listenError) {
  const closes = [];
  ws.on('close', (code) => closes.push(code));
  if (listenError) ws.on('error', () => {});
  const info = await withTimeout(ws.closed, 5000, 'for closed');
  await settle();
  assert.equal(closes.length, 1, `one close event (${closes})`);
  assert.equal(closes[0], info.code);
  assert.ok(VALID_RECEIVED(info.code), `defined close code, got ${info.code}`);
  assert.equal(ws.readyState, 3);
}

for (const deflate of [false, true]) {
  describe(`garbage frames after the handshake (permessage-deflate ${deflate ? 'on' : 'off'})`, () => {
    test('to a socketeer server', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', closeTimeout: 300, perMessageDeflate: deflate, maxPayload: 1 << 20 });
      await once(wss, 'listening');
      const port = wss.address().port;
      try {
        await fc.assert(
          fc.asyncProperty(wireArb, async ({ bytes, chunk, listenError, endAfter }) => {
            const socket = net.connect({ port, host: '127.0.0.1' });
            socket.on('error', () => {});
            socket.on('data', () => {});
            const key = randomBytes(16).toString('base64');
            const connection = once(wss, 'connection', 3000);
            socket.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
              (deflate ? 'Sec-WebSocket-Extensions: permessage-deflate\r\n' : '') + '\r\n');
            const [ws] = await connection;
            const done = expectOneClose(ws, listenError);
            writeChunked(socket, bytes, chunk);
            finish(socket, endAfter);
            try {
              await done;
            } finally {
              socket.destroy();
            }
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
      } finally {
        for (const c of wss.clients) c.terminate();
        await withTimeout(wss.close(), 3000, 'wss.close()');
      }
      assert.deepEqual(uncaught, [], 'no uncaught exception');
    });

    test('to a socketeer client', async () => {
      let current = null;
      const server = net.createServer((socket) => {
        socket.on('error', () => {});
        let head = '';
        socket.on('data', function onData(d) {
          head += d.toString('latin1');
          if (!head.includes('\r\n\r\n')) return;
          socket.removeListener('data', onData);
          socket.on('data', () => {});
          const key = /Sec-WebSocket-Key: (\S+)/i.exec(head)[1];
          socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n` +
            (deflate ? 'Sec-WebSocket-Extensions: permessage-deflate\r\n' : '') + '\r\n');
          const { bytes, chunk, endAfter } = current;
          writeChunked(socket, bytes, chunk);
          finish(socket, endAfter);
        });
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `ws://127.0.0.1:${server.address().port}/`;
      try {
        await fc.assert(
          fc.asyncProperty(wireArb, async (input) => {
            current = input;
            const ws = new WebSocket(url, { closeTimeout: 300, perMessageDeflate: deflate, maxPayload: 1 << 20 });
            try {
              await expectOneClose(ws, input.listenError);
            } finally {
              if (ws.readyState !== 3) ws.terminate();
            }
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
      } finally {
        server.closeAllConnections?.();
        await new Promise((resolve) => server.close(resolve));
      }
      assert.deepEqual(uncaught, [], 'no uncaught exception');
    });
  });
}

describe('garbage instead of the opening handshake', () => {
  const textArb = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 400 }).map((u) => Buffer.from(u)),
    fc.array(fc.constantFrom('GET / HTTP/1.1\r\n', 'Upgrade: websocket\r\n', 'Connection: Upgrade\r\n', 'Sec-WebSocket-Version: 13\r\n',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n', 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\r\n',
      'Sec-WebSocket-Protocol: , ,a\r\n', 'Host: x\r\n', 'X: \u0000\r\n', '\r\n', ':\r\n', 'HTTP/1.1 101 Switching Protocols\r\n',
      'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n', 'Content-Length: 5\r\n', 'Transfer-Encoding: chunked\r\n', '\x81\x05hello'), { minLength: 1, maxLength: 12 })
      .map((lines) => Buffer.from(lines.join(''), 'latin1')),
  );

  test('to a socketeer server: answered or closed, the server keeps serving', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handshakeTimeout: 300, perMessageDeflate: true });
    await once(wss, 'listening');
    const port = wss.address().port;
    wss.on('connection', (ws) => ws.close());
    try {
      await fc.assert(
        fc.asyncProperty(textArb, async (bytes) => {
          const socket = net.connect({ port, host: '127.0.0.1' });
          socket.on('error', () => {});
          socket.on('data', () => {});
          socket.write(bytes);
          socket.end();
          await withTimeout(new Promise((resolve) => socket.on('close', resolve)), 3000, 'the server to close the socket');
        }),
        { numRuns: RUNS * 2, seed: SEED, endOnFailure: true },
      );
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      await once(ws, 'open', 3000);
      assert.equal((await withTimeout(ws.closed, 3000, 'closed')).code, 1005, 'still serving');
    } finally {
      await withTimeout(wss.close(), 3000, 'wss.close()');
    }
    assert.deepEqual(uncaught, [], 'no uncaught exception');
  });

  test('to a socketeer client: error or close, never a crash', async () => {
    let current = null;
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.write(current);
        socket.end();
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${server.address().port}/`;
    try {
      await fc.assert(
        fc.asyncProperty(textArb, fc.boolean(), async (bytes, listenError) => {
          current = bytes;
          const ws = new WebSocket(url, { closeTimeout: 300, handshakeTimeout: 2000 });
          try {
            await expectOneClose(ws, listenError);
          } finally {
            if (ws.readyState !== 3) ws.terminate();
          }
        }),
        { numRuns: RUNS * 2, seed: SEED, endOnFailure: true },
      );
    } finally {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
    assert.deepEqual(uncaught, [], 'no uncaught exception');
  });
});
