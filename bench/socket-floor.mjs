// `node bench/socket-floor.mjs`: heap per idle connection of bare sockets,
// with no WebSocket library on them: a plain accepted TCP socket, and the
// socket Node's HTTP server hands over after an upgrade. This is the floor
// under both libraries' "heap per idle connection" figure.
import { fork } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const COUNT = Number(process.env.SOCKET_FLOOR_COUNT ?? 5000);

if (process.argv[2] === 'serve') serve(process.argv[3]);
else await measureAll();

function serve(mode) {
  const held = [];
  globalThis.gc();
  const base = process.memoryUsage().heapUsed;
  const hold = (socket) => {
    socket.on('error', () => {});
    held.push(socket);
  };
  let server;
  if (mode === 'tcp') {
    server = net.createServer(hold);
  } else {
    server = http.createServer();
    server.on('upgrade', (_req, socket) => {
      hold(socket);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    });
  }
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', () => {
    globalThis.gc();
    process.send({ count: held.length, perConnection: (process.memoryUsage().heapUsed - base) / held.length });
    process.exit(0);
  });
}

async function measureAll() {
  for (const mode of ['tcp', 'http-upgrade']) {
    const child = fork(fileURLToPath(import.meta.url), ['serve', mode], { execArgv: ['--expose-gc'] });
    const { port } = await new Promise((resolve) => child.once('message', resolve));
    const sockets = [];
    const ready = [];
    for (let i = 0; i < COUNT; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      sockets.push(socket);
      if (mode === 'tcp') {
        ready.push(new Promise((resolve) => socket.once('connect', resolve)));
      } else {
        socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
        ready.push(new Promise((resolve) => socket.once('data', resolve)));
      }
    }
    await Promise.all(ready);
    child.send('measure');
    const result = await new Promise((resolve) => child.once('message', resolve));
    console.log(`${mode}: ${result.count} idle connections, ${(result.perConnection / 1024).toFixed(2)} KB heap each`);
    for (const socket of sockets) socket.destroy();
  }
}
