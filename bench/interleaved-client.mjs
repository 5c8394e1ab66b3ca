// A client under test for the client-role rows of bench/interleaved.mjs: the
// library's client, connected to the fixed raw server, idle until the parent
// asks for a slice. argv[2] is a JSON config: { lib, port, mode, conns, size,
// rate (latency), window and kind (echo) }. Each { type: 'slice', settleMs,
// sliceMs, record } runs for settleMs + sliceMs and answers { type: 'slice',
// ... } with what happened after settleMs:
// - 'latency': binary messages sent open-loop at `rate`; the round-trip time
//   of each (rttsMicros), when record is set;
// - 'echo': `window` messages in flight per connection, the next sent when a
//   reply comes (binary, or with kind 'json' JSON-like text over
//   permessage-deflate); messages, seconds and this process's CPU seconds.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAdapter } from './lib/adapters.mjs';
import { InFlight, connectMany, paceOpenLoop } from './lib/driver.mjs';
import { jsonLike } from './lib/frames.mjs';

const cfg = JSON.parse(process.argv[2]);
const lib = await loadAdapter(cfg.lib);
const json = cfg.kind === 'json';
const data = json ? jsonLike(cfg.size).toString() : Buffer.alloc(cfg.size, 0x5a);
const flight = new InFlight();
let record = null;
let echoing = false;
let replies = 0;

const queues = await connectMany(cfg.conns, () => new Promise((resolve, reject) => {
  const ws = lib.createClient(`ws://127.0.0.1:${cfg.port}/`, { perMessageDeflate: json });
  ws.once('error', reject);
  ws.on('open', () => {
    ws.removeListener('error', reject);
    ws.on('error', () => {});
    const queue = { ws, sentAt: [], head: 0, measureFrom: Infinity };
    if (cfg.mode === 'echo') {
      ws.on('message', () => {
        replies++;
        if (echoing) ws.send(data, { binary: !json });
        else { flight.inflight--; flight.settled(); }
      });
      resolve(queue);
      return;
    }
    ws.on('message', () => {
      const index = queue.head++;
      const rtt = performance.now() - queue.sentAt[index];
      if (record !== null && index >= queue.measureFrom) record.push(Math.round(rtt * 1000));
      flight.inflight--;
      flight.settled();
    });
    resolve(queue);
  });
}));

async function slice({ settleMs, sliceMs, record: wanted }) {
  for (const q of queues) { q.sentAt = []; q.head = 0; q.measureFrom = Infinity; }
  const pacer = paceOpenLoop(cfg.rate, (k) => {
    const q = queues[k % queues.length];
    q.sentAt.push(performance.now());
    flight.inflight++;
    q.ws.send(data, { binary: true });
  });
  await sleep(settleMs);
  const rtts = [];
  if (wanted) record = rtts;
  for (const q of queues) q.measureFrom = q.sentAt.length;
  await sleep(sliceMs);
  pacer.stop();
  const ok = await flight.drained(2000);
  record = null;
  return { rttsMicros: rtts, drained: ok };
}

async function echoSlice({ settleMs, sliceMs }) {
  echoing = true;
  for (const q of queues) for (let i = 0; i < cfg.window; i++) q.ws.send(data, { binary: !json });
  flight.inflight = queues.length * cfg.window;
  await sleep(settleMs);
  const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
  const faults = () => process.resourceUsage().minorPageFault;
  const m0 = replies, c0 = cpu(), t0 = performance.now(), f0 = faults();
  await sleep(sliceMs);
  const m1 = replies, c1 = cpu(), t1 = performance.now(), f1 = faults();
  echoing = false;
  const ok = await flight.drained(10000);
  return { messages: m1 - m0, payloadBytes: (m1 - m0) * cfg.size, cpuSeconds: c1 - c0, seconds: (t1 - t0) / 1000, minorFaults: f1 - f0, drained: ok };
}

if (json && !/permessage-deflate/.test(queues[0].ws.extensions || '')) throw new Error(`${cfg.lib} did not negotiate permessage-deflate`);

process.on('message', async (m) => {
  if (m.type === 'slice') process.send({ type: 'slice', ...(await (cfg.mode === 'echo' ? echoSlice(m) : slice(m))) });
  else if (m.type === 'stop') {
    for (const q of queues) q.ws.terminate();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
