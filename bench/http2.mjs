// `npm run bench:http2` (and the end of `npm run bench`): WebSocket over one
// existing HTTP/2 session (RFC 8441) against new wss:// HTTP/1.1 connections,
// both to the same socketeer server on the same port, measured side by side in
// this run, alternating, several rounds; medians and ratios h2 / HTTP/1.1.
//   handshakes/s   open N WebSockets (64 handshakes in flight), then close them
//   heap/socket    server and client heap (after GC) per open WebSocket, N held
//   echo msgs/s    8 WebSockets, 32 B binary messages, 16 in flight each
// Options: --quick, --rounds=N. Writes bench-results/http2-<latest|quick>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { configureChildren, hasTaskset, spawnNode, stop, waitFor } from './lib/children.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const P = quick
  ? { rounds: 1, handshakes: 300, held: 300, echoMs: 600, warmupMs: 150 }
  : { rounds: 3, handshakes: 2000, held: 2000, echoMs: 2000, warmupMs: 400 };
if (roundsArg) P.rounds = Number(roundsArg.split('=')[1]);
const pin = os.cpus().length >= 2 && hasTaskset();
configureChildren({ pin, raiseNofileTo: 0 });
const TIMEOUT = 120_000;

async function withPair(transport, fn) {
  const server = spawnNode(here('http2/server.mjs'), {}, { cpu: 0, gc: true });
  try {
    const { port } = await waitFor(server, 'ready', TIMEOUT);
    const client = spawnNode(here('http2/client.mjs'), { port, transport, warmupMs: P.warmupMs }, { cpu: 1, gc: true });
    try {
      await waitFor(client, 'ready', TIMEOUT);
      return await fn(server, client);
    } finally {
      await stop(client);
    }
  } finally {
    await stop(server);
  }
}

async function ask(client, message, type = 'result') {
  client.send(message);
  const reply = await Promise.race([waitFor(client, type, TIMEOUT), waitFor(client, 'failed', TIMEOUT).then((m) => { throw new Error(m.message); })]);
  return reply;
}

const measures = {
  handshakesPerSecond: (transport) => withPair(transport, async (_s, client) =>
    (await ask(client, { type: 'handshakes', count: P.handshakes, concurrency: 64 })).value),
  serverHeapPerSocket: null, // filled by the 'hold' run with the client's figure
  echoPerSecond: (transport) => withPair(transport, async (_s, client) =>
    (await ask(client, { type: 'echo', conns: 8, window: 16, ms: P.echoMs })).value),
};

async function heapPerSocket(transport) {
  return withPair(transport, async (server, client) => {
    server.send({ type: 'heap' });
    const before = await waitFor(server, 'heap', TIMEOUT);
    const held = await ask(client, { type: 'hold', count: P.held, concurrency: 64 }, 'held');
    server.send({ type: 'heap' });
    const after = await waitFor(server, 'heap', TIMEOUT);
    client.send({ type: 'release' });
    await waitFor(client, 'released', TIMEOUT);
    return { server: (after.heapUsed - before.heapUsed) / after.clients, client: held.clientBytesPerSocket };
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = { h1: { handshakes: [], echo: [], serverHeap: [], clientHeap: [] }, h2: { handshakes: [], echo: [], serverHeap: [], clientHeap: [] } };
const started = Date.now();
console.log(`HTTP/2 vs HTTP/1.1 (wss://, same server and port): ${P.rounds} round(s)${quick ? ' (quick)' : ''}; pinning: ${pin ? 'server CPU 0, client CPU 1' : 'none'}`);
for (let round = 0; round < P.rounds; round++) {
  // Alternate which transport goes first, so drift in the machine hits both.
  const order = round % 2 === 0 ? ['h1', 'h2'] : ['h2', 'h1'];
  for (const transport of order) {
    samples[transport].handshakes.push(await measures.handshakesPerSecond(transport));
    const heap = await heapPerSocket(transport);
    samples[transport].serverHeap.push(heap.server);
    samples[transport].clientHeap.push(heap.client);
    samples[transport].echo.push(await measures.echoPerSecond(transport));
  }
  process.stdout.write(`  round ${round + 1}/${P.rounds} done\n`);
}

const rows = [
  ['handshakes/s', 'handshakes', 'higher', 5, '>= 5x'],
  ['server heap per open WebSocket (bytes)', 'serverHeap', 'lower', 1, '< 1x'],
  ['client heap per open WebSocket (bytes)', 'clientHeap', 'lower', 1, '< 1x'],
  ['32 B echo messages/s', 'echo', 'higher', 0.7, '>= 0.7x'],
];
const metrics = rows.map(([name, key, better, goal, goalText]) => {
  const h1 = median(samples.h1[key]);
  const h2 = median(samples.h2[key]);
  const ratio = h2 / h1;
  const met = better === 'higher' ? ratio >= goal : ratio < goal;
  return { name, http1: Math.round(h1), http2: Math.round(h2), ratio: Math.round(ratio * 100) / 100, goal: goalText, met, samples: { http1: samples.h1[key].map(Math.round), http2: samples.h2[key].map(Math.round) } };
});
console.log('\n| metric | wss:// HTTP/1.1 | HTTP/2 stream | HTTP/2 / HTTP/1.1 | goal |');
console.log('|---|---:|---:|---:|---|');
for (const m of metrics) console.log(`| ${m.name} | ${m.http1} | ${m.http2} | ${m.ratio}x | ${m.goal} ${m.met ? 'met' : 'NOT met'} |`);
const meta = {
  date: new Date().toISOString(),
  command: quick ? 'npm run bench:http2 -- --quick' : 'npm run bench:http2',
  traffic: `handshakes: ${P.handshakes} WebSockets opened with 64 in flight (h2: over one session opened before the clock); heap: ${P.held} held open; echo: 8 WebSockets x 16 in flight, 32 B binary, ${P.echoMs} ms after ${P.warmupMs} ms warm-up; TLS 1.3, self-signed, permessage-deflate off`,
  rounds: P.rounds,
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version },
  elapsedSeconds: Math.round((Date.now() - started) / 1000),
};
const outDir = here('../bench-results/');
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}http2-${quick ? 'quick' : 'latest'}.json`, JSON.stringify({ meta, metrics }, null, 2) + '\n');
console.log(`\ndone in ${meta.elapsedSeconds} s: bench-results/http2-${quick ? 'quick' : 'latest'}.json`);
