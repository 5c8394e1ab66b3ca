// HTTP/2 test fixtures: a page-serving http2 server (TLS or h2c) with a
// socketeer WebSocketServer attached, raw extended CONNECTs from Node's own
// http2 client, and bounded waits.
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { once, withTimeout } from '../helpers/once.mjs';

export const HOST = '127.0.0.1';
export const KEY = readFileSync(new URL('../helpers/tls/localhost-key.pem', import.meta.url));
export const CERT = readFileSync(new URL('../helpers/tls/localhost-cert.pem', import.meta.url));
export const PAGE = '<!doctype html><title>socketeer h2</title><p>hello over HTTP/2</p>';

/**
 * An http2 server that serves a page on every ordinary request (as real
 * servers do: Node's compat layer then answers CONNECT with 405 unless
 * someone listens), with a WebSocketServer attached through `server`.
 * Records each session and each WebSocket CONNECT stream it sees.
 */
export async function startH2Server({ secure = true, allowHTTP1 = true, wssOptions = {}, serverOptions = {}, attach = true } = {}) {
  const onRequest = (req, res) => {
    seen.pages.push(req.httpVersion);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  };
  const server = secure
    ? http2.createSecureServer({ key: KEY, cert: CERT, allowHTTP1, ...serverOptions }, onRequest)
    : http2.createServer({ ...serverOptions }, onRequest);
  const seen = { sessions: 0, connectStreams: 0, connections: [], pages: [] };
  const live = new Set();
  server.on('session', (session) => {
    seen.sessions++;
    live.add(session);
    session.on('close', () => live.delete(session));
  });
  server.on('stream', (_stream, headers) => {
    if (headers[':method'] === 'CONNECT' && headers[':protocol'] === 'websocket') seen.connectStreams++;
  });
  const wss = attach ? new WebSocketServer({ server, ...wssOptions }) : null;
  wss?.on('connection', (ws, request) => seen.connections.push({ ws, request }));
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address();
  const scheme = secure ? 'wss' : 'ws';
  return {
    server,
    wss,
    seen,
    port,
    url: (path = '/') => `${scheme}://${HOST}:${port}${path}`,
    origin: `${secure ? 'https' : 'http'}://${HOST}:${port}`,
    async close() {
      for (const { ws } of seen.connections) if (ws.readyState !== 3) ws.terminate();
      if (wss) await withTimeout(wss.close(), 5000, 'for the WebSocketServer to close');
      // Clients keep idle sessions open for a while: tell them to go away.
      for (const session of live) session.close();
      await withTimeout(new Promise((resolve) => server.close(() => resolve())), 5000, 'for the http2 server to close');
    },
  };
}

/** Open a socketeer client over HTTP/2 (or as asked) and wait for it to open or fail. */
export async function openClient(url, options = {}, protocols) {
  const ws = protocols === undefined
    ? new WebSocket(url, { http2: true, rejectUnauthorized: false, ...options })
    : new WebSocket(url, protocols, { http2: true, rejectUnauthorized: false, ...options });
  const outcome = await withTimeout(
    new Promise((resolve) => {
      ws.once('open', () => resolve({ ok: true }));
      ws.once('error', (error) => resolve({ ok: false, error }));
      ws.once('close', (code) => resolve({ ok: false, code }));
    }),
    5000,
    `for ${url} to open`,
  );
  if (!outcome.ok) throw outcome.error ?? new Error(`closed with ${outcome.code} before open`);
  return ws;
}

/** Resolve with the next message as { data: string, isBinary }. */
export function nextMessage(ws, ms = 5000) {
  return withTimeout(
    new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data: isBinary ? Buffer.from(data) : String(data), isBinary }))),
    ms,
    'for a message',
  );
}

/** Resolve with { code, reason, wasClean } from the close event. */
export function closed(ws, ms = 5000) {
  return withTimeout(
    new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason), wasClean: ws.closeWasClean }))),
    ms,
    'for the close event',
  );
}

/**
 * Send one raw request head on a Node http2 client session and read the
 * answer to its end: { status, headers, body, rstCode, error }.
 */
export function rawRequest(session, headers, ms = 5000) {
  return withTimeout(
    new Promise((resolve) => {
      const result = { status: null, headers: null, body: '', rstCode: null, error: null };
      let stream;
      try {
        stream = session.request(headers, { endStream: false });
      } catch (error) {
        resolve({ ...result, error });
        return;
      }
      stream.on('response', (h) => {
        result.status = h[':status'];
        result.headers = h;
      });
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => (result.body += chunk));
      stream.on('error', (error) => (result.error = error));
      stream.on('close', () => resolve({ ...result, rstCode: stream.rstCode }));
    }),
    ms,
    `for the answer to ${JSON.stringify(headers)}`,
  );
}

/** A Node http2 client session to `origin` (self-signed certificate accepted), once connected. */
export async function rawSession(origin) {
  const session = http2.connect(origin, { rejectUnauthorized: false });
  session.on('error', () => {});
  await once(session, 'remoteSettings');
  return session;
}

export const wsConnect = (path = '/', extra = {}) => ({
  ':method': 'CONNECT',
  ':protocol': 'websocket',
  ':path': path,
  'sec-websocket-version': '13',
  ...extra,
});

export { WebSocket, WebSocketServer, once, withTimeout };
