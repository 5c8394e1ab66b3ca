// Records every way a WebSocket reports its close (ws-style 'close' event,
// addEventListener('close'), onclose, and socketeer's `closed` promise), so a
// test can assert there was exactly one close, with the expected code,
// reason and wasClean, and that the socket was already gone when it fired.
import assert from 'node:assert/strict';
import { settle, withTimeout } from './once.mjs';

export function watchClose(ws, { whatwg = true } = {}) {
  const rec = {
    emitter: [],
    listener: [],
    attribute: [],
    errors: [],
    messages: [],
    socketDestroyed: null,
    readyState: null,
    at: null,
  };
  ws.on('message', (data, isBinary) => rec.messages.push({ data: String(data), isBinary }));
  ws.on('close', (code, reason) => {
    rec.emitter.push({ code, reason: Buffer.isBuffer(reason) ? reason.toString() : String(reason ?? '') });
    rec.at = performance.now();
    rec.readyState = ws.readyState;
    const socket = ws._socket;
    rec.socketDestroyed = socket === undefined || socket === null ? null : socket.destroyed;
  });
  if (whatwg) {
    ws.addEventListener('close', (event) => {
      rec.listener.push({ code: event.code, reason: event.reason, wasClean: event.wasClean, type: event.type });
    });
    ws.onclose = (event) => rec.attribute.push({ code: event.code, reason: event.reason, wasClean: event.wasClean });
  }
  rec.done = withTimeout(
    new Promise((resolve) => ws.once('close', () => resolve())).then(settle).then(() => rec),
    10_000,
    'for the close event',
  );
  return rec;
}

/**
 * Await the close and check it. `expected` is { code, reason?, wasClean }.
 * `closed: false` for sockets without a `closed` promise (npm ws).
 */
export async function expectClose(ws, rec, expected, { closed = true, whatwg = true } = {}) {
  await rec.done;
  const { code, wasClean } = expected;
  const reason = expected.reason ?? '';
  assert.equal(rec.emitter.length, 1, `exactly one 'close' event (got ${rec.emitter.length})`);
  assert.deepEqual(rec.emitter[0], { code, reason }, "'close' event (code, reason)");
  assert.equal(rec.readyState, 3, 'readyState is CLOSED when the close event fires');
  if (rec.socketDestroyed !== null) assert.equal(rec.socketDestroyed, true, 'the socket is gone before the close event');
  if (whatwg) {
    assert.deepEqual(rec.listener, [{ code, reason, wasClean, type: 'close' }], 'addEventListener close: CloseEvent');
    assert.deepEqual(rec.attribute, [{ code, reason, wasClean }], 'onclose: CloseEvent');
  }
  if (closed) {
    const info = await withTimeout(ws.closed, 1000, 'for ws.closed');
    assert.deepEqual(info, { code, reason, wasClean }, 'ws.closed');
  }
  return rec;
}
