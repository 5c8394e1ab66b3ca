// The clients of `npm run bench:pubsub`'s fan-out: `subscribers` clients
// spread evenly over the servers, one publisher on the first, then
//   saturation: publishes kept `window` ahead of the slowest sentinel (the
//               last subscriber on each server); delivered messages/s counted
//               over every subscriber
//   latency:    `rate` publishes/s; publish-to-delivery time of every delivery
// Subscribers of socketeer and the ws relay are `ws` clients (the same client
// for both); Socket.IO's are socket.io-client (websocket transport only).
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { io as ioClient } from 'socket.io-client';

const cfg = JSON.parse(process.argv[2]);
const PAD = 'x'.repeat(64);
const isIo = cfg.system === 'socketio';

let deliveries = 0;
let latencies = null;
let publishedAt = new Map();
const sentinelSeq = [];

function onMessage(text, sentinel) {
  const bar = text.indexOf('|');
  const seq = Number(text.slice(0, bar));
  deliveries++;
  if (latencies !== null) {
    const at = publishedAt.get(seq);
    if (at !== undefined) latencies.push(performance.now() - at);
  }
  if (sentinel !== -1 && seq > sentinelSeq[sentinel]) {
    sentinelSeq[sentinel] = seq;
    wake();
  }
}

function connect(port, role, sentinel) {
  return new Promise((resolve, reject) => {
    if (isIo) {
      const socket = ioClient(`http://127.0.0.1:${port}`, { transports: ['websocket'], query: { role }, reconnection: false, forceNew: true });
      socket.on('m', (text) => onMessage(text, sentinel));
      socket.once('connect', () => resolve({ send: (text) => socket.emit('p', text), close: () => socket.close() }));
      socket.once('connect_error', reject);
    } else {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/${role === 'pub' ? 'pub' : 'sub'}`, { perMessageDeflate: false });
      ws.on('message', (data) => onMessage(data.toString(), sentinel));
      ws.once('open', () => resolve({ send: (text) => ws.send(text), close: () => ws.terminate() }));
      ws.once('error', reject);
    }
  });
}

let waiter = null;
function wake() {
  const w = waiter;
  waiter = null;
  w?.();
}
const changed = () => new Promise((resolve) => (waiter = resolve));

const clients = [];
const perServer = Math.ceil(cfg.subscribers / cfg.ports.length);
for (let s = 0; s < cfg.ports.length; s++) {
  const n = Math.min(perServer, cfg.subscribers - s * perServer);
  for (let i = 0; i < n; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 50); j++) {
      const sentinel = j === n - 1 ? s : -1;
      if (sentinel !== -1) sentinelSeq[sentinel] = -1;
      batch.push(connect(cfg.ports[s], 'sub', sentinel));
    }
    clients.push(...(await Promise.all(batch)));
  }
}
const publisher = await connect(cfg.ports[0], 'pub', -1);
let seq = 0;
const publish = () => {
  const n = seq++;
  publishedAt.set(n, performance.now());
  publisher.send(`${n}|${PAD}`);
};
process.send({ type: 'connected' });
await new Promise((resolve) => process.once('message', resolve)); // the servers are synced

// Warm-up: until every sentinel has seen a publish (every subscription is live everywhere).
const minSentinel = () => Math.min(...sentinelSeq);
const deadline = Date.now() + 20000;
while (minSentinel() < 0 || seq < cfg.warmup) {
  if (Date.now() > deadline) throw new Error('warm-up: not every server delivered within 20 s');
  publish();
  await Promise.race([changed(), new Promise((r) => setTimeout(r, 20))]);
}
while (minSentinel() < seq - 1) await Promise.race([changed(), new Promise((r) => setTimeout(r, 50))]);

// Saturation.
publishedAt = new Map();
let start = deliveries;
let t0 = performance.now();
const endAt = t0 + cfg.saturationMs;
while (performance.now() < endAt) {
  while (seq - 1 - minSentinel() < cfg.window) publish();
  await Promise.race([changed(), new Promise((r) => setTimeout(r, 100))]);
}
const saturation = ((deliveries - start) * 1000) / (performance.now() - t0);
while (minSentinel() < seq - 1) await Promise.race([changed(), new Promise((r) => setTimeout(r, 50))]);

// Latency at a fixed rate.
publishedAt = new Map();
latencies = [];
const interval = 1000 / cfg.rate;
t0 = performance.now();
let sent = 0;
while (performance.now() - t0 < cfg.latencyMs) {
  const due = Math.floor((performance.now() - t0) / interval) + 1;
  while (sent < due) { publish(); sent++; }
  await new Promise((r) => setTimeout(r, Math.max(0, t0 + sent * interval - performance.now())));
}
const lastSeq = seq - 1;
const settle = Date.now() + 10000;
while (minSentinel() < lastSeq && Date.now() < settle) await Promise.race([changed(), new Promise((r) => setTimeout(r, 50))]);
const expected = sent * cfg.subscribers;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))];
process.send({
  type: 'result',
  saturation,
  p50: pct(50),
  p99: pct(99),
  latencySamples: latencies.length,
  latencyExpected: expected,
});
for (const c of [...clients, publisher]) c.close();
setTimeout(() => process.exit(0), 200);
