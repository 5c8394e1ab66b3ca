// Client opening handshakes, ws and socketeer in this one process, in
// alternating slices (bench/same-process.mjs). Each slice keeps `concurrency`
// handshakes going against the fixed raw server (open, then terminate, as the
// handshakes row of bench/run.mjs does) and its figure is handshakes per CPU
// second of this process. argv[2]: { port, slices, sliceMs, concurrency }
import { performance } from 'node:perf_hooks';
import { loadAdapter } from '../lib/adapters.mjs';
import { alternate } from './slices.mjs';

const cfg = JSON.parse(process.argv[2]);
const url = `ws://127.0.0.1:${cfg.port}/`;
const adapters = { ws: await loadAdapter('ws'), socketeer: await loadAdapter('socketeer') };

function handshake(adapter) {
  return new Promise((resolve, reject) => {
    const ws = adapter.createClient(url);
    ws.once('error', reject);
    ws.on('open', () => {
      ws.removeListener('error', reject);
      ws.on('error', () => {});
      ws.terminate();
      resolve();
    });
  });
}

async function slice(lib) {
  const adapter = adapters[lib];
  let completed = 0;
  const end = performance.now() + cfg.sliceMs;
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: cfg.concurrency }, async () => {
    while (performance.now() < end) {
      await handshake(adapter);
      completed++;
    }
  }));
  const used = process.cpuUsage(cpu);
  return completed / ((used.user + used.system) / 1e6);
}

const figures = await alternate(cfg.slices, slice);
process.send({ type: 'result', result: figures }, () => process.exit(0));
