import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { WebSocket, type WebSocketOptions } from '../index.js';
import { LatencyRecorder, type LatencySummary } from './bench-stats.js';

export interface BenchConfig {
  url: string;
  connections: number;
  size: number;
  binary: boolean;
  /** Messages per second across all connections (open loop), or null for window mode. */
  rate: number | null;
  /** Messages in flight per connection (closed loop) when rate is null. */
  window: number;
  durationMs: number;
  headers: Record<string, string>;
  subprotocols: string[];
  compress: boolean;
  insecure: boolean;
  json: boolean;
}

export interface BenchProgress {
  elapsedMs: number;
  open: number;
  sent: number;
  received: number;
  /** Messages received per second since the previous progress report. */
  recentRate: number;
  recentP50: number | null;
  recentP99: number | null;
}

export interface BenchResult {
  config: BenchConfig;
  opened: number;
  failed: number;
  /** The first handshake failure's message, for the report. */
  firstFailure: string | null;
  cleanCloses: number;
  uncleanCloses: number;
  /** Connections that ended before the run did. */
  lost: number;
  sent: number;
  received: number;
  bytesSent: number;
  bytesReceived: number;
  /** The measured window: from the last connection open until sending stopped. */
  measuredMs: number;
  /** Messages received within the measured window. */
  receivedInWindow: number;
  latency: LatencySummary | null;
  connectTime: LatencySummary | null;
  /** Replies still missing when the run ended. */
  outstanding: number;
  /** Open loop: messages not sent because the connection's send buffer was full. */
  skipped: number;
}

/** Time allowed for replies to arrive after sending stops. */
const DRAIN_MS = 2000;
/** Connections opened at once while ramping up. */
const OPEN_BATCH = 64;
/** Open loop: a connection with more than this waiting to be written skips its turn. */
const MAX_BUFFERED = 8 * 1024 * 1024;
/** How often the open-loop scheduler sends what is due. */
const TICK_MS = 1;

interface Conn {
  ws: WebSocket;
  /** Send times (ms) of messages awaiting their reply, oldest first. */
  pending: number[];
  head: number;
  open: boolean;
}

/**
 * Open the connections, send for the duration (keeping `window` messages in
 * flight per connection, or `rate` per second in all), time each reply against
 * its request (replies are matched in order: the server must echo), then close.
 */
