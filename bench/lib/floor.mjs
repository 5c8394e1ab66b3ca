// The bare-socket floor under the memory figures: a server with no WebSocket
// library on its sockets, which accepts connections and holds them.
//   'upgrade': the socket Node's HTTP server hands over after an upgrade,
//              answered with a 101 and nothing else done to it. This is the
//              floor of the memory rows of `npm run bench`.
//   'tcp':     a plain accepted TCP socket.
// openUpgradedClient() is the client side's floor: the socket Node's HTTP
// client hands over after a 101, opened as both libraries open theirs.
// bench/socket-floor.mjs is the process around it (the bench's 'floor' slot
// of the memory cases, and the standalone `node bench/socket-floor.mjs`).
import http from 'node:http';
import net from 'node:net';
import { SAMPLE_KEY } from './frames.mjs';
import { memorySample } from './mem.mjs';

export const FLOOR_MODES = ['tcp', 'upgrade'];

// One handler for every floor socket, made once: a closure made per socket
// costs the floor an object each, and one made inside the client request's
// handlers would keep the request (and all it holds) alive with the socket.
const ignoreError = () => {};

/**
 * One bare upgraded client socket: an HTTP/1.1 upgrade request over a plain
 * socket of its own (no agent, as both libraries' clients make it), answered
 * 101; resolves with the socket Node's HTTP client hands over, with nothing
 * on it but an 'error' listener.
 */
export function openUpgradedClient(port) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: '/',
      createConnection: (options) => net.connect(options),
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': SAMPLE_KEY },
    });
    req.once('upgrade', (_response, socket) => {
      req.removeListener('error', reject);
      socket.on('error', ignoreError);
      resolve(socket);
    });
    req.once('response', (response) => {
      response.resume();
      reject(new Error(`the floor's upgrade got ${response.statusCode}, not 101`));
    });
    req.once('error', reject);
    req.end();
  });
}

/** Listens on 127.0.0.1; resolves with { server, port, held } (held: the sockets). */
export function listenFloor(mode) {
  const held = [];
  const hold = (socket) => {
    socket.on('error', ignoreError);
    held.push(socket);
  };
  let server;
  if (mode === 'tcp') {
    server = net.createServer(hold);
  } else if (mode === 'upgrade') {
    server = http.createServer();
    server.on('upgrade', (_req, socket) => {
      hold(socket);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
  } else {
    throw new Error(`unknown floor mode '${mode}' (expected ${FLOOR_MODES.join(' or ')})`);
  }
  server.maxConnections = 100000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
      server.removeListener('error', reject);
      resolve({ server, port: server.address().port, held });
    });
  });
}

/**
 * Runs the floor server as a child process, with the same IPC as
 * bench/server.mjs: sends { type: 'ready', port }; answers { type: 'mem' }
 * with a memory sample after garbage collection (bench/lib/mem.mjs, the
 * process runs with --expose-gc) and the number of open sockets it holds;
 * exits on { type: 'stop' } or when the parent goes away.
 */
export async function serveFloor({ mode }) {
  const { server, port, held } = await listenFloor(mode);
  const open = () => {
    let n = 0;
    for (const socket of held) if (!socket.destroyed) n++;
    return n;
  };
  process.on('message', async (msg) => {
    if (msg?.type === 'mem') {
      process.send({ type: 'mem', ...(await memorySample()), clients: open() });
    } else if (msg?.type === 'stop') {
      for (const socket of held) socket.destroy();
      server.close();
      process.send({ type: 'stopped', errors: [] }, () => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', port, mode });
}
