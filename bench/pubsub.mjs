// `npm run bench:pubsub`: topics fan-out, side by side in one run.
//  1. Across processes on one Redis (a redis-server started here, loopback,
//     no persistence): 1 topic, `subscribers` clients spread over 4 server
//     processes, one publisher. socketeer (redisPubSub) against Socket.IO 4
//     with @socket.io/redis-adapter (a room) and against ws with the
//     hand-written Redis relay. Delivered messages/s at saturation, and
//     publish-to-delivery latency p50/p99 at a fixed publish rate.
//  2. In one process: server CPU time per publish to 10,000 local
//     subscribers, socketeer's wss.publish() against a ws loop of send().
// Ratios are against the comparison measured in the same run. Options:
// --quick, --rounds=N. Writes bench-results/pubsub-<latest|quick>.json.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { configureChildren, hasTaskset, spawnNode, stop, waitFor } from './lib/children.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const roundsArg = argv.find((a) => a.startsWith('--rounds='));
const P = quick
  ? { rounds: 1, subscribers: 1000, servers: 4, window: 8, warmup: 20, saturationMs: 2000, rate: 20, latencyMs: 2000, localConns: 10000, localPublishes: 50 }
  : { rounds: 3, subscribers: 1000, servers: 4, window: 8, warmup: 50, saturationMs: 5000, rate: 20, latencyMs: 5000, localConns: 10000, localPublishes: 200 };
if (roundsArg) P.rounds = Number(roundsArg.split('=')[1]);
const pin = os.cpus().length >= 2 && hasTaskset();
configureChildren({ pin, raiseNofileTo: 0 });
const TIMEOUT = 180_000;

