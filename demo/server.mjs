// The demo that `npm start` runs: one page with a browser client, an echo
// endpoint at /echo and a chat at /chat, all on one HTTP server. The chat is
// topics: /chat?room=NAME joins room NAME (default "lobby"), a message goes
// to everyone in the room. With REDIS_URL set, rooms are shared with every
// demo on that Redis (two `npm start`s on 8080 and 8081 form one chat).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from '../dist/esm/index.js';

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const STATIC_FILES = new Map([
  ['/', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/index.html', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/client.js', { file: 'client.js', type: 'text/javascript; charset=utf-8' }],
]);

function pathnameOf(request) {
  return new URL(request.url ?? '/', 'http://localhost').pathname;
}

async function serveStatic(request, response) {
  const entry = STATIC_FILES.get(pathnameOf(request));
  if (entry === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
    return;
  }
  try {
    const body = await readFile(new URL(entry.file, PUBLIC_DIR));
    response.writeHead(200, { 'Content-Type': entry.type, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch (error) {
    response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`Could not read ${entry.file}: ${error.message}\n`);
  }
}

/**
 * Browsers send the page's Origin: accept only pages served by this demo (and
 * clients that send no Origin, such as command-line tools), so another site
 * open in the same browser cannot use the chat (docs/security.md).
 */
function sameOrigin({ origin, req }) {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function createEchoServer() {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: true, verifyClient: sameOrigin });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => {}); // the close event reports it; a bad peer must not crash the demo
  });
  return wss;
}

/** The chat room a /chat URL asks for: ?room=NAME, "lobby" without one. */
export function roomOf(request) {
  const room = new URL(request.url ?? '/', 'http://localhost').searchParams.get('room')?.trim();
  return room ? room.slice(0, 64) : 'lobby';
}

function createChatServer(pubsub) {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: true, verifyClient: sameOrigin, ...(pubsub ? { pubsub } : {}) });
  wss.on('connection', (ws, request) => {
    const topic = `room:${roomOf(request)}`;
    ws.subscribe(topic);
    // Everyone in the room, the sender included, on this node and (with Redis) every other one.
    ws.on('message', (data, isBinary) => wss.publish(topic, data, { binary: isBinary }));
    ws.on('error', () => {});
  });
  wss.on('pubsub-error', (error) => console.error(`chat: ${error.code}: ${error.message}`));
  return wss;
}

/** The Redis bus for REDIS_URL (socketeer/redis needs the redis package, a dev dependency here). */
async function redisBus(url) {
  const { redisPubSub } = await import('../dist/esm/redis.js');
  return redisPubSub({ url, prefix: 'socketeer-demo:' });
}

/**
 * Starts the demo. Resolves with the HTTP server, the page's URL and close(),
 * which closes every WebSocket (1001) and the HTTP server.
 */
export async function startDemo({ port = 8080, host = '127.0.0.1', redisUrl } = {}) {
  const endpoints = new Map([
    ['/echo', createEchoServer()],
    ['/chat', createChatServer(redisUrl ? await redisBus(redisUrl) : undefined)],
  ]);
  const server = http.createServer((request, response) => {
    serveStatic(request, response);
  });
  server.on('upgrade', (request, socket, head) => {
    const wss = endpoints.get(pathnameOf(request));
    if (wss === undefined) {
      socket.on('error', () => {});
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}/`;

  let closing = null;
  const close = () => {
    closing ??= (async () => {
      const done = new Promise((resolve) => server.close(() => resolve()));
      await Promise.all([...endpoints.values()].map((wss) => wss.close()));
      server.closeAllConnections?.();
      await done;
    })();
    return closing;
  };
  return { server, url, close, chat: endpoints.get('/chat') };
}

const runDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (runDirectly) {
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be an integer from 0 to 65535; got ${process.env.PORT}`);
    process.exit(2);
  }
  const host = process.env.HOST || '127.0.0.1';
  try {
    const redisUrl = process.env.REDIS_URL || undefined;
    const demo = await startDemo({ port, host, redisUrl });
    console.log(`socketeer demo on ${demo.url}  (echo: ${demo.url.replace(/^http/, 'ws')}echo, chat: ${demo.url.replace(/^http/, 'ws')}chat?room=lobby)`);
    if (redisUrl) console.log(`chat rooms shared through Redis at ${redisUrl}`);
    console.log('Press Ctrl+C to stop.');
    const stop = (signal) => {
      console.log(`\n${signal}: closing connections...`);
      const force = setTimeout(() => process.exit(1), 5000);
      force.unref();
      demo.close().then(() => process.exit(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  } catch (error) {
    if (error.code === 'EADDRINUSE') console.error(`Port ${port} on ${host} is already in use: set PORT to another port (PORT=8081 npm start).`);
    else console.error(error.message);
    process.exit(1);
  }
}
