// A client under test for the client-role latency row of
// bench/interleaved.mjs: the library's client, connected to the fixed raw
// server, idle until the parent asks for a slice. argv[2] is a JSON config:
// { lib, port, conns, rate, size }. Each { type: 'slice', settleMs, sliceMs,
// record } sends 32 B binary messages open-loop at `rate` over the
// connections and answers { type: 'slice', rttsMicros, drained } with the
// round-trip times of the messages sent after settleMs (when record is set).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAdapter } from './lib/adapters.mjs';
import { connectMany } from './lib/driver.mjs';

const cfg = JSON.parse(process.argv[2]);
const lib = await loadAdapter(cfg.lib);
const data = Buffer.alloc(cfg.size, 0x5a);
let inflight = 0;
let onDrain = null;
let record = null;

const queues = await connectMany(cfg.conns, () => new Promise((resolve, reject) => {
  const ws = lib.createClient(`ws://127.0.0.1:${cfg.port}/`, {});
  ws.once('error', reject);
  ws.on('open', () => {
    ws.removeListener('error', reject);
    ws.on('error', () => {});
    const queue = { ws, sentAt: [], head: 0, measureFrom: Infinity };
    ws.on('message', () => {
      const index = queue.head++;
      const rtt = performance.now() - queue.sentAt[index];
      if (record !== null && index >= queue.measureFrom) record.push(Math.round(rtt * 1000));
      if (--inflight === 0 && onDrain !== null) onDrain();
    });
    resolve(queue);
  });
}));

function drained(timeoutMs = 2000) {
  if (inflight === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { onDrain = null; resolve(false); }, timeoutMs);
    onDrain = () => { clearTimeout(timer); onDrain = null; resolve(true); };
  });
}

async function slice({ settleMs, sliceMs, record: wanted }) {
  for (const q of queues) { q.sentAt = []; q.head = 0; q.measureFrom = Infinity; }
  let sent = 0;
  let rr = 0;
  const start = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) * cfg.rate) / 1000) - sent;
    for (let i = 0; i < due; i++, sent++) {
      const q = queues[rr++ % queues.length];
      q.sentAt.push(performance.now());
      inflight++;
      q.ws.send(data, { binary: true });
    }
  }, 1);
  await sleep(settleMs);
  const rtts = [];
  if (wanted) record = rtts;
  for (const q of queues) q.measureFrom = q.sentAt.length;
  await sleep(sliceMs);
  clearInterval(timer);
  const ok = await drained();
  record = null;
  return { rttsMicros: rtts, drained: ok };
}

process.on('message', async (m) => {
  if (m.type === 'slice') process.send({ type: 'slice', ...(await slice(m)) });
  else if (m.type === 'stop') {
    for (const q of queues) q.ws.terminate();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
