// `socketeer bench <url>`: a load generator with a live progress line and a final table.
import { DEFAULT_MAX_PAYLOAD } from '../index.js';
import { runBench, type BenchConfig, type BenchProgress, type BenchResult } from './bench-run.js';
import { formatBytes, formatMs, parseSize, table, type LatencySummary } from './bench-stats.js';
import { ExitCode } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';
import { colorsWanted, createStyle } from './style.js';
import { durationOption, flag, headerOptions, integerOption, parseCommandLine, stringList, stringValue, urlArgument, UsageError, type OptionSpecs } from './usage-error.js';

export const BENCH_USAGE = `Usage: socketeer bench <ws[s]://host[:port][/path]> [options]

Load-test a server that echoes messages back (such as "socketeer serve --echo").
Each reply is matched to its request in order, and the time between them is its
latency. On a terminal a progress line updates twice a second; at the end a
table shows messages per second and latency percentiles.

Options:
  -c, --connections N      connections to open (default 1)
      --size BYTES         message size: 32, 1k, 64KiB, 1m (default 32)
      --binary             send binary messages (default text)
      --window N           closed loop: keep N messages in flight per connection (default 1)
      --rate N             open loop: send N messages per second in all, whatever the replies;
                           latency counts from each message's scheduled time
  -d, --duration DUR       how long to send: 10s, 1m, 500ms; a bare number is seconds (default 10s)
  -H, --header "Name: value"  add a request header (repeatable)
  -s, --subprotocol NAME   offer a subprotocol (repeatable)
      --compress           offer permessage-deflate (off by default, to measure the framing)
  -k, --insecure           accept any TLS certificate
      --json               print the result as one JSON object instead of the table
  -h, --help               this help

Examples:
  socketeer bench ws://127.0.0.1:8080
  socketeer bench ws://127.0.0.1:8080 -c 50 --window 8 --size 1k --duration 30s
  socketeer bench ws://127.0.0.1:8080 -c 10 --rate 20000 --binary --size 64k
  socketeer bench wss://staging.example.com/ws -k --json | jq .latencyMs.p99

Exit status: 0 when every connection opened and closed cleanly, 1 on a run-time
error, 2 on a usage error, 3 when a connection's handshake failed, 4 when a
connection ended without a clean close.`;

