// Loopback helpers for the API integration tests: listening servers on port 0,
// raw HTTP exchanges read to the end, and raw peers that complete a handshake
// and then behave badly on purpose.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';

export const HOST = '127.0.0.1';
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const acceptFor = (key) => createHash('sha1').update(key + GUID).digest('base64');

/** Rejects if `promise` has not settled within `ms` (turns hangs into failures). */
export function within(ms, promise, what = 'operation') {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** A WebSocketServer of `impl` on 127.0.0.1, port 0, once listening. */
export async function listenWss(WebSocketServer, options = {}) {
  const wss = new WebSocketServer({ port: 0, host: HOST, ...options });
  await once(wss, 'listening');
  const { port } = wss.address();
  return { wss, port, url: `ws://${HOST}:${port}` };
}

/** Any net/http server listening on 127.0.0.1, port 0. */
export async function listen(server) {
  server.listen(0, HOST);
  await once(server, 'listening');
  return server.address().port;
}

/** Closes a net/http server, dropping connections that are still open. */
export function closeServer(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A client of `WebSocket` once open (rejects on error or close first). */
export async function openClient(WebSocket, url, protocols, options) {
  const ws = new WebSocket(url, protocols, options);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed with ${code} before open`)));
  });
  ws.removeAllListeners('error');
  ws.removeAllListeners('close');
  return ws;
}

/** Resolves with the next 'connection' (ws, req) of a server. */
export function nextConnection(wss) {
  return once(wss, 'connection');
}

/**
 * Sends `text` on a fresh TCP connection and reads until the server closes it.
 * Resolves with the raw answer parsed into status, headers (lower-case) and body.
 */
export async function rawExchange(port, text, ms = 3000) {
  const socket = net.connect(port, HOST);
  const chunks = [];
  socket.on('data', (c) => chunks.push(c));
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(text);
  try {
    await within(ms, once(socket, 'close'), 'the server closing the connection');
  } finally {
    socket.destroy();
  }
  return parseResponse(Buffer.concat(chunks).toString('latin1'));
}

export function parseResponse(raw) {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  return { raw, status, headers, body: end === -1 ? '' : raw.slice(end + 4) };
}

/** A valid client handshake request, with `overrides` merged (null removes a header). */
export function upgradeRequest({ method = 'GET', path = '/', headers = {} } = {}) {
  const all = {
    Host: HOST,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = [`${method} ${path} HTTP/1.1`];
  for (const [name, value] of Object.entries(all)) if (value !== null) lines.push(`${name}: ${value}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

/**
 * A raw TCP client that completes a WebSocket handshake with a server and
 * then ignores everything (never answers pings, never closes). Resolves with
 * the socket once the 101 has arrived.
 */
export async function silentClient(port, path = '/') {
  const socket = net.connect(port, HOST);
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(upgradeRequest({ path }));
  let seen = '';
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      seen += chunk.toString('latin1');
      if (seen.includes('\r\n\r\n')) {
        socket.removeListener('data', onData);
        if (seen.startsWith('HTTP/1.1 101')) resolve();
        else reject(new Error(`handshake refused: ${seen.split('\r\n')[0]}`));
      }
    };
    socket.on('data', onData);
  });
  socket.resume(); // read and drop whatever comes next
  return socket;
}

/**
 * A raw HTTP server whose upgrade answer is written by `answer(req, socket, key)`.
 * The default answer completes the handshake and then ignores the client.
 */
export async function rawUpgradeServer(answer = completeHandshake) {
  const sockets = new Set();
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    answer(req, socket, req.headers['sec-websocket-key']);
  });
  const port = await listen(server);
  return {
    server,
    port,
    url: `ws://${HOST}:${port}`,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return closeServer(server);
    },
  };
}

export function completeHandshake(_req, socket, key, extra = []) {
  socket.write(
    ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptFor(key)}`, ...extra].join('\r\n') +
      '\r\n\r\n',
  );
  socket.resume();
}

/** A server frame (unmasked) with the given first byte and payload. */
export function serverFrame(firstByte, payload = Buffer.alloc(0)) {
  if (payload.length > 125) throw new Error('serverFrame only builds short frames');
  return Buffer.concat([Buffer.from([firstByte, payload.length]), payload]);
}

/** A client frame (masked with a zero mask) with the given first byte and payload. */
export function clientFrame(firstByte, payload = Buffer.alloc(0), masked = true) {
  if (payload.length > 125) throw new Error('clientFrame only builds short frames');
  if (!masked) return Buffer.concat([Buffer.from([firstByte, payload.length]), payload]);
  return Buffer.concat([Buffer.from([firstByte, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}
