// Turns a benchmark result into a Markdown table, an SVG chart of the ratios
// (hand-written, no dependencies) and, for full runs, docs/performance.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadAllocatorLines } from './lib/allocator.mjs';
import { fileURLToPath } from 'node:url';

function num(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
}

function cell(s) {
  if (!s || !Number.isFinite(s.median)) return '–';
  return s.min === s.max ? num(s.median) : `${num(s.median)} (${num(s.min)}–${num(s.max)})`;
}

/** The A/A band as "0.95–1.05×". */
function band(aa) {
  return `${aa.band[0].toFixed(2)}–${aa.band[1].toFixed(2)}×`;
}

/**
 * Memory rows are judged by what a connection costs above the bare upgraded
 * socket (m.aboveFloor, from the 'floor' slot), not by their raw ratio.
 * Results from before the floor slot have memory rows with a raw goal: they
 * are still read as above-floor goals, with the floor not measured.
 */
function isMemoryRow(m) {
  return m.aboveFloor !== undefined || String(m.id ?? '').startsWith('memory.');
}

function memoryGoal(m) {
  return m.aboveFloor?.goal ?? m.goal ?? null;
}

function verdict(m) {
  if (isMemoryRow(m)) {
    const goal = memoryGoal(m);
    if (goal === null) return '';
    const a = m.aboveFloor;
    if (!a || !Number.isFinite(a.floor)) return `≤ ${goal} above the floor (floor not measured)`;
    if (!Number.isFinite(a.ratio)) return `≤ ${goal} above the floor (no ratio: ws not above the floor)`;
    return `≤ ${goal} above the floor: ${a.ratio.toFixed(2)}× ${a.meetsGoal ? '✅' : '❌'} (table below)`;
  }
  if (m.meetsGoal === undefined) return '';
  const goal = m.better === 'higher' ? `≥ ${m.goal}` : `≤ ${m.goal}`;
  return `${goal} ${m.meetsGoal ? '✅' : '❌'}`;
}

/** "0.47× (0.45–0.49 per round)". */
function aboveFloorRatio(a) {
  if (!Number.isFinite(a.ratio)) return '–';
  const rounds = (a.perRound ?? []).filter(Number.isFinite);
  const range = rounds.length > 1 ? ` (${Math.min(...rounds).toFixed(2)}–${Math.max(...rounds).toFixed(2)} per round)` : '';
  return `${a.ratio.toFixed(2)}×${range}`;
}