export async function runBench(config: BenchConfig, onProgress: ((progress: BenchProgress) => void) | null, signal: AbortSignal): Promise<BenchResult> {
  const payload = config.binary ? randomBytes(config.size) : randomText(config.size);
  const payloadBytes = config.size;
  const options: WebSocketOptions = { headers: config.headers, perMessageDeflate: config.compress, closeTimeout: 5000 };
  if (config.insecure) options.rejectUnauthorized = false;

  const latency = new LatencyRecorder();
  const connectTime = new LatencyRecorder();
  let recent = new LatencyRecorder(20_000);
  const result: BenchResult = {
    config,
    opened: 0,
    failed: 0,
    firstFailure: null,
    cleanCloses: 0,
    uncleanCloses: 0,
    lost: 0,
    sent: 0,
    received: 0,
    bytesSent: 0,
    bytesReceived: 0,
    measuredMs: 0,
    receivedInWindow: 0,
    latency: null,
    connectTime: null,
    outstanding: 0,
    skipped: 0,
  };
  let sending = false;
  let measuring = false;
  const conns: Conn[] = [];

  const sendOne = (conn: Conn, scheduledAt: number): void => {
    conn.pending.push(scheduledAt);
    conn.ws.send(payload, { binary: config.binary });
    result.sent++;
    result.bytesSent += payloadBytes;
  };

  const openOne = (): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const ws = new WebSocket(config.url, config.subprotocols, options);
      const conn: Conn = { ws, pending: [], head: 0, open: false };
      ws.on('error', (error: Error) => {
        if (!conn.open) result.firstFailure ??= error.message;
      });
      ws.on('open', () => {
        conn.open = true;
        result.opened++;
        connectTime.record(performance.now() - started);
        conns.push(conn);
        resolve();
      });
      ws.on('message', (data: Buffer) => {
        const now = performance.now();
        result.received++;
        result.bytesReceived += data.length;
        if (measuring) result.receivedInWindow++;
        if (conn.head < conn.pending.length) {
          const ms = now - conn.pending[conn.head++];
          latency.record(ms);
          recent.record(ms);
          if (conn.head > 4096 && conn.head * 2 > conn.pending.length) {
            conn.pending = conn.pending.slice(conn.head);
            conn.head = 0;
          }
        }
        if (sending && config.rate === null) sendOne(conn, now);
      });
      ws.on('close', () => {
        if (!conn.open) {
          result.failed++;
          result.firstFailure ??= 'the connection closed before the handshake completed';
          resolve();
          return;
        }
        conn.open = false;
        if (ws.closeWasClean) result.cleanCloses++;
        else result.uncleanCloses++;
        if (sending) result.lost++;
      });
    });

  for (let i = 0; i < config.connections && !signal.aborted; i += OPEN_BATCH) {
    const batch = Math.min(OPEN_BATCH, config.connections - i);
    await Promise.all(Array.from({ length: batch }, openOne));
  }

  if (conns.length > 0 && !signal.aborted) {
    const start = performance.now();
    sending = true;
    measuring = true;
    let lastReport = start;
    let lastReceived = 0;
    let rateSent = 0;
    let next = 0;
    const openConns = () => conns.filter((c) => c.open);

    if (config.rate === null) {
      for (const conn of conns) for (let i = 0; i < config.window; i++) sendOne(conn, performance.now());
    }
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearInterval(ticker);
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const ticker = setInterval(() => {
        const now = performance.now();
        const elapsed = now - start;
        if (config.rate !== null) {
          // Open loop: each message has a scheduled time; latency counts from it,
          // so a server that falls behind shows up in the percentiles.
          const due = Math.floor(Math.min(elapsed, config.durationMs) * config.rate / 1000);
          const live = openConns();
          while (rateSent < due && live.length > 0) {
            const scheduledAt = start + (rateSent * 1000) / config.rate;
            const conn = live[next++ % live.length];
            // A server far behind must not make us queue without limit: skip and count.
            if (conn.ws.bufferedAmount > MAX_BUFFERED) result.skipped++;
            else sendOne(conn, scheduledAt);
            rateSent++;
          }
        }
        if (onProgress !== null && now - lastReport >= 500) {
          const summary = recent.summary();
          onProgress({
            elapsedMs: elapsed,
            open: openConns().length,
            sent: result.sent,
            received: result.received,
            recentRate: ((result.received - lastReceived) * 1000) / (now - lastReport),
            recentP50: summary?.p50 ?? null,
            recentP99: summary?.p99 ?? null,
          });
          recent = new LatencyRecorder(20_000);
          lastReport = now;
          lastReceived = result.received;
        }
        if (elapsed >= config.durationMs || openConns().length === 0) finish();
      }, TICK_MS);
      signal.addEventListener('abort', finish);
    });
    sending = false;
    measuring = false;
    result.measuredMs = performance.now() - start;

    const missing = () => conns.reduce((sum, c) => sum + (c.open ? c.pending.length - c.head : 0), 0);
    const drainUntil = performance.now() + DRAIN_MS;
    while (missing() > 0 && performance.now() < drainUntil && !signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    result.outstanding = missing();
  }

  await Promise.all(
    conns.map((conn) => {
      if (conn.ws.readyState === WebSocket.OPEN) conn.ws.close(1000, 'bench done');
      return conn.ws.closed;
    }),
  );
  result.latency = latency.summary();
  result.connectTime = connectTime.summary();
  return result;
}

function randomText(size: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(size);
  for (let i = 0; i < size; i++) bytes[i] = alphabet.charCodeAt(bytes[i] % alphabet.length);
  return bytes.toString('latin1');
}
