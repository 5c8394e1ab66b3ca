// Replies written while one socket read is handled leave in one write: a raw
// client puts several masked frames in one TCP write, the server echoes each
// from its 'message' handler, and the server socket sees exactly one write
// call carrying every echo, in order. A large lone read (a pipelining peer)
// gets its first echo at once and the rest in one write. A write made outside
// a read still goes out by itself at once, and the order of everything on the
// wire is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocketServer } from 'socketeer';
import { connectRaw, frame, OP } from '../helpers/raw-peer.mjs';

async function echoServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const calls = [];
  wss.on('connection', (ws) => {
    const socket = ws._socket;
    // Count the stream's writes as Node hands them to the OS.
    const write = socket._write;
    const writev = socket._writev;
    socket._write = function (chunk, encoding, cb) { calls.push([chunk.length]); return write.call(this, chunk, encoding, cb); };
    socket._writev = function (chunks, cb) { calls.push(chunks.map((c) => c.chunk.length)); return writev.call(this, chunks, cb); };
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    const reads = [];
    socket.prependListener('data', (chunk) => reads.push(chunk.length));
    wss.emit('test-ws', ws, reads);
  });
  return { wss, calls };
}

test('several messages in one read: every echo leaves in one write, in order', async () => {
  const { wss, calls } = await echoServer();
  const serverSide = once(wss, 'test-ws');
  const peer = await connectRaw(wss.address().port);
  try {
    await serverSide;
    const texts = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'];
    peer.write(Buffer.concat(texts.map((t) => frame(OP.text, t, { mask: true }))));
    for (const t of texts) {
      const f = await peer.nextFrame();
      assert.equal(f.opcode, OP.text);
      assert.equal(String(f.payload), t);
    }
    assert.equal(calls.length, 1, `one write for the read, got ${JSON.stringify(calls)}`);
    assert.equal(calls[0].reduce((a, b) => a + b, 0), texts.reduce((n, t) => n + 2 + t.length, 0));
  } finally {
    peer.destroy();
    await new Promise((resolve) => wss.close(resolve));
  }
});

test('a large lone read (a pipelining peer): the first echo at once, the rest together', async () => {
  const { wss, calls } = await echoServer();
  const serverSide = once(wss, 'test-ws');
  const peer = await connectRaw(wss.address().port);
  try {
    const [, reads] = await serverSide;
    const payloads = Array.from({ length: 40 }, (_, i) => Buffer.alloc(40, i));
    const bytes = Buffer.concat(payloads.map((p) => frame(OP.binary, p, { mask: true })));
    assert.ok(bytes.length >= 1024, 'past the early-reply threshold');
    peer.write(bytes);
    for (const p of payloads) assert.ok((await peer.nextFrame()).payload.equals(p));
    assert.deepEqual(reads, [bytes.length], 'loopback delivered the batch in one read');
    assert.deepEqual(calls.map((c) => c.length), [1, 39], `first echo alone, then one writev: ${JSON.stringify(calls)}`);
  } finally {
    peer.destroy();
    await new Promise((resolve) => wss.close(resolve));
  }
});

test('a send outside a read goes out at once, and a later read batches behind it', async () => {
  const { wss, calls } = await echoServer();
  const serverSide = once(wss, 'test-ws');
  const peer = await connectRaw(wss.address().port);
  try {
    const [ws] = await serverSide;
    ws.send('first, on its own');
    assert.equal(calls.length, 1, 'written in the same turn as send()');
    const f = await peer.nextFrame();
    assert.equal(String(f.payload), 'first, on its own');
    peer.write(Buffer.concat([frame(OP.binary, Buffer.from([1]), { mask: true }), frame(OP.binary, Buffer.from([2]), { mask: true })]));
    assert.deepEqual([...(await peer.nextFrame()).payload], [1]);
    assert.deepEqual([...(await peer.nextFrame()).payload], [2]);
    assert.equal(calls.length, 2, `the two echoes in one write: ${JSON.stringify(calls)}`);
    // A close requested from a handler in the middle of a read goes after the echoes before it.
    ws.once('message', () => ws.close(1000, 'bye'));
    peer.write(Buffer.concat([frame(OP.text, 'a', { mask: true }), frame(OP.text, 'b', { mask: true })]));
    assert.equal(String((await peer.nextFrame()).payload), 'a');
    const close = await peer.nextFrame();
    assert.equal(close.opcode, OP.close);
    assert.equal(close.payload.readUInt16BE(0), 1000);
  } finally {
    peer.destroy();
    await new Promise((resolve) => wss.close(resolve));
  }
});

test('terminate() in the middle of a read still hands the echoes sent before it to the OS', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  wss.on('connection', (ws) => {
    ws.on('message', (data) => (String(data) === 'terminate' ? ws.terminate() : ws.send(data)));
  });
  const peer = await connectRaw(wss.address().port);
  try {
    peer.write(Buffer.concat(['one', 'two', 'terminate', 'never'].map((t) => frame(OP.text, t, { mask: true }))));
    assert.equal(String((await peer.nextFrame()).payload), 'one');
    assert.equal(String((await peer.nextFrame()).payload), 'two');
    await peer.waitPeerEnd();
    assert.equal(peer.frames.filter((f) => String(f.payload) === 'never').length, 0);
  } finally {
    peer.destroy();
    await new Promise((resolve) => wss.close(resolve));
  }
});
