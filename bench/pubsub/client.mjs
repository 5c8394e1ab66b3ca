// The clients of `npm run bench:pubsub`'s fan-out: `subscribers` clients
// spread evenly over the servers, one publisher on the first, then
//   saturation: publishes kept `window` ahead of the slowest sentinel (the
//               last subscriber on each server); delivered messages/s counted
//               over every subscriber
//   latency:    `rate` publishes/s; publish-to-delivery time of every delivery
// cfg.clients 'raw' (the default): every subscriber of every system is the
// same light client (raw-subscriber.mjs: a real handshake, then frames parsed
// and counted from the socket's bytes), so one client process can take what
// four servers deliver. cfg.clients 'real': the subscribers of socketeer and
// the ws relay are `ws` clients, Socket.IO's are socket.io-client (websocket
// transport only); their decoding then costs about as much as the servers'
// work and the client process shares the limit. The publisher is always the
// real client of its system.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { io as ioClient } from 'socket.io-client';

import { startProfile } from './profile.mjs';
import { rawSubscribe } from './raw-subscriber.mjs';

const cfg = JSON.parse(process.argv[2]);
const PAD = 'x'.repeat(64);
const isIo = cfg.system === 'socketio';

let deliveries = 0;
let latencies = null;
let publishedAt = new Map();
const sentinelSeq = [];

const serverLatencies = cfg.ports.map(() => []);

function onMessage(text, sentinel, server) {
  onDelivery(Number(text.slice(0, text.indexOf('|'))), sentinel, server);
}

function onDelivery(seq, sentinel, server) {
  deliveries++;
  if (latencies !== null) {
    const at = publishedAt.get(seq);
    if (at !== undefined) {
      const ms = performance.now() - at;
      latencies.push(ms);
      serverLatencies[server].push(ms);
    }
  }
  if (sentinel !== -1 && seq > sentinelSeq[sentinel]) {
    sentinelSeq[sentinel] = seq;
    wake();
  }
}

function connect(port, role, sentinel, server = 0) {
  if (role === 'sub' && cfg.clients !== 'real') {
    return rawSubscribe({
      port,
      system: cfg.system,
      onDelivery: (seq) => onDelivery(seq, sentinel, server),
      onFailure: (error) => {
        // A miscount would be a false figure: stop the run instead.
        console.error(`bench:pubsub client: ${error.message}`);
        process.exit(1);
      },
    }).then((close) => ({ close }));
  }
  return new Promise((resolve, reject) => {
    if (isIo) {
      const socket = ioClient(`http://127.0.0.1:${port}`, { transports: ['websocket'], query: { role }, reconnection: false, forceNew: true });
      socket.on('m', (text) => onMessage(text, sentinel, server));
      socket.once('connect', () => resolve({ send: (text) => socket.emit('p', text), close: () => socket.close() }));
      socket.once('connect_error', reject);
    } else {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/${role === 'pub' ? 'pub' : 'sub'}`, { perMessageDeflate: false });
      ws.on('message', (data) => onMessage(data.toString(), sentinel, server));
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
      batch.push(connect(cfg.ports[s], 'sub', sentinel, s));
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
process.send({ type: 'phase', name: 'saturation', state: 'start' });
const profiler = cfg.profileDir ? await startProfile() : null;
let t0 = performance.now();
const endAt = t0 + cfg.saturationMs;
while (performance.now() < endAt) {
  while (seq - 1 - minSentinel() < cfg.window) publish();
  await Promise.race([changed(), new Promise((r) => setTimeout(r, 100))]);
}
const saturation = ((deliveries - start) * 1000) / (performance.now() - t0);
process.send({ type: 'phase', name: 'saturation', state: 'end' });
if (profiler) await profiler.stop(`${cfg.profileDir}/client-${cfg.system}.cpuprofile`);
while (minSentinel() < seq - 1) await Promise.race([changed(), new Promise((r) => setTimeout(r, 50))]);
// Let the saturation's after-effects pass before timing single publishes: the `redis` client (6.x,
// used by all three systems) arms a 5 s timeout per command, and those of the saturation's
// PUBLISHes fire (each building a TimeoutError) 5 s later, in proportion to the saturation rate,
// so without this pause the fastest system's latency would be measured amid the most of them.
await new Promise((r) => setTimeout(r, cfg.settleMs));

// Latency at a fixed rate.
publishedAt = new Map();
latencies = [];
process.send({ type: 'phase', name: 'latency', state: 'start' });
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
process.send({ type: 'phase', name: 'latency', state: 'end', publishes: sent });
const expected = sent * cfg.subscribers;
const pctOf = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
latencies.sort((a, b) => a - b);
const pct = (p) => pctOf(latencies, p);
for (const xs of serverLatencies) xs.sort((a, b) => a - b);
process.send({
  type: 'result',
  saturation,
  p50: pct(50),
  p99: pct(99),
  latencySamples: latencies.length,
  // Per server (the publisher is on the first): p50 and p99 of its subscribers' deliveries.
  perServer: serverLatencies.map((xs) => ({ p50: +pctOf(xs, 50).toFixed(2), p99: +pctOf(xs, 99).toFixed(2) })),
  latencyExpected: expected,
});
for (const c of [...clients, publisher]) c.close();
setTimeout(() => process.exit(0), 200);