async function freePort() {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => { out += c; if (/Ready to accept connections/.test(out)) resolve(); });
    child.once('error', (e) => reject(new Error(`cannot start redis-server (apt-get install redis-server): ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  child.stdout.resume();
  return { url: `redis://127.0.0.1:${port}`, stop: () => { child.kill('SIGKILL'); return once(child, 'exit'); } };
}

async function fanOut(system, redisUrl) {
  const servers = [];
  try {
    for (let i = 0; i < P.servers; i++) servers.push(spawnNode(here('pubsub/server.mjs'), { system, redisUrl }, { cpu: 0 }));
    const ports = [];
    for (const s of servers) ports.push((await waitFor(s, 'ready', TIMEOUT)).port);
    const client = spawnNode(here('pubsub/client.mjs'), { system, ports, ...P }, { cpu: 1 });
    try {
      await waitFor(client, 'connected', TIMEOUT);
      for (const s of servers) { s.send({ type: 'synced' }); await waitFor(s, 'synced', TIMEOUT); }
      client.send({ type: 'go' });
      return await waitFor(client, 'result', TIMEOUT);
    } finally {
      await stop(client);
    }
  } finally {
    await Promise.all(servers.map((s) => stop(s)));
  }
}

async function localCpu(kind) {
  const server = spawnNode(here('pubsub/server.mjs'), { system: `local-${kind}` }, { cpu: 0 });
  try {
    const { port } = await waitFor(server, 'ready', TIMEOUT);
    const client = spawnNode(here('pubsub/local-client.mjs'), { port, conns: P.localConns, frameBytes: 34 }, { cpu: 1 });
    try {
      await waitFor(client, 'connected', TIMEOUT);
      server.send({ type: 'count' });
      const { value } = await waitFor(server, 'count', TIMEOUT);
      if (value !== P.localConns) throw new Error(`${kind}: ${value} subscribers, expected ${P.localConns}`);
      // A first batch warms the code up; the second is measured.
      const results = [];
      for (const count of [Math.max(10, P.localPublishes / 5), P.localPublishes]) {
        client.send({ type: 'expect', count });
        await waitFor(client, 'expecting', TIMEOUT);
        server.send({ type: 'publish', count });
        await waitFor(client, 'delivered', TIMEOUT);
        server.send({ type: 'delivered' });
        const cpu = await waitFor(server, 'cpu', TIMEOUT);
        results.push({ perPublishMicros: cpu.totalMicros / count, syncPerPublishMicros: cpu.syncMicros / count });
      }
      return results.at(-1);
    } finally {
      await stop(client);
    }
  } finally {
    await stop(server);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const started = Date.now();
const SYSTEMS = ['socketeer', 'socketio', 'ws'];
const fan = Object.fromEntries(SYSTEMS.map((s) => [s, []]));
const local = { socketeer: [], ws: [] };
const redis = await startRedis();
console.log(`bench:pubsub: ${P.rounds} round(s)${quick ? ' (quick)' : ''}; ${P.subscribers} subscribers over ${P.servers} server processes; Redis ${redis.url}`);
try {
  for (let round = 0; round < P.rounds; round++) {
    const order = round % 2 === 0 ? SYSTEMS : [...SYSTEMS].reverse();
    for (const system of order) {
      const r = await fanOut(system, redis.url);
      fan[system].push(r);
      console.log(`  round ${round + 1} ${system}: ${Math.round(r.saturation)} delivered/s at saturation; p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms at ${P.rate} publishes/s (${r.latencySamples}/${r.latencyExpected} deliveries timed)`);
    }
    for (const kind of round % 2 === 0 ? ['socketeer', 'ws'] : ['ws', 'socketeer']) {
      const r = await localCpu(kind);
      local[kind].push(r);
      console.log(`  round ${round + 1} in-process ${kind}: ${r.perPublishMicros.toFixed(0)} µs CPU per publish to ${P.localConns} (${r.syncPerPublishMicros.toFixed(0)} µs in the call)`);
    }
  }
} finally {
  await redis.stop();
}

const m = (system, key) => median(fan[system].map((r) => r[key]));
const metrics = {
  fanOut: Object.fromEntries(SYSTEMS.map((s) => [s, { deliveredPerSecond: Math.round(m(s, 'saturation')), p50Ms: +m(s, 'p50').toFixed(2), p99Ms: +m(s, 'p99').toFixed(2) }])),
  inProcess: Object.fromEntries(Object.keys(local).map((k) => [k, { cpuMicrosPerPublish: Math.round(median(local[k].map((r) => r.perPublishMicros))) }])),
};
const f = metrics.fanOut;
const ratios = [
  ['delivered/s, socketeer / Socket.IO', f.socketeer.deliveredPerSecond / f.socketio.deliveredPerSecond, '>= 3x', (x) => x >= 3],
  ['delivered/s, socketeer / ws relay', f.socketeer.deliveredPerSecond / f.ws.deliveredPerSecond, '>= 1.5x', (x) => x >= 1.5],
  ['p99, socketeer / Socket.IO', f.socketeer.p99Ms / f.socketio.p99Ms, '< 1x', (x) => x < 1],
  ['p99, socketeer / ws relay', f.socketeer.p99Ms / f.ws.p99Ms, '< 1x', (x) => x < 1],
  ['in-process CPU per publish, socketeer / ws loop', metrics.inProcess.socketeer.cpuMicrosPerPublish / metrics.inProcess.ws.cpuMicrosPerPublish, '<= 0.5x', (x) => x <= 0.5],
].map(([name, value, goal, ok]) => ({ name, ratio: +value.toFixed(2), goal, met: ok(value) }));

console.log('\n| system | delivered msgs/s (saturation) | p50 ms | p99 ms |');
console.log('|---|---:|---:|---:|');
for (const s of SYSTEMS) console.log(`| ${s} | ${f[s].deliveredPerSecond} | ${f[s].p50Ms} | ${f[s].p99Ms} |`);
console.log(`\nin-process, ${P.localConns} subscribers: socketeer ${metrics.inProcess.socketeer.cpuMicrosPerPublish} µs CPU per publish, ws loop ${metrics.inProcess.ws.cpuMicrosPerPublish} µs`);
console.log('\n| ratio | value | goal |');
console.log('|---|---:|---|');
for (const r of ratios) console.log(`| ${r.name} | ${r.ratio}x | ${r.goal} ${r.met ? 'met' : 'NOT met'} |`);
const meta = {
  date: new Date().toISOString(),
  command: quick ? 'npm run bench:pubsub -- --quick' : 'npm run bench:pubsub',
  traffic: `fan-out: 1 topic, ${P.subscribers} subscribers over ${P.servers} server processes on one Redis, 1 publisher on the first server, 64-byte-plus text messages; saturation: publishes kept ${P.window} ahead of the slowest server's last subscriber for ${P.saturationMs} ms; latency: ${P.rate} publishes/s for ${P.latencyMs} ms, every delivery timed; in-process: ${P.localConns} raw subscribers, ${P.localPublishes} publishes of 32 bytes, server CPU (user+system) until every byte arrived`,
  rounds: P.rounds,
  pinning: pin ? 'servers (and Redis unpinned) on CPU 0, clients on CPU 1' : 'none',
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version },
  elapsedSeconds: Math.round((Date.now() - started) / 1000),
};
const outDir = here('../bench-results/');
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}pubsub-${quick ? 'quick' : 'latest'}.json`, JSON.stringify({ meta, metrics, ratios, samples: { fan, local } }, null, 2) + '\n');
console.log(`\ndone in ${meta.elapsedSeconds} s: bench-results/pubsub-${quick ? 'quick' : 'latest'}.json`);
process.exit(0);
