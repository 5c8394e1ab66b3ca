// Client-role metrics: the library's client, in its own process, against the
// fixed raw server (bench/rawserver.mjs). Same modes and result shapes as
// bench/loadgen.mjs. argv[2] is a JSON config; the result goes back over IPC.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAdapter } from './lib/adapters.mjs';
import { jsonLike } from './lib/frames.mjs';
import { memorySample } from './lib/mem.mjs';
import { quantile } from './lib/stats.mjs';

const cfg = JSON.parse(process.argv[2]);
// Started before its server: the port (and the server's pid) come over IPC,
// once this process has said it is listening for them.
const target = cfg.portFromParent
  ? new Promise((resolve) => {
    const onTarget = (m) => { if (m && m.type === 'target') { process.removeListener('message', onTarget); resolve(m); } };
    process.on('message', onTarget);
    process.send({ type: 'waiting' });
  })
  : null;
const lib = await loadAdapter(cfg.lib);
if (target) Object.assign(cfg, await target);
const url = `ws://127.0.0.1:${cfg.port}/`;

function open(opts = {}) {
  return new Promise((resolve, reject) => {
    const ws = lib.createClient(url, opts);
    ws.on('open', () => { ws.removeListener('error', reject); resolve(ws); });
    ws.once('error', reject);
  });
}

async function openMany(n, opts, concurrency = 128) {
  const out = new Array(n);
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      out[i] = await open(opts);
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
  for (const ws of out) ws.on('error', () => {});
  return out;
}

function dataFor(spec) {
  if (spec.kind === 'json') return jsonLike(spec.size).toString();
  if (spec.kind === 'text') return 'a'.repeat(spec.size);
  return Buffer.alloc(spec.size, 0x5a);
}

async function echo() {
  const deflate = cfg.payload.kind === 'json';
  const data = dataFor(cfg.payload);
  const binary = cfg.payload.kind === 'binary';
  const conns = await openMany(cfg.conns, { perMessageDeflate: deflate });
  if (deflate && !/permessage-deflate/.test(conns[0].extensions || '')) {
    for (const ws of conns) ws.terminate();
    return { skipped: 'client did not negotiate permessage-deflate' };
  }
  let messages = 0;
  for (const ws of conns) {
    ws.on('message', () => { messages++; ws.send(data, { binary }); });
    for (let i = 0; i < cfg.window; i++) ws.send(data, { binary });
  }
  await sleep(cfg.warmupMs);
  const m0 = messages, t0 = performance.now(), cpu0 = process.cpuUsage();
  await sleep(cfg.durationMs);
  const m1 = messages, t1 = performance.now(), cpu = process.cpuUsage(cpu0);
  for (const ws of conns) ws.terminate();
  const secs = (t1 - t0) / 1000;
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const size = cfg.payload.size;
  return {
    messagesPerSec: (m1 - m0) / secs, bytesPerSec: ((m1 - m0) * size) / secs, payloadBytesPerSec: ((m1 - m0) * size) / secs,
    subjectCpuShare: cpuSecs / secs, messagesPerCpuSec: (m1 - m0) / cpuSecs,
  };
}

async function latency() {
  const data = dataFor(cfg.payload);
  const binary = cfg.payload.kind === 'binary';
  const conns = await openMany(cfg.conns, {});
  const total = Math.ceil((cfg.rate * (cfg.warmupMs + cfg.durationMs)) / 1000) + 16;
  const samples = new Float64Array(total);
  let nSamples = 0;
  let measuring = false;
  const queues = conns.map((ws) => {
    const q = { ws, times: new Float64Array(total), head: 0, tail: 0 };
    ws.on('message', () => {
      const rtt = performance.now() - q.times[q.head++];
      if (measuring) samples[nSamples++] = rtt;
    });
    return q;
  });
  const start = performance.now();
  let sent = 0;
  let rr = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) * cfg.rate) / 1000) - sent;
    for (let i = 0; i < due && sent < total; i++, sent++) {
      const q = queues[rr++ % queues.length];
      q.times[q.tail++] = performance.now();
      q.ws.send(data, { binary });
    }
  }, 1);
  await sleep(cfg.warmupMs);
  measuring = true;
  await sleep(cfg.durationMs);
  measuring = false;
  clearInterval(timer);
  await sleep(50);
  for (const q of queues) q.ws.terminate();
  const s = Array.from(samples.subarray(0, nSamples)).sort((a, b) => a - b);
  return { samples: nSamples, p50: quantile(s, 0.5) * 1000, p99: quantile(s, 0.99) * 1000, p999: quantile(s, 0.999) * 1000 };
}

async function handshakes() {
  let completed = 0;
  let failed = 0;
  let running = true;
  async function worker() {
    while (running) {
      try {
        const ws = await open();
        ws.on('error', () => {});
        ws.terminate();
        completed++;
      } catch {
        failed++;
        await sleep(5);
      }
    }
  }
  const workers = Array.from({ length: cfg.concurrency }, worker);
  await sleep(cfg.warmupMs);
  const c0 = completed, t0 = performance.now(), cpu0 = process.cpuUsage();
  await sleep(cfg.durationMs);
  const c1 = completed, t1 = performance.now(), cpu = process.cpuUsage(cpu0);
  running = false;
  await Promise.all(workers);
  return { perSec: ((c1 - c0) * 1000) / (t1 - t0), failed, subjectCpuShare: (cpu.user + cpu.system) / 1e3 / (t1 - t0) };
}

/** Memory per idle open client connection, measured in this process. */
async function idle() {
  const before = await memorySample();
  const t0 = performance.now();
  const conns = await openMany(cfg.conns, {}, 256);
  const ms = performance.now() - t0;
  const after = await memorySample();
  const result = {
    conns: conns.length, connectMs: ms,
    rssPerConn: (after.rss - before.rss) / conns.length,
    heapPerConn: (after.heapUsed - before.heapUsed) / conns.length,
    externalPerConn: (after.external - before.external) / conns.length,
  };
  for (const ws of conns) ws.terminate();
  return result;
}

const modes = { echo, latency, handshakes, idle };
try {
  const result = await modes[cfg.mode]();
  process.send({ type: 'result', result }, () => process.exit(0));
} catch (e) {
  process.send({ type: 'result', error: String(e.stack || e) }, () => process.exit(1));
}