const OPTIONS: OptionSpecs = {
  connections: { type: 'string', short: 'c' },
  size: { type: 'string' },
  binary: { type: 'boolean' },
  window: { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string', short: 'd' },
  header: { type: 'string', short: 'H', multiple: true },
  subprotocol: { type: 'string', short: 's', multiple: true },
  compress: { type: 'boolean' },
  insecure: { type: 'boolean', short: 'k' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export function parseBenchArgs(argv: string[]): BenchConfig | null {
  const parsed = parseCommandLine(argv, OPTIONS, 1);
  if (flag(parsed, 'help')) return null;
  const url = urlArgument(parsed, 'bench');
  const sizeText = stringValue(parsed, 'size');
  const size = sizeText === undefined ? 32 : parseSize(sizeText);
  if (size === null || size > DEFAULT_MAX_PAYLOAD) {
    throw new UsageError(`--size wants a byte count up to 100m, such as 32, 1k or 64KiB, got "${sizeText}"`);
  }
  const rateText = stringValue(parsed, 'rate');
  const windowText = stringValue(parsed, 'window');
  if (rateText !== undefined && windowText !== undefined) throw new UsageError('--rate and --window are alternatives: pick one');
  const headers = headerOptions(parsed);
  const durationMs = durationOption('duration', stringValue(parsed, 'duration'), 10_000, 's');
  if (durationMs <= 0) throw new UsageError('--duration must be longer than 0');
  return {
    url,
    connections: integerOption('connections', stringValue(parsed, 'connections'), 1, 1, 100_000),
    size,
    binary: flag(parsed, 'binary'),
    rate: rateText === undefined ? null : integerOption('rate', rateText, 0, 1, 10_000_000),
    window: integerOption('window', windowText, 1, 1, 100_000),
    durationMs,
    headers,
    subprotocols: stringList(parsed, 'subprotocol'),
    compress: flag(parsed, 'compress'),
    insecure: flag(parsed, 'insecure'),
    json: flag(parsed, 'json'),
  };
}

export async function benchCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const config = parseBenchArgs(argv);
  if (config === null) {
    io.stdout.write(BENCH_USAGE + '\n');
    return ExitCode.Ok;
  }
  const live = io.stderr.isTTY === true;
  const style = createStyle(colorsWanted(io.stderr, io.env));
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  const progress = live
    ? (p: BenchProgress) => io.stderr.write(`\r\x1b[K${style.dim(progressLine(p, config.durationMs))}`)
    : null;
  let result: BenchResult;
  try {
    result = await runBench(config, progress, controller.signal);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    if (live) io.stderr.write('\r\x1b[K');
  }
  if (config.json) io.stdout.write(JSON.stringify(resultJson(result)) + '\n');
  else if (result.opened > 0) io.stdout.write(report(result) + '\n');
  if (result.failed > 0) {
    io.stderr.write(`socketeer bench: ${result.failed} of ${config.connections} connection(s) failed to open: ${result.firstFailure ?? 'unknown error'}\n`);
    return ExitCode.HandshakeFailed;
  }
  if (result.opened > 0 && result.received === 0 && result.sent > 0) {
    io.stderr.write('socketeer bench: no replies came back: bench needs a server that echoes each message (such as "socketeer serve --echo")\n');
  }
  return result.uncleanCloses > 0 ? ExitCode.UncleanClose : ExitCode.Ok;
}

export function progressLine(p: BenchProgress, durationMs: number): string {
  const pct = (p: number | null) => (p === null ? '-' : `${formatMs(p)} ms`);
  return [
    `${(p.elapsedMs / 1000).toFixed(1)}s/${(durationMs / 1000).toFixed(0)}s`,
    `${p.open} open`,
    `sent ${p.sent}`,
    `received ${p.received}`,
    `${Math.round(p.recentRate)} msg/s`,
    `p50 ${pct(p.recentP50)}`,
    `p99 ${pct(p.recentP99)}`,
  ].join('  ');
}

/** The final table: throughput, then latency percentiles, then connections. */
export function report(r: BenchResult): string {
  const c = r.config;
  const seconds = r.measuredMs / 1000;
  const mode = c.rate === null ? `window ${c.window} per connection` : `rate ${c.rate} msg/s`;
  const header = `socketeer bench ${c.url}: ${c.connections} connection(s), ${c.size}-byte ${c.binary ? 'binary' : 'text'} messages, ${mode}, ${seconds.toFixed(1)} s`;
  const perSecond = (n: number) => (seconds > 0 ? (n / seconds).toFixed(0) : '-');
  const throughput = table([
    ['', 'total', 'per second'],
    ['messages sent', String(r.sent), perSecond(r.sent)],
    ['messages received', String(r.received), perSecond(r.receivedInWindow)],
    ['bytes sent', formatBytes(r.bytesSent), `${formatBytes(seconds > 0 ? r.bytesSent / seconds : 0)}/s`],
    ['bytes received', formatBytes(r.bytesReceived), `${formatBytes(seconds > 0 ? r.bytesReceived / seconds : 0)}/s`],
  ]);
  const l = r.latency;
  const latency = table([
    ['latency (ms)', 'min', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'],
    l === null
      ? ['round trip', '-', '-', '-', '-', '-', '-', '-']
      : ['round trip', formatMs(l.min), formatMs(l.p50), formatMs(l.p90), formatMs(l.p99), formatMs(l.p999), formatMs(l.max), formatMs(l.mean)],
  ]);
  const connect = r.connectTime === null ? '' : `, handshake p50 ${formatMs(r.connectTime.p50)} ms, max ${formatMs(r.connectTime.max)} ms`;
  const connections =
    `connections: ${r.opened} opened, ${r.failed} failed, ${r.cleanCloses} closed cleanly, ${r.uncleanCloses} not cleanly` +
    (r.lost > 0 ? ` (${r.lost} during the run)` : '') +
    connect;
  const missing = r.outstanding > 0 ? `\nreplies missing at the end: ${r.outstanding}` : '';
  const skipped = r.skipped > 0 ? `\nmessages skipped (more than 8 MiB waiting to be written): ${r.skipped}` : '';
  return `${header}\n\n${throughput}\n\n${latency}\n\n${connections}${missing}${skipped}`;
}

function resultJson(r: BenchResult): Record<string, unknown> {
  const seconds = r.measuredMs / 1000;
  return {
    url: r.config.url,
    connections: r.config.connections,
    size: r.config.size,
    binary: r.config.binary,
    mode: r.config.rate === null ? { window: r.config.window } : { rate: r.config.rate },
    durationMs: Math.round(r.measuredMs),
    opened: r.opened,
    failed: r.failed,
    ...(r.firstFailure === null ? {} : { firstFailure: r.firstFailure }),
    cleanCloses: r.cleanCloses,
    uncleanCloses: r.uncleanCloses,
    sent: r.sent,
    received: r.received,
    messagesPerSecond: seconds > 0 ? Math.round(r.receivedInWindow / seconds) : 0,
    bytesSent: r.bytesSent,
    bytesReceived: r.bytesReceived,
    outstanding: r.outstanding,
    skipped: r.skipped,
    latencyMs: rounded(r.latency),
    handshakeMs: rounded(r.connectTime),
  };
}

function rounded(summary: LatencySummary | null): Record<string, number> | null {
  if (summary === null) return null;
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(summary)) out[key] = key === 'count' ? value : Math.round(value * 1000) / 1000;
  return out;
}
