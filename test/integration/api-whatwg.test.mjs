// The WHATWG dialect of socketeer's WebSocket: addEventListener, on<event>
// attributes, MessageEvent/CloseEvent/ErrorEvent, the readyState constants and
// every binaryType, on a socketeer client and server over loopback.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloseEvent, ErrorEvent, MessageEvent, WebSocket } from '../../dist/esm/index.js';
import { openPair, SWebSocketServer } from '../helpers/pairs.mjs';
import { once, withTimeout } from '../helpers/once.mjs';
import { connectRaw, OP, frame } from '../helpers/raw-peer.mjs';

/** Resolves with the next WHATWG event of `type` (bounded). */
function nextEvent(ws, type, ms = 3000) {
  return withTimeout(new Promise((resolve) => ws.addEventListener(type, resolve, { once: true })), ms, `for a '${type}' event`);
}

describe('WHATWG surface', () => {
  test('readyState constants on the class, the prototype and instances', async () => {
    const names = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
    names.forEach((name, value) => {
      assert.equal(WebSocket[name], value);
      assert.equal(WebSocket.prototype[name], value);
    });
    const p = await openPair();
    try {
      names.forEach((name, value) => assert.equal(p.clientWs[name], value));
      assert.equal(p.clientWs.readyState, WebSocket.OPEN);
    } finally {
      await p.dispose();
    }
  });

  test('onopen, onmessage, onclose attributes with browser-style events', async () => {
    const wss = new SWebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    try {
      wss.on('connection', (ws) => {
        ws.send('hello');
        ws.send(Buffer.from([1, 2]));
        ws.close(4001, 'done');
      });
      const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/`);
      ws.binaryType = 'arraybuffer';
      const seen = [];
      const closed = new Promise((resolve) => {
        ws.onopen = (event) => seen.push(['open', event.type, event.target === ws]);
        ws.onmessage = (event) => seen.push(['message', event instanceof MessageEvent, event.data]);
        ws.onclose = (event) => {
          seen.push(['close', event instanceof CloseEvent, event.code, event.reason, event.wasClean, event.target === ws]);
          resolve();
        };
      });
      assert.equal(typeof ws.onopen, 'function', 'the getter returns the handler');
      await withTimeout(closed, 3000, 'for onclose');
      assert.deepEqual(seen, [
        ['open', 'open', true],
        ['message', true, 'hello'],
        ['message', true, new Uint8Array([1, 2]).buffer],
        ['close', true, 4001, 'done', true, true],
      ]);
    } finally {
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  test('assigning an on<event> attribute replaces the previous handler; null removes it', async () => {
    const p = await openPair();
    try {
      const calls = [];
      p.clientWs.onmessage = () => calls.push('first');
      p.clientWs.onmessage = () => calls.push('second');
      p.serverWs.send('one');
      await nextEvent(p.clientWs, 'message');
      p.clientWs.onmessage = null;
      assert.equal(p.clientWs.onmessage, null);
      p.serverWs.send('two');
      await nextEvent(p.clientWs, 'message');
      assert.deepEqual(calls, ['second']);
    } finally {
      await p.dispose();
    }
  });

  test('addEventListener: duplicates ignored, once, removeEventListener, handleEvent objects, this', async () => {
    const p = await openPair();
    try {
      const calls = [];
      const fn = function (event) {
        calls.push(['fn', event.data, this === p.clientWs]);
      };
      const obj = { handleEvent: (event) => calls.push(['obj', event.data]) };
      const onceFn = (event) => calls.push(['once', event.data]);
      p.clientWs.addEventListener('message', fn);
      p.clientWs.addEventListener('message', fn);
      p.clientWs.addEventListener('message', obj);
      p.clientWs.addEventListener('message', onceFn, { once: true });
      p.serverWs.send('a');
      await once(p.clientWs, 'message');
      p.clientWs.removeEventListener('message', obj);
      p.serverWs.send('b');
      await once(p.clientWs, 'message');
      assert.deepEqual(calls, [
        ['fn', 'a', true],
        ['obj', 'a'],
        ['once', 'a'],
        ['fn', 'b', true],
      ]);
    } finally {
      await p.dispose();
    }
  });

  test('a protocol error reaches addEventListener("error") as an ErrorEvent, then close', async () => {
    const wss = new SWebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    try {
      const connection = once(wss, 'connection');
      const peer = await connectRaw(wss.address().port);
      const [ws] = await connection;
      const order = [];
      const errorEvent = new Promise((resolve) => ws.addEventListener('error', (e) => (order.push('error'), resolve(e))));
      const closeEvent = new Promise((resolve) => ws.addEventListener('close', (e) => (order.push('close'), resolve(e))));
      peer.write(frame(OP.text, Buffer.from([0xff]), { mask: true }));
      const error = await withTimeout(errorEvent, 3000, 'for the error event');
      assert.ok(error instanceof ErrorEvent);
      assert.equal(error.type, 'error');
      assert.equal(error.error.code, 'WS_ERR_INVALID_UTF8');
      assert.equal(error.message, error.error.message);
      await peer.nextFrame();
      peer.end();
      const close = await withTimeout(closeEvent, 3000, 'for the close event');
      assert.equal(close.code, 1007);
      assert.equal(close.wasClean, false);
      assert.deepEqual(order, ['error', 'close']);
      peer.destroy();
    } finally {
      await withTimeout(new Promise((resolve) => wss.close(resolve)), 3000, 'for the server to close');
    }
  });

  test('event classes are constructible like the browser ones', () => {
    const close = new CloseEvent('close', { code: 1000, reason: 'r', wasClean: true });
    assert.deepEqual([close.type, close.code, close.reason, close.wasClean], ['close', 1000, 'r', true]);
    const message = new MessageEvent('message', { data: 'd' });
    assert.deepEqual([message.type, message.data], ['message', 'd']);
    const error = new ErrorEvent('error', { message: 'm' });
    assert.deepEqual([error.type, error.message], ['error', 'm']);
  });
});

describe('binaryType', () => {
  test("defaults to 'nodebuffer' and ignores unknown values", async () => {
    const p = await openPair();
    try {
      assert.equal(p.clientWs.binaryType, 'nodebuffer');
      p.clientWs.binaryType = 'nonsense';
      assert.equal(p.clientWs.binaryType, 'nodebuffer');
    } finally {
      await p.dispose();
    }
  });

  const payload = Buffer.from([0, 1, 2, 250, 251]);
  const checks = {
    nodebuffer: async (data) => {
      assert.ok(Buffer.isBuffer(data));
      assert.deepEqual(data, payload);
    },
    arraybuffer: async (data) => {
      assert.ok(data instanceof ArrayBuffer);
      assert.deepEqual(Buffer.from(data), payload);
    },
    fragments: async (data) => {
      assert.ok(Array.isArray(data) && data.every((b) => Buffer.isBuffer(b)));
      assert.deepEqual(Buffer.concat(data), payload);
    },
    blob: async (data) => {
      assert.ok(data instanceof Blob);
      assert.equal(data.size, payload.length);
      assert.deepEqual(Buffer.from(await data.arrayBuffer()), payload);
    },
  };
  for (const [type, check] of Object.entries(checks)) {
    test(`'${type}': binary messages (also fragmented) arrive shaped; text stays a string`, async () => {
      const p = await openPair();
      try {
        p.clientWs.binaryType = type;
        assert.equal(p.clientWs.binaryType, type);
        const got = [];
        const events = [];
        p.clientWs.addEventListener('message', (event) => events.push(event.data));
        const three = new Promise((resolve) =>
          p.clientWs.on('message', (data, isBinary) => got.push([data, isBinary]) === 3 && resolve()),
        );
        p.serverWs.send(payload);
        p.serverWs.send(payload.subarray(0, 2), { fin: false });
        p.serverWs.send(payload.subarray(2), { fin: true });
        p.serverWs.send('text');
        await withTimeout(three, 3000, 'for three messages');
        await check(got[0][0]);
        await check(got[1][0]);
        assert.deepEqual([got[0][1], got[1][1], got[2][1]], [true, true, false]);
        assert.equal(String(got[2][0]), 'text');
        await check(events[0]);
        assert.equal(events[2], 'text', 'MessageEvent.data is a string for text');
      } finally {
        await p.dispose();
      }
    });
  }
});
