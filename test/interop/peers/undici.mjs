// Peer driver: undici's WHATWG WebSocket (the client built into recent Node),
// as a client. Pings go out through undici's `ping()`; pongs are observed on
// its 'undici:websocket:pong' diagnostics channel. It has no terminate().
import diagnostics from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { WebSocket, ping } from 'undici';
import { AsyncQueue, withTimeout } from '../lib/async-queue.mjs';
import { build, digest } from '../lib/payload.mjs';
import { WAIT_MS } from '../matrix.mjs';

const require = createRequire(import.meta.url);
const pongQueues = new WeakMap();
const onPong = ({ websocket, payload }) => pongQueues.get(websocket)?.push(Buffer.from(payload ?? []).toString('hex'));

function wrap(ws) {
  const messages = new AsyncQueue();
  const pongs = new AsyncQueue();
  pongQueues.set(ws, pongs);
  ws.binaryType = 'arraybuffer';
  ws.addEventListener('message', (e) => {
    const bytes = typeof e.data === 'string' ? Buffer.from(e.data) : Buffer.from(e.data);
    messages.push({ isBinary: typeof e.data !== 'string', length: bytes.length, sha256: digest(bytes) });
  });
  let error = null;
  ws.addEventListener('error', (e) => { error ??= e.error ?? new Error(e.message ?? 'error event'); });
  const closeEvent = new Promise((resolve) => {
    ws.addEventListener('close', (e) => {
      messages.end(new Error('connection closed'));
      pongs.end(new Error('connection closed'));
      resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean });
    });
  });
  const opened = new Promise((resolve) => ws.addEventListener('open', () => resolve(true)));
  return {
    ws, opened, closeEvent, getError: () => error,
    handle: {
      caps: { ping: true, terminate: false },
      get protocol() { return ws.protocol; },
      get extensions() { return ws.extensions; },
      send(specs) {
        for (const spec of [specs].flat()) {
          const data = build(spec);
          ws.send(spec.kind === 'text' ? data : new Uint8Array(data));
        }
      },
      nextMessage: (ms = WAIT_MS) => messages.shift(ms, 'a message'),
      close: (code, reason) => ws.close(code, reason),
      terminate() { throw new Error('undici WebSocket has no terminate()'); },
      ping(hex) {
        ping(ws, Buffer.from(hex, 'hex'));
        return pongs.shift(WAIT_MS, 'a pong');
      },
      closed: () => withTimeout(closeEvent, WAIT_MS, 'the close event'),
      dispose() { if (ws.readyState < 2) ws.close(); },
    },
  };
}

export async function start() {
  diagnostics.subscribe('undici:websocket:pong', onPong);
  const { version } = JSON.parse(readFileSync(require.resolve('undici/package.json'), 'utf8'));
  return {
    versions: { undici: version },
    async connect(url, { protocols = [] } = {}) {
      const w = wrap(new WebSocket(url, protocols));
      const outcome = await withTimeout(
        Promise.race([w.opened.then(() => 'open'), w.closeEvent.then(() => 'closed')]),
        WAIT_MS, 'the client to open',
      );
      if (outcome === 'open') return { ok: true, handle: w.handle };
      const error = w.getError();
      return { ok: false, errored: Boolean(error), message: error?.message ?? '', status: null, close: await w.closeEvent };
    },
    async close() { diagnostics.unsubscribe('undici:websocket:pong', onPong); },
  };
}
