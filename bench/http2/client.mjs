// The client of `npm run bench:http2`: one measurement per run, told by the
// parent over IPC, for one transport ('h1': a new wss:// TLS connection per
// WebSocket; 'h2': every WebSocket a stream of one existing HTTP/2 session).
import { performance } from 'node:perf_hooks';
import { WebSocket } from '../../dist/esm/index.js';

const cfg = JSON.parse(process.argv[2]);
const url = `wss://127.0.0.1:${cfg.port}/`;
const options = { rejectUnauthorized: false, perMessageDeflate: false, http2: cfg.transport === 'h2', http2IdleTimeout: 60000 };

function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Opens `count` WebSockets, `concurrency` handshakes in flight; returns them and the time taken. */
async function openMany(count, concurrency) {
  const sockets = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next++;
      sockets.push(await open());
    }
  }));
  return { sockets, ms: performance.now() - t0 };
}

async function closeAll(sockets) {
  await Promise.all(sockets.map((ws) => { ws.close(); return ws.closed; }));
}

function heap() {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

/** `conns` sockets, each keeping `window` 32-byte messages in flight, for `ms`: echoes/s. */
async function echo(conns, window, ms) {
  const { sockets } = await openMany(conns, conns);
  const payload = Buffer.alloc(32, 7);
  let received = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on('message', () => {
      received++;
      if (running) ws.send(payload);
    });
  }
  for (const ws of sockets) for (let i = 0; i < window; i++) ws.send(payload);
  await new Promise((resolve) => setTimeout(resolve, cfg.warmupMs));
  const start = received;
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const perSecond = ((received - start) * 1000) / (performance.now() - t0);
  running = false;
  await closeAll(sockets);
  return perSecond;
}

process.on('message', async (m) => {
  try {
    if (m.type === 'handshakes') {
      // h2: the session exists before the clock starts (that is the case measured).
      const warm = cfg.transport === 'h2' ? await open() : null;
      const { sockets, ms } = await openMany(m.count, m.concurrency);
      await closeAll(sockets);
      if (warm) { warm.close(); await warm.closed; }
      process.send({ type: 'result', value: (m.count * 1000) / ms });
    } else if (m.type === 'hold') {
      const before = heap();
      const warm = cfg.transport === 'h2' ? await open() : null;
      const { sockets } = await openMany(m.count, m.concurrency);
      const after = heap();
      process.send({ type: 'held', clientBytesPerSocket: (after - before) / (m.count + (warm ? 1 : 0)) });
      process.once('message', async () => {
        await closeAll(warm ? [...sockets, warm] : sockets);
        process.send({ type: 'released' });
      });
    } else if (m.type === 'echo') {
      process.send({ type: 'result', value: await echo(m.conns, m.window, m.ms) });
    } else if (m.type === 'stop') process.exit(0);
  } catch (error) {
    process.send({ type: 'failed', message: String(error?.stack ?? error) });
  }
});
process.send({ type: 'ready' });
