// Server mode: the tester is the client and runs every case against a server
// that echoes every message.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildCases } from './cases/index.js';
import { ConformanceError } from './errors.js';
import { acceptedParams, DeflateContext, describeParams } from './deflate.js';
import { clientHandshake } from './handshake.js';
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

async function runOne(def: CaseDef, target: Target, t: ResolvedTimeouts): Promise<CaseResult> {
  const startedAt = performance.now();
  const trace = new TraceRecorder();
  let socket: Socket | undefined;
  try {
    socket = await openSocket(target, t.handshakeMs);
    socket.on('error', () => {});
    const hs = await clientHandshake(socket, target.hostHeader, target.path, t.handshakeMs, def.extensions);
    const session = new Session(socket, 'client', trace, hs.rest);
    if (def.extensions) {
      let params;
      try {
        params = acceptedParams(def.extensions, hs.extensions);
      } catch (error) {
        socket.destroy();
        return handshakeFailure(def, trace, startedAt, `bad permessage-deflate answer: ${(error as Error).message}`);
      }
      if (!params) {
        socket.destroy();
        return resultBeforeSteps(def, trace, startedAt, 'UNIMPLEMENTED', 'INFORMATIONAL', `the server declined the offer "${def.extensions}"`);
      }
      trace.event('note', `permessage-deflate: offered "${def.extensions}", answered "${hs.extensions}" (${describeParams(params)})`);
      session.deflate = new DeflateContext(params, 'client');
    } else if (hs.extensions) {
      socket.destroy();
      return handshakeFailure(def, trace, startedAt, `the server answered extensions nobody offered: "${hs.extensions}"`);
    }
    return await runCaseOnSession(def, session, t, startedAt);
  } catch (error) {
    socket?.destroy();
    return handshakeFailure(def, trace, startedAt, `opening handshake failed: ${(error as Error).message}`);
  }
}

function handshakeFailure(def: CaseDef, trace: TraceRecorder, startedAt: number, why: string): CaseResult {
  trace.event('note', why, true);
  return resultBeforeSteps(def, trace, startedAt, 'FAILED', 'UNCLEAN', why);
}

/** Runs the selected cases one after the other against an echo server. */
export async function runServerSuite(options: ServerSuiteOptions): Promise<SuiteReport> {
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