export function markdownTable(result) {
  const clientFloor = result.meta?.clientMemoryFloor === 'client-upgrade';
  const rows = [
    '| Metric | Unit | Better | ws median (min–max) | socketeer median (min–max) | socketeer/ws | A/A ws/ws band | verdict | Goal | per CPU-s ratio (A/A band, verdict) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of result.metrics) {
    if (m.tcp) {
      rows.push(`| ${m.label} | ${m.unit} | ${m.better === 'higher' ? '↑ higher' : '↓ lower'} | ${cell(m.tcp)} (no library) | | | | |`);
      continue;
    }
    const notes = [m.wsNote && `ws: ${m.wsNote}`, m.socketeerNote && `socketeer: ${m.socketeerNote}`].filter(Boolean);
    const ratio = m.ratio === null || m.ratio === undefined ? '–' : `${m.ratio.toFixed(2)}×`;
    const perCpu = Number.isFinite(m.perCpuSecRatio)
      ? `${m.perCpuSecRatio.toFixed(2)}×${m.aaPerCpuSec?.band ? ` (${band(m.aaPerCpuSec)}, ${m.perCpuSecVerdict})` : ''}`
      : '';
    rows.push(`| ${m.label}${notes.length ? ` (${notes.join('; ')})` : ''} | ${m.unit} | ${m.better === 'higher' ? '↑ higher' : '↓ lower'} | ${cell(m.ws)} | ${cell(m.socketeer)} | ${ratio} | ${m.aa?.band ? band(m.aa) : ''} | ${m.verdict ?? ''} | ${verdict(m)} | ${perCpu} |`);
  }
  const floors = result.metrics.filter((m) => m.floorPerCpuSec);
  if (floors.length) {
    rows.push('', '| Real clients against the bare-socket floor (messages per server CPU-second) | floor | ws | socketeer | ws / floor | socketeer / floor | Goal socketeer/floor ≥ 0.9 |', '|---|---|---|---|---|---|---|');
    for (const m of floors) {
      const ok = Number.isFinite(m.socketeerVsFloorPerCpuSec) ? (m.socketeerVsFloorPerCpuSec >= (m.floorGoal ?? 0.9) ? '✅' : '❌') : '';
      rows.push(`| ${m.label} | ${num(m.floorPerCpuSec.median)} | ${num(m.perCpuSec?.ws?.median)} | ${num(m.socketeerPerCpuSec.median)} | ${num(m.wsVsFloorPerCpuSec)} | ${num(m.socketeerVsFloorPerCpuSec)} | ${ok} |`);
    }
  }
  const memory = result.metrics.filter((m) => m.aboveFloor);
  if (memory.length) {
    const goals = [...new Set(memory.map((m) => m.aboveFloor.goal))].join(', ');
    rows.push('', `| Memory above the bare upgraded socket (KB per idle connection) | floor | ws | socketeer | ws above floor | socketeer above floor | socketeer/ws above floor | Goal ≤ ${goals} |`, '|---|---|---|---|---|---|---|---|');
    for (const m of memory) {
      const a = m.aboveFloor;
      const against = / client$/.test(m.label) && !clientFloor ? ' (against the server-side floor)' : '';
      const note = m.floorNote ? ` (floor: ${m.floorNote})` : '';
      const ok = Number.isFinite(a.ratio) ? (a.meetsGoal ? '✅' : '❌') : '';
      rows.push(`| ${m.label}${against}${note} | ${cell(m.floor)} | ${cell(m.ws)} | ${cell(m.socketeer)} | ${num(a.ws)} | ${num(a.socketeer)} | ${aboveFloorRatio(a)} | ${ok} |`);
    }
    const clientSide = clientFloor
      ? 'The client rows have their own floor: the socket Node\'s HTTP client hands over after a 101 (`openUpgradedClient` in `bench/lib/floor.mjs`), held in `bench/client-driver.mjs` against the same fixed server as the libraries\' clients.'
      : 'There is no client-side floor in this run: the client rows are set against the same server-side floor.';
    rows.push('', `The floor is \`bench/socket-floor.mjs\` (\`upgrade\`): the socket Node's HTTP server hands over after an upgrade, with no library on it, measured in the same rounds as a slot of each memory case (same connection count, load generator, GC-then-sample inside the process and CPU pinning). ${clientSide} The memory goal is the ratio above the floor; the raw ratios in the main table are not judged.`);
  }
  const large = result.metrics.filter((m) => m.tcpCeiling);
  if (large.length) {
    rows.push('', '| Large messages against raw TCP (same loopback, same echo pattern) | TCP MB/s | ws / TCP | socketeer / TCP | Goal socketeer ≥ 0.8 | page faults per MB, ws / socketeer |', '|---|---|---|---|---|---|');
    for (const m of large) {
      const ok = Number.isFinite(m.socketeerVsTcp) ? (m.socketeerVsTcp >= 0.8 ? '✅' : '❌') : '';
      const faults = m.faultsPerMB && Number.isFinite(m.faultsPerMB.ws?.median) ? `${num(m.faultsPerMB.ws.median)} / ${num(m.faultsPerMB.socketeer.median)}` : '';
      rows.push(`| ${m.label} | ${num(m.tcpCeiling)} | ${num(m.wsVsTcp)} | ${num(m.socketeerVsTcp)} | ${ok} | ${faults} |`);
    }
    rows.push('', 'Page faults: minor faults of the process under test per MB of payload echoed, medians. A large message is written into fresh memory, page by page, unless the allocator has the memory of an earlier message to reuse, which depends on when garbage collection freed it: this moves the large-message rows from run to run.');
  }
  return rows.join('\n') + '\n';
}

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Horizontal bars of socketeer/ws on a log scale centred on 1. */
export function svgChart(result) {
  const rows = result.metrics.filter((m) => Number.isFinite(m.ratio));
  const rowH = 20;
  const labelW = 470;
  const chartW = 400;
  const top = 58;
  const width = labelW + chartW + 90;
  const height = top + rows.length * rowH + 30;
  const mid = labelW + chartW / 2;
  const maxLog = 2; // the axis spans 1/4 .. 4
  const x = (r) => mid + (Math.max(-maxLog, Math.min(maxLog, Math.log2(r))) / maxLog) * (chartW / 2);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="10" y="20" font-size="15" font-weight="bold">socketeer / ws, median of ${result.meta.params.rounds} round(s): ${esc(result.meta.machine.cpu)}, ${result.meta.machine.cores} cores, Node ${esc(result.meta.machine.node)}</text>`);
  out.push(`<text x="10" y="38" fill="#555">Bars right of 1× mean socketeer's value is larger. ↑ higher is better, ↓ lower is better; green = socketeer better, red = ws better. Log scale, clipped at 1/4× and 4×.</text>`);
  for (const tick of [0.25, 0.5, 1, 2, 4]) {
    const tx = x(tick);
    out.push(`<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${top + rows.length * rowH}" stroke="${tick === 1 ? '#333' : '#ddd'}" stroke-width="1"/>`);
    out.push(`<text x="${tx}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${tick}×</text>`);
  }
  rows.forEach((m, i) => {
    const y = top + i * rowH;
    const good = m.better === 'higher' ? m.ratio >= 1 : m.ratio <= 1;
    const x0 = Math.min(mid, x(m.ratio));
    const w = Math.max(1, Math.abs(x(m.ratio) - mid));
    const label = `${m.better === 'higher' ? '↑' : '↓'} ${m.label}`;
    out.push(`<text x="${labelW - 8}" y="${y + 14}" text-anchor="end">${esc(label.length > 78 ? label.slice(0, 77) + '…' : label)}</text>`);
    out.push(`<rect x="${x0}" y="${y + 4}" width="${w}" height="${rowH - 8}" fill="${good ? '#2a9d4b' : '#d1495b'}"/>`);
    out.push(`<text x="${labelW + chartW + 8}" y="${y + 14}">${m.ratio.toFixed(2)}×</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function machineLines(meta) {
  const ws = meta.ws;
  const bu = ws.bufferutil?.wsGetsNative ? `bufferutil ${ws.bufferutil.version} (native binding loaded and used by ws)` : `bufferutil NOT native: ${JSON.stringify(ws.bufferutil)}`;
  const u8 = ws.utf8Validate?.nativeBindingLoads
    ? `utf-8-validate ${ws.utf8Validate.version} installed, native binding loads; ws uses ${ws.utf8Validate.wsUses}`
    : `utf-8-validate: ${JSON.stringify(ws.utf8Validate)}`;
  return [
    `- Date: ${meta.date}${meta.commit ? `, commit \`${meta.commit}\`` : ''}`,
    `- Command: \`${meta.command}\`${meta.argv.length ? ` (args: \`${meta.argv.join(' ')}\`)` : ''}, ${meta.params.rounds} round(s), ${meta.elapsedSeconds} s`,
    `- Machine: ${meta.machine.cpu}, ${meta.machine.cores} cores, ${meta.machine.memoryGiB} GiB, ${meta.machine.os}`,
    ...loadAllocatorLines(meta),
    `- Node ${meta.machine.node}; ws ${ws.ws} with ${bu}; ${u8}`,
    `- Open files: soft ${meta.nofile.soft}, hard ${meta.nofile.hard}${meta.nofile.raisedTo ? `, raised to ${meta.nofile.raisedTo}` : ''}; idle-connection test with ${meta.nofile.idleConnections} connections`,
    `- CPU pinning: ${meta.pinning}`,
    `- Load average (1/5/15 min) at start ${meta.loadAverageAtStart?.join(' / ')}, at end ${meta.loadAverageAtEnd?.join(' / ')} (other work on the machine adds noise)`,
    ...(meta.standIn ? [`- NOTE: ${meta.standIn}`] : []),
  ].join('\n');
}

export function writeReports(result, dir, base, { docs } = {}) {
  const table = markdownTable(result);
  writeFileSync(`${dir}${base}.md`, `# socketeer vs ws\n\n${machineLines(result.meta)}\n\n${table}`);
  writeFileSync(`${dir}${base}.svg`, svgChart(result));
  if (docs) {
    // A kept earlier run (bench-results/before.json) is shown next to this one.
    const beforePath = `${dir}before.json`;
    const before = existsSync(beforePath) ? JSON.parse(readFileSync(beforePath, 'utf8')) : null;
    const notesPath = fileURLToPath(new URL('./performance-notes.md', import.meta.url));
    const notes = existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : '';
    const interleavedPath = `${dir}interleaved.md`;
    const interleaved = existsSync(interleavedPath) ? readFileSync(interleavedPath, 'utf8') : '';
    writeFileSync(docs, performanceDoc(result, table, before, notes, interleaved));
  }
}

const ratioText = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');

/** One row per metric: the socketeer/ws ratio before and after, with the goal. */
export function beforeAfterTable(before, after) {
  const old = new Map(before.metrics.map((m) => [m.id, m]));
  const oldByLabel = new Map(before.metrics.map((m) => [m.label, m]));
  const rows = [
    '| Metric | Better | Goal | before: socketeer/ws | after: socketeer/ws | before: per CPU-s | after: per CPU-s |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const m of after.metrics) {
    if (m.tcp) continue;
    const b = old.get(m.id) ?? oldByLabel.get(m.label);
    const memory = isMemoryRow(m);
    const goalValue = memory ? memoryGoal(m) : m.goal;
    const goal = goalValue === null || goalValue === undefined ? '' : `${m.better === 'higher' ? '≥' : '≤'} ${goalValue}${memory ? ' above the floor' : ''}`;
    // Memory rows: the mark is for the ratio above the floor, when that run measured it.
    const mark = (x) => {
      if (!x) return '';
      if (memory) return Number.isFinite(x.aboveFloor?.ratio) ? ` (above the floor ${x.aboveFloor.ratio.toFixed(2)}× ${x.aboveFloor.meetsGoal ? '✅' : '❌'})` : '';
      return x.meetsGoal !== undefined ? (x.meetsGoal ? ' ✅' : ' ❌') : '';
    };
    rows.push(`| ${m.label} | ${m.better === 'higher' ? '↑' : '↓'} | ${goal} | ${ratioText(b?.ratio)}${mark(b)} | ${ratioText(m.ratio)}${mark(m)} | ${ratioText(b?.perCpuSecRatio)} | ${ratioText(m.perCpuSecRatio)} |`);
  }
  return rows.join('\n') + '\n';
}

/** The last `npm run bench:interleaved` report as a section of the page. */
function interleavedSection(markdown) {
  if (!markdown) return '';
  const body = markdown.replace(/^# .*\n/, '').trim();
  return `## Interleaved run (\`npm run bench:interleaved\`)

The rows the run above cannot rank on a noisy machine, measured again with
every subject up at once and driven in turn in short slices (see round 6
below for the method). The report is also in
[\`bench-results/interleaved.md\`](../bench-results/interleaved.md).

${body}

`;
}

function performanceDoc(result, table, before = null, notes = '', interleaved = '') {
  const comparison = before
    ? `## Before and after the optimisations

The same \`npm run bench\` on the same machine, before the performance work
(commit \`${before.meta.commit}\`, ${before.meta.date}) and in the last run above.
Each ratio is socketeer/ws of the medians of that run. The full earlier run is in
[\`bench-results/before.md\`](../bench-results/before.md).

${beforeAfterTable(before, result)}
`
    : '';
  return `${performanceDocBody(result, table)}
${interleavedSection(interleaved)}${comparison}${notes ? `${notes.trim()}\n` : ''}`;
}

function performanceDocBody(result, table) {
  return `# Performance

socketeer is measured against [\`ws\`](https://github.com/websockets/ws) in its
fastest setup (native \`bufferutil\`; \`utf-8-validate\` installed, though ws 8
prefers Node's own native \`buffer.isUtf8\`). This page shows the last committed
run of \`npm run bench\`; the raw numbers are in
[\`bench-results/latest.json\`](../bench-results/latest.json).

## Last run

${machineLines(result.meta)}

![socketeer/ws ratios](../bench-results/latest.svg)

${table}
Ratios are socketeer/ws of the medians. The A/A band is ws measured against
itself in the same run (a third slot, \`ws-aa\`, in every round): the widest
deviation of ws-aa/ws from 1, per round and of the medians, taken symmetric
on a log scale. A socketeer/ws ratio inside that band is reported as "within
noise", not as a win or a loss. Every round's raw figure is in
\`bench-results/latest.json\` (\`samples\`). For throughput, handshakes and MB/s
higher is better; for latency, broadcast time and memory lower is better, so a
ratio below 1 is a win there. "Goal" is the target from the performance issue;
for memory it is set on what a connection costs above the bare upgraded
socket (the "Memory above the bare upgraded socket" table), not on the raw
ratio, so the memory rows of the main table point to that table.
"per CPU-s ratio" (every rate) divides each library's rate by the share of a
CPU its process used in the same interval, i.e. work per CPU second: when the
machine is busy with other work, or when the load generator rather than the
library under test is the bottleneck, it is the steadier of the two numbers.

## Running it

\`\`\`sh
npm run bench          # full run: 5 rounds with the A/A slot (831 s on 2 cores, mostly quiet, 2026-12-01); writes bench-results/latest.*
node bench/run.mjs --rounds=3 --no-aa   # the shorter run of round 1 (no noise band)
npm run bench:quick    # the same cases, shorter and smaller, under a minute; writes bench-results/quick.*
node bench/run.mjs --only=throughput.server,codec   # a subset (writes bench-results/partial.*)
node bench/run.mjs --only=throughput.server.binary.64 --server-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
node bench/run.mjs --only=memory --rounds=3 --no-aa   # the memory rows with their floor (writes bench-results/partial.*)
SOCKET_FLOOR_COUNT=10000 node bench/socket-floor.mjs   # the floors alone: plain TCP socket and upgraded socket
npm run bench:interleaved   # real clients, latency, large messages, deflate 64 KB: all subjects up at once, driven in turn (about 22 min); writes bench-results/interleaved.*
node bench/interleaved.mjs --only=large.server.16MB --epochs=2 --cycles=4   # a subset (writes bench-results/interleaved-partial.*)
npm run bench:same-process   # client handshakes, real clients, serialize 64 KB: both libraries in one process, alternating 400 ms slices (about 3 min); writes bench-results/same-process.*
\`\`\`

## Large messages and glibc's allocator

On Linux with glibc, a Node process that receives large messages can fall
into a mode where glibc hands freed heap back to the kernel after every
garbage collection, and the next buffers are written on fresh pages, a page
fault per 4 KiB. Both libraries can be in it; which processes fall into it
is decided early and by small things (rounds 7 and 8 below; round 12
traces the 16 MB server's cycle). In this bench
it makes a 64 KB echo run at a third to two thirds of its speed and a
16 MB server echo at a tenth or less. An application that moves large messages can hold
glibc still for its process:

\`\`\`sh
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864 node server.js
\`\`\`

Setting any of glibc's malloc thresholds turns off its moving of both
(mallopt(3)). The cost is memory:
up to the trim threshold (64 MiB here) of freed heap stays with the process
instead of going back to the kernel. socketeer does not change these
settings itself: they belong to the whole process.

## How it measures

- Every case runs both libraries, and ws a second time (the A/A slot), in the
  same run (the real-client and memory cases also a \`floor\` slot with no
  library), rotating the order from round to round; each number is the median
  of the rounds (5 in a full run, 3 for the 10,000-connection memory cases),
  with min–max.
- **Real clients** (the \`realclient.*\` rows): the \`ws\` client, pinned to the
  other CPU, sends one message per \`send()\` and the next when a reply comes,
  with N connections × K messages in flight; the server under test echoes.
  The figure is messages per *server* CPU-second (read from /proc). The floor
  is a bare \`net.Socket\` echo (\`bench/rawserver.mjs\`: the handshake, then
  each frame's header parsed and the frame sent back unmasked; binary
  payloads go back as received, not unmasked) in the same run.
- Processes: the code under test runs alone in one process, the traffic
  generator in another, pinned to different CPUs with \`taskset\` when the
  machine has two or more. Everything is on 127.0.0.1. Every phase has a
  timeout, and every child process is killed at the end. The processes on
  the load CPU (load generators, the fixed raw server of the client rows)
  run with glibc's heap thresholds held still (\`loadEnv()\` in
  \`bench/lib/allocator.mjs\`), so that their own allocator mode does not set
  the pace (round 8); the processes under test keep the default allocator.
- Both libraries go through one adapter surface (\`bench/lib/adapters.mjs\`:
  create a server, create a client, broadcast), so they run identical code.
- **Server role**: the library's \`WebSocketServer\` echoes every message. The load
  generator (\`bench/loadgen.mjs\`) is library-neutral and cheap: raw
  \`node:net\` sockets writing pre-encoded masked frames and counting the
  replies by their headers, so the server is the bottleneck.
- **Client role**: the server is fixed (\`bench/rawserver.mjs\`, raw
  \`node:net\`): it answers the handshake and echoes every frame back unmasked
  (binary payloads are passed through as received, text and compressed ones are
  unmasked). The library's client runs in \`bench/client-driver.mjs\`.
- Throughput: a window of messages in flight per connection; each reply
  triggers the next message; messages/s over the measured interval (1 s),
  after a warm-up: 300 ms, and 3 s for the handshake rows (each connection
  runs the whole set-up and teardown path, still being compiled after
  300 ms) and the permessage-deflate rows, whose
  1,300 messages/s of 64 KB left both libraries partly unoptimized by V8
  after 300 ms.
- Latency: an open-loop schedule at a fixed total rate; the round-trip time of
  every message, from the moment it is written, after a 3 s warm-up (with
  300 ms, V8's optimizing compilers were still at work on the same CPU, and
  their pauses were the tail being measured).
- Large messages: echo with a small window; MB/s of payload, after a 1.5 s
  warm-up (with 300 ms, a fresh client was still ramping up to speed while
  V8 compiled its path on the same CPU: a 64 KB client echo that reaches
  1,100-1,600 MB/s passed 800 MB/s only 450-900 ms in with ws, 600-1,050 ms
  with socketeer).
  The ceiling is the
  same load generator moving the same bytes through a plain TCP echo on the
  same loopback that, like a library, waits for each whole message and writes
  it back with one writev of the chunks it arrived in (no framing, no masking,
  no copy).
- Broadcast: 1,000 connected clients; one client sends a message, the server
  sends it to every client (socketeer: its encode-once \`broadcast()\` helper,
  src/broadcast.ts; ws: the usual loop over \`clients\`); time until the last
  client has it, and the server's CPU time per broadcast.
- Handshakes: 32 concurrent connect–upgrade–close loops; completed handshakes/s.
- Memory: RSS and V8 heap growth per idle open connection (10,000 in a full
  run), after forced GC, measured inside the process under test (server role:
  the library's server with the load generator's idle connections; client
  role: the library's clients in \`bench/client-driver.mjs\` against the fixed
  server). The floor is the same measurement of a bare upgraded socket with
  no library on it, in the same rounds, with the same connection count, GC
  and pinning: for the server role \`bench/socket-floor.mjs\`
  (\`upgrade\`), the socket Node's HTTP server hands over after an upgrade,
  answered with a 101, with the same load generator; for the client role the
  socket Node's HTTP client hands over after a 101 (\`openUpgradedClient\`
  in \`bench/lib/floor.mjs\`), held by \`bench/client-driver.mjs\` against
  the same fixed server (until round 11 the client rows were set against the
  server's floor, which costs less). "Above the floor" is a library's median
  minus the floor's; the goal is socketeer/ws of that, for heap and RSS.
- Parser/serializer: in-process, no sockets. ws: its \`Receiver\` and
  \`Sender.frame\` from \`ws/lib\`; socketeer: its sans-I/O core (\`Connection\`
  for parsing frames into messages, \`encodeFrame\` with a random mask for
  serializing). Parse input is ~64 KB chunks of masked binary frames;
  serialize output is one masked frame from a payload the caller keeps.
- permessage-deflate: both libraries with the same parameters (zlib defaults,
  threshold 0, no context takeover on either side); the load generator sends a
  pre-compressed JSON-like message and counts replies, the fixed server for the
  client role echoes the compressed payload back.
`;
}

// `node bench/report.mjs bench-results/latest.json` re-renders the reports
// (and docs/performance.md for latest.json) from a saved result.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2]) {
  const file = process.argv[2];
  const result = JSON.parse(readFileSync(file, 'utf8'));
  const dir = file.slice(0, file.lastIndexOf('/') + 1) || './';
  const base = file.slice(dir.length).replace(/\.json$/, '');
  const docs = base === 'latest' ? fileURLToPath(new URL('../docs/performance.md', import.meta.url)) : null;
  writeReports(result, dir, base, { docs });
  console.log(`rendered ${dir}${base}.md, .svg${docs ? ' and docs/performance.md' : ''}`);
}
