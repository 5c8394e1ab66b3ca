// Server mode: the tester is the client and runs every case against a server
// that echoes every message.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildCases } from './cases/index.js';
import { ConformanceError } from './errors.js';
import { acceptedParams, DeflateContext, describeParams } from './deflate.js';
import { clientHandshake } from './handshake.js';
import { openH2Stream, parseH2Target, type H2Target } from './h2-transport.js';
import { resolveTimeouts, resultBeforeSteps, runCaseOnSession, type ResolvedTimeouts } from './run-case.js';
import { parsePatterns, selectCases } from './select.js';
import { Session } from './session.js';
import { makeReport } from './summary.js';
import { TraceRecorder } from './trace.js';
import type { CaseDef, CaseResult, SuiteReport, SuiteTimeouts } from './types.js';

export interface SuiteSelection {
  /** Patterns such as "1.*" or "7.3.1"; all cases when empty. */
  cases?: string | string[];
  exclude?: string | string[];
  /** Full 9.x sizes (up to 16 MiB). Default false (up to 1 MiB). */
  full?: boolean;
  timeouts?: SuiteTimeouts;
  /** Called after each case. */
  onResult?: (result: CaseResult, index: number, total: number) => void;
}

export interface ServerSuiteOptions extends SuiteSelection {
  /** ws://host:port/path of a server that echoes every message. */
  url: string;
  /**
   * Carry each case on an HTTP/2 stream (RFC 8441 extended CONNECT) instead
   * of a TCP connection: https:// (h2) or http:// (h2c) URLs.
   */
  http2?: boolean;
}

export function selectedCases(options: SuiteSelection): CaseDef[] {
  return selectCases(buildCases({ full: options.full }), parsePatterns(options.cases), parsePatterns(options.exclude));
}

interface Target {
  host: string;
  port: number;
  hostHeader: string;
  path: string;
}

export function parseTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConformanceError('ERR_CONFORMANCE_URL', `"${url}" is not a URL; pass the echo server as ws://host:port/path`);
  }
  if (parsed.protocol !== 'ws:') {
    throw new ConformanceError(
      'ERR_CONFORMANCE_URL',
      `only ws:// URLs are supported (got ${parsed.protocol}//); the suite judges raw TCP bytes, so test the server without TLS`,
    );
  }
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 80),
    hostHeader: parsed.host,
    path: `${parsed.pathname || '/'}${parsed.search}`,
  };
}

function openSocket(target: Target, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TCP connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Checks the permessage-deflate answer and arms the session; a result when the case ends here. */
function negotiate(def: CaseDef, session: Session, answered: string, trace: TraceRecorder, startedAt: number, drop: () => void): CaseResult | null {
  if (def.extensions) {
    let params;
    try {
      params = acceptedParams(def.extensions, answered);
    } catch (error) {
      drop();
      return handshakeFailure(def, trace, startedAt, `bad permessage-deflate answer: ${(error as Error).message}`);
    }
    if (!params) {
      drop();
      return resultBeforeSteps(def, trace, startedAt, 'UNIMPLEMENTED', 'INFORMATIONAL', `the server declined the offer "${def.extensions}"`);
    }
    trace.event('note', `permessage-deflate: offered "${def.extensions}", answered "${answered}" (${describeParams(params)})`);
    session.deflate = new DeflateContext(params, 'client');
  } else if (answered) {
    drop();
    return handshakeFailure(def, trace, startedAt, `the server answered extensions nobody offered: "${answered}"`);
  }
  return null;
}

async function runOne(def: CaseDef, target: Target, t: ResolvedTimeouts): Promise<CaseResult> {
  const startedAt = performance.now();
  const trace = new TraceRecorder();
  let socket: Socket | undefined;
  try {
    socket = await openSocket(target, t.handshakeMs);
    socket.on('error', () => {});
    const hs = await clientHandshake(socket, target.hostHeader, target.path, t.handshakeMs, def.extensions);
    const session = new Session(socket, 'client', trace, hs.rest);
    const open = socket;
    return negotiate(def, session, hs.extensions, trace, startedAt, () => open.destroy()) ?? (await runCaseOnSession(def, session, t, startedAt));
  } catch (error) {
    socket?.destroy();
    return handshakeFailure(def, trace, startedAt, `opening handshake failed: ${(error as Error).message}`);
  }
}

/** One case on an HTTP/2 stream of its own session. */
async function runOneH2(def: CaseDef, target: H2Target, t: ResolvedTimeouts): Promise<CaseResult> {
  const startedAt = performance.now();
  const trace = new TraceRecorder();
  try {
    const opened = await openH2Stream(target, t.handshakeMs, def.extensions);
    trace.event('note', 'over HTTP/2: END_STREAM stands for TCP FIN, RST_STREAM for a reset');
    const session = new Session(opened.stream, 'client', trace, Buffer.alloc(0));
    opened.stream.on('close', () => {
      if (opened.wasReset()) session.reset = true;
    });
    try {
      return negotiate(def, session, opened.extensions, trace, startedAt, () => opened.stream.destroy()) ?? (await runCaseOnSession(def, session, t, startedAt));
    } finally {
      opened.close();
    }
  } catch (error) {
    return handshakeFailure(def, trace, startedAt, `opening handshake over HTTP/2 failed: ${(error as Error).message}`);
  }
}

function handshakeFailure(def: CaseDef, trace: TraceRecorder, startedAt: number, why: string): CaseResult {
  trace.event('note', why, true);
  return resultBeforeSteps(def, trace, startedAt, 'FAILED', 'UNCLEAN', why);
}

/** Runs the selected cases one after the other against an echo server. */
export async function runServerSuite(options: ServerSuiteOptions): Promise<SuiteReport> {
  if (options.http2 === true) return runServerSuiteH2(options);
  const target = parseTarget(options.url);
  const cases = selectedCases(options);
  const t = resolveTimeouts(options.timeouts);
  // Fail early and clearly when nothing listens there.
  await openSocket(target, t.handshakeMs).then(
    (s) => s.destroy(),
    (error: Error) => {
      throw new ConformanceError('ERR_CONFORMANCE_CONNECT', `cannot reach ${options.url}: ${error.message}; is the echo server running?`);
    },
  );
  const started = new Date();
  const t0 = performance.now();
  const results: CaseResult[] = [];
  for (const def of cases) {
    const result = await runOne(def, target, t);
    results.push(result);
    options.onResult?.(result, results.length, cases.length);
  }
  return makeReport({ mode: 'server', target: options.url, full: options.full ?? false }, results, started, performance.now() - t0);
}

/** The same cases, each on an HTTP/2 stream (RFC 8441). */
async function runServerSuiteH2(options: ServerSuiteOptions): Promise<SuiteReport> {
  const target = parseH2Target(options.url);
  const cases = selectedCases(options);
  const t = resolveTimeouts(options.timeouts);
  await openH2Stream(target, t.handshakeMs, undefined).then(
    (opened) => {
      opened.stream.destroy();
      opened.close();
    },
    (error: Error) => {
      throw new ConformanceError('ERR_CONFORMANCE_CONNECT', `cannot open a WebSocket over HTTP/2 at ${options.url}: ${error.message}; is an echo server running there with HTTP/2 enabled?`);
    },
  );
  const started = new Date();
  const t0 = performance.now();
  const results: CaseResult[] = [];
  for (const def of cases) {
    const result = await runOneH2(def, target, t);
    results.push(result);
    options.onResult?.(result, results.length, cases.length);
  }
  return makeReport({ mode: 'server', target: `${options.url} (HTTP/2)`, full: options.full ?? false }, results, started, performance.now() - t0);
}
