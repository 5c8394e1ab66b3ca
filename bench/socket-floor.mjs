// `node bench/socket-floor.mjs`: heap and RSS per idle connection of bare
// sockets, with no WebSocket library on them: a plain accepted TCP socket,
// and the socket Node's HTTP server hands over after an upgrade. The second
// is the floor under both libraries' server "per idle connection" figures.
// (The client rows' floor is the socket Node's HTTP client hands over after a
// 101: openUpgradedClient in bench/lib/floor.mjs, the 'floor' slot of the
// bench's memory.client case.)
// SOCKET_FLOOR_COUNT sets the number of connections (default 5000).
//
// With a JSON config as argv[2] ({ "mode": "upgrade" | "tcp" }) this is the
// floor server process itself (bench/lib/floor.mjs): `npm run bench` runs it
// as the 'floor' slot of the memory cases, with the same load generator,
// connection count, pinning and GC-then-sample as the libraries' servers, so
// the bench measures the floor in the same run. The standalone measurement
// below uses the same server and sampling, with the clients in this process
// and no pinning: the bench's figure is the one the goal is judged by.
import { fork } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { serveFloor } from './lib/floor.mjs';
import { upgradeRequest } from './lib/frames.mjs';

const COUNT = Number(process.env.SOCKET_FLOOR_COUNT ?? 5000);

if (process.argv[2]) await serveFloor(JSON.parse(process.argv[2]));
else await measureAll();

function nextMessage(child, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m?.type !== type) return;
      child.removeListener('message', onMessage);
      child.removeListener('exit', onExit);
      resolve(m);
    };
    const onExit = (code) => {
      child.removeListener('message', onMessage);
      reject(new Error(`floor server exited (${code}) before '${type}'`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function sample(child) {
  child.send({ type: 'mem' });
  return nextMessage(child, 'mem');
}

async function measure(mode) {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify({ mode })], { execArgv: ['--expose-gc'] });
  try {
    const { port } = await nextMessage(child, 'ready');
    const before = await sample(child);
    const sockets = [];
    const ready = [];
    for (let i = 0; i < COUNT; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      sockets.push(socket);
      if (mode === 'tcp') {
        ready.push(new Promise((resolve) => socket.once('connect', resolve)));
      } else {
        socket.write(upgradeRequest(port));
        ready.push(new Promise((resolve) => socket.once('data', resolve)));
      }
    }
    await Promise.all(ready);
    // A connect completes on this side before the server has accepted it:
    // wait (up to 10 s) until the server holds them all.
    let after = await sample(child);
    for (let i = 0; i < 100 && after.clients < COUNT; i++) {
      await sleep(100);
      after = await sample(child);
    }
    for (const socket of sockets) socket.destroy();
    return { count: after.clients, heap: (after.heapUsed - before.heapUsed) / after.clients, rss: (after.rss - before.rss) / after.clients };
  } finally {
    child.kill();
  }
}

async function measureAll() {
  for (const mode of ['tcp', 'upgrade']) {
    const r = await measure(mode);
    const name = mode === 'upgrade' ? 'http-upgrade' : mode;
    console.log(`${name}: ${r.count} idle connections (of ${COUNT}), ${(r.heap / 1024).toFixed(2)} KB heap, ${(r.rss / 1024).toFixed(2)} KB RSS each`);
  }
}
