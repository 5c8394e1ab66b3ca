// Client mode: the tester is the server. A client under test drives it with
// the reference suite's URLs: /getCaseCount, /runCase?case=N&agent=A (echoing
// every message), /updateReports?agent=A; also /getCaseInfo?case=N and
// /getCaseStatus?case=N&agent=A.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ConformanceError } from './errors.js';
import { answerOffer, DeflateContext, describeParams } from './deflate.js';
import { readHttpHead, requestTarget, serverHandshakeResponse } from './handshake.js';
import { resolveTimeouts, resultBeforeSteps, runCaseOnSession, type ResolvedTimeouts } from './run-case.js';
import { selectedCases, type SuiteSelection } from './server-suite.js';
import { Session } from './session.js';
import { makeReport } from './summary.js';
import { TraceRecorder } from './trace.js';
import type { CaseDef, CaseResult, SuiteReport } from './types.js';

export interface ClientSuiteOptions extends SuiteSelection {
  /** Port to listen on; 0 picks a free one. Default 9001. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Called when a client asks for /updateReports. */
  onReport?: (report: SuiteReport) => void;
}

export interface ClientSuite {
  readonly port: number;
  /** ws://host:port, the base URL to give the client under test. */
  readonly url: string;
  readonly cases: readonly CaseDef[];
  /** The report of `agent` so far (all agents' cases in case order). */
  report(agent: string): SuiteReport;
  /** Resolves with the next report a client requests through /updateReports. */
  nextReport(): Promise<SuiteReport>;
  close(): Promise<void>;
}

interface AgentRun {
  started: Date;
  t0: number;
  results: Map<number, CaseResult>;
}

export async function startClientSuite(options: ClientSuiteOptions = {}): Promise<ClientSuite> {
  const cases = selectedCases(options);
  const t = resolveTimeouts(options.timeouts);
  const agents = new Map<string, AgentRun>();
  const sockets = new Set<Socket>();
  const reportWaiters: ((report: SuiteReport) => void)[] = [];
  const host = options.host ?? '127.0.0.1';

  const agentRun = (agent: string): AgentRun => {
    let run = agents.get(agent);
    if (!run) {
      run = { started: new Date(), t0: performance.now(), results: new Map() };
      agents.set(agent, run);
    }
    return run;
  };
  const report = (agent: string): SuiteReport => {
    const run = agentRun(agent);
    const results = [...run.results.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
    return makeReport(
      { mode: 'client', target: agent, agent, full: options.full ?? false },
      results,
      run.started,
      performance.now() - run.t0,
    );
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    void handle(socket).catch(() => socket.destroy());
  });

  async function handle(socket: Socket): Promise<void> {
    const startedAt = performance.now();
    const head = await readHttpHead(socket, t.handshakeMs);
    const target = new URL(requestTarget(head), 'ws://localhost');
    const agent = target.searchParams.get('agent') ?? 'unknown';
    const caseNo = Number(target.searchParams.get('case'));
    const known = ['/getCaseCount', '/runCase', '/updateReports', '/getCaseInfo', '/getCaseStatus'];
    if (!known.includes(target.pathname)) return httpError(socket, 404, `unknown path ${target.pathname}; use ${known.join(', ')}`);
    const needsCase = target.pathname !== '/getCaseCount' && target.pathname !== '/updateReports';
    if (needsCase && !(Number.isInteger(caseNo) && caseNo >= 1 && caseNo <= cases.length)) {
      return httpError(socket, 400, `case must be 1..${cases.length}`);
    }
    const def = target.pathname === '/runCase' ? cases[caseNo - 1]! : undefined;
    const deflate = def?.extensions ? answerOffer(head.headers.get('sec-websocket-extensions') ?? '', def.extensions) : undefined;
    const accept = serverHandshakeResponse(head, deflate && 'answer' in deflate ? deflate.answer : undefined);
    if ('error' in accept) return httpError(socket, 400, accept.error);
    socket.write(accept.response);
    const trace = new TraceRecorder();
    const session = new Session(socket, 'server', trace, head.rest);
    session.finGraceMs = t.finGraceMs;
    if (def && deflate && 'declined' in deflate) {
      trace.event('note', deflate.declined, true);
      const result = resultBeforeSteps(def, trace, startedAt, 'UNIMPLEMENTED', 'INFORMATIONAL', deflate.declined);
      agentRun(agent).results.set(caseNo, result);
      options.onResult?.(result, caseNo, cases.length);
      return answer(session, null, t);
    }
    if (deflate && 'answer' in deflate) {
      trace.event('note', `permessage-deflate: offered "${head.headers.get('sec-websocket-extensions')}", answered "${deflate.answer}" (${describeParams(deflate.params)})`);
      session.deflate = new DeflateContext(deflate.params, 'server');
    }
    switch (target.pathname) {
      case '/getCaseCount':
        return answer(session, String(cases.length), t);
      case '/getCaseInfo': {
        const def = cases[caseNo - 1]!;
        return answer(session, JSON.stringify({ id: def.id, description: def.description }), t);
      }
      case '/getCaseStatus': {
        const r = agentRun(agent).results.get(caseNo);
        return answer(session, JSON.stringify({ behavior: r?.behavior ?? 'UNKNOWN' }), t);
      }
      case '/updateReports': {
        const rep = report(agent);
        options.onReport?.(rep);
        for (const waiter of reportWaiters.splice(0)) waiter(rep);
        return answer(session, null, t);
      }
      case '/runCase': {
        const result = await runCaseOnSession(def!, session, t, startedAt);
        agentRun(agent).results.set(caseNo, result);
        options.onResult?.(result, caseNo, cases.length);
        return;
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new ConformanceError('ERR_CONFORMANCE_LISTEN', `cannot listen on ${host}:${options.port ?? 9001}: ${error.message}`)),
    );
    server.listen(options.port ?? 9001, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
    cases,
    report,
    nextReport: () => new Promise((resolve) => reportWaiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function httpError(socket: Socket, status: number, message: string): void {
  const reason = status === 404 ? 'Not Found' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
}

/** Sends an optional text message, then closes with 1000 like a server. */
async function answer(session: Session, message: string | null, t: ResolvedTimeouts): Promise<void> {
  if (message !== null) await session.sendFrames([{ opcode: 1, payload: message }]);
  await session.sendClose(1000);
  await session.waitUntil(() => session.peerClose !== undefined || session.tcpClosed, t.closeMs);
  session.endTcp();
  if (!(await session.waitUntil(() => session.tcpClosed, t.closeMs))) session.destroy('client did not close');
}
