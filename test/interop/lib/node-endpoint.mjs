// Endpoint handles for ws-compatible Node libraries (socketeer itself and npm
// ws share this API). A handle is what the matrix cases talk to; every driver
// (Python, browser, undici) provides the same shape:
//   protocol, extensions, caps { ping, terminate }
//   send(spec | specs[]) (in order; spec.fragments > 1: that many frames where
//   the library can fragment), nextMessage(ms?), close(code?, reason?), terminate(), ping(hex),
//   nextPing(), closed(), dispose()
import { createServer } from 'node:http';
import { once } from 'node:events';
import { AsyncQueue, Rendezvous, connectionId, withTimeout } from './async-queue.mjs';
import { build, digest } from './payload.mjs';
import { SERVER_PROTOCOLS, pickProtocol, WAIT_MS } from '../matrix.mjs';

function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(String(data));
}

export function wrapNodeSocket(ws) {
  const messages = new AsyncQueue();
  const pings = new AsyncQueue();
  const pongs = new AsyncQueue();
  const errors = [];
  let emitterClose = null;
  ws.on('message', (data, isBinary) => {
    const bytes = toBuffer(data);
    messages.push({ isBinary: Boolean(isBinary), length: bytes.length, sha256: digest(bytes) });
  });
  ws.on('ping', (data) => pings.push(toBuffer(data).toString('hex')));
  ws.on('pong', (data) => pongs.push(toBuffer(data).toString('hex')));
  ws.on('error', (error) => errors.push(error));
  ws.on('close', (code, reason) => {
    emitterClose = { code, reason: toBuffer(reason ?? '').toString() };
    const gone = new Error('connection closed');
    messages.end(gone);
    pings.end(gone);
    pongs.end(gone);
  });
  const closeEvent = new Promise((resolve) => {
    ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }));
  });
  return {
    caps: { ping: true, terminate: true },
    get protocol() { return ws.protocol; },
    get extensions() { return ws.extensions; },
    errors,
    raw: ws,
    send(specs) {
      for (const spec of [specs].flat()) {
        const binary = spec.kind === 'binary';
        if (!(spec.fragments > 1)) {
          ws.send(build(spec), { binary });
          continue;
        }
        // Byte-wise pieces: a text fragment may end inside a UTF-8 character.
        const bytes = Buffer.from(build(spec));
        const step = Math.ceil(bytes.length / spec.fragments);
        for (let i = 0; i < spec.fragments; i++) {
          ws.send(bytes.subarray(i * step, (i + 1) * step), { binary, fin: i === spec.fragments - 1 });
        }
      }
    },
    nextMessage(ms = WAIT_MS) { return messages.shift(ms, 'a message'); },
    close(code, reason) { ws.close(code, reason); },
    terminate() { ws.terminate(); },
    async ping(hex) {
      ws.ping(Buffer.from(hex, 'hex'));
      return pongs.shift(WAIT_MS, 'a pong');
    },
    nextPing() { return pings.shift(WAIT_MS, 'a ping'); },
    async closed() {
      const info = await withTimeout(closeEvent, WAIT_MS, 'the close event');
      // socketeer also offers `closed` (a promise) and the ws-style 'close'
      // event; all three must agree.
      info.emitter = emitterClose;
      if (ws.closed && typeof ws.closed.then === 'function') info.promise = await withTimeout(ws.closed, WAIT_MS, 'ws.closed');
      return info;
    },
    dispose() { if (ws.readyState !== 3) ws.terminate(); },
  };
}

/**
 * A server on 127.0.0.1:0 built from a ws-compatible module. Paths:
 * /deflate offers permessage-deflate, /refuse refuses with 403 through
 * verifyClient, anything else is plain. GET / returns a blank page (the
 * browser driver's origin).
 */
export async function startNodeServer(M) {
  const accepted = new Rendezvous();
  const common = { noServer: true, handleProtocols: (offered) => pickProtocol([...offered]) ?? false, maxPayload: 64 * 1024 * 1024 };
  const servers = {
    plain: new M.WebSocketServer({ ...common, perMessageDeflate: false }),
    deflate: new M.WebSocketServer({ ...common, perMessageDeflate: true }),
    refuse: new M.WebSocketServer({ ...common, perMessageDeflate: false, verifyClient: (info, cb) => cb(false, 403, 'Forbidden') }),
  };
  for (const wss of Object.values(servers)) {
    wss.on('connection', (ws, req) => accepted.put(connectionId(req.url), wrapNodeSocket(ws)));
  }
  const http = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><meta charset="utf-8"><title>socketeer interop</title><body>interop</body>');
  });
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url, 'http://x').pathname;
    const wss = path.startsWith('/deflate') ? servers.deflate : path.startsWith('/refuse') ? servers.refuse : servers.plain;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address();
  return {
    httpUrl: `http://127.0.0.1:${port}/`,
    urls: { plain: `ws://127.0.0.1:${port}/plain`, deflate: `ws://127.0.0.1:${port}/deflate`, refuse: `ws://127.0.0.1:${port}/refuse` },
    accept: (id) => accepted.take(id, WAIT_MS, `the server side of connection ${id}`),
    async close() {
      for (const handle of accepted.drain()) handle.dispose();
      for (const wss of Object.values(servers)) {
        for (const ws of wss.clients ?? []) ws.terminate();
        wss.close();
      }
      http.closeAllConnections?.();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

/** Client connect for a ws-compatible module: { ok, handle } or { ok: false, ... }. */
export async function connectNodeClient(M, url, { protocols = [], deflate = false } = {}) {
  const ws = new M.WebSocket(url, protocols, { perMessageDeflate: deflate });
  const handle = wrapNodeSocket(ws);
  let error = null;
  ws.on('error', (e) => { error ??= e; });
  const closeEvent = new Promise((resolve) => {
    ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }));
  });
  const outcome = await withTimeout(Promise.race([
    // not events.once(): it rejects on 'error', which a refused handshake emits before 'close'
    new Promise((resolve) => ws.once('open', () => resolve('open'))),
    closeEvent.then(() => 'closed'),
  ]), WAIT_MS, 'the client to open');
  if (outcome === 'open') return { ok: true, handle };
  const close = await closeEvent;
  return {
    ok: false,
    errored: Boolean(error),
    message: error?.message ?? '',
    status: error?.status ?? error?.statusCode ?? Number(/\b(\d{3})\b/.exec(error?.message ?? '')?.[1]) ?? null,
    close,
  };
}
