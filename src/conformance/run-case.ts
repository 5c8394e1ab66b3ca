// Drives one case over an open session and judges it.
import { judgeBehavior, judgeClose, type StepOutcome } from './judge.js';
import type { Session } from './session.js';
import type { TraceRecorder } from './trace.js';
import type { Behavior, BehaviorClose, CaseDef, CasePlan, CaseResult, SuiteTimeouts, Teardown } from './types.js';

export type ResolvedTimeouts = Required<SuiteTimeouts>;

export const DEFAULT_TIMEOUTS: ResolvedTimeouts = {
  caseMs: 2000,
  closeMs: 2000,
  failFastMs: 300,
  handshakeMs: 2000,
  finGraceMs: 10,
};

export function resolveTimeouts(t: SuiteTimeouts | undefined): ResolvedTimeouts {
  return { ...DEFAULT_TIMEOUTS, ...t };
}

async function runSteps(plan: CasePlan, session: Session, t: ResolvedTimeouts): Promise<StepOutcome> {
  const outcome: StepOutcome = { failedFast: false, failFastMissed: false, failedEarly: false, answered: true };
  for (const step of plan.steps) {
    if (session.peerGone) {
      if (step.kind === 'frames' && step.failFastAt) outcome.failedEarly = true;
      break;
    }
    switch (step.kind) {
      case 'frames': {
        if (!step.failFastAt) {
          await session.sendFrames(step.frames, step.chunk);
          break;
        }
        const then = async () => {
          if (session.peerGone) {
            outcome.failedEarly = true;
            return false;
          }
          session.trace.event('note', `invalid byte sent; waiting up to ${t.failFastMs} ms for the peer to fail`);
          if (await session.waitUntil(() => session.peerGone, t.failFastMs)) {
            outcome.failedFast = true;
            return false;
          }
          outcome.failFastMissed = true;
          session.trace.event('note', 'peer still open: sending the rest');
          return true;
        };
        await session.sendFrames(step.frames, step.chunk, { ...step.failFastAt, then });
        break;
      }
      case 'messages':
        await session.sendMessages(step.messages, step.chunk);
        break;
      case 'pause':
        session.trace.event('note', `pause ${step.ms} ms`);
        await session.waitUntil(() => session.peerGone, step.ms);
        break;
      case 'waitItems':
        await session.waitUntil(() => session.items.length >= step.count || session.peerGone, t.caseMs);
        break;
      case 'end':
        session.endTcp();
        break;
    }
  }
  return outcome;
}

/** Runs `def` on an open session; `startedAt` is when the connection attempt began (performance.now()). */
export async function runCaseOnSession(
  def: CaseDef,
  session: Session,
  t: ResolvedTimeouts,
  startedAt: number,
): Promise<CaseResult> {
  const remarks: string[] = [];
  const answerMs = def.timeoutMs ?? t.caseMs;
  const plan = def.plan();
  const outcome = await runSteps(plan, session, t);
  const expect = plan.expect;

  if (expect.kind === 'echo') {
    const want = expect.items.length;
    outcome.answered = await session.waitUntil(() => session.items.length >= want || session.peerGone, answerMs);
    if (outcome.answered && session.items.length >= want && !session.peerGone) {
      // Give a peer that answers too much a moment to show it (cheap: one tick).
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!session.peerGone) await session.sendClose(1000);
  } else {
    const before = expect.kind === 'informational' ? 0 : expect.before.length;
    const unexpectedAnswer = () =>
      session.items.length > before && session.items.slice(before).some((item) => item.type !== 'pong');
    await session.waitUntil(() => session.peerGone || (expect.kind === 'fail' && unexpectedAnswer()), answerMs);
    if (!session.peerGone && !session.testerClose) await session.sendClose(1000);
  }

  // Closing handshake and TCP teardown.
  await session.waitUntil(() => session.peerClose !== undefined || session.tcpClosed, t.caseMs);
  if (session.role === 'server' && !session.tcpClosed) session.endTcpAsServer();
  const tcpClosed = await session.waitUntil(() => session.tcpClosed, t.closeMs);
  let testerForced = false;
  if (!tcpClosed) {
    testerForced = session.role === 'client' && session.peerClose !== undefined && session.testerClose !== undefined;
    session.destroy(`peer did not close TCP within ${t.closeMs} ms`);
    await session.waitUntil(() => session.tcpClosed, 1000);
  }

  const behavior = judgeBehavior(expect, session, outcome, remarks);
  const behaviorClose = judgeClose(expect, session, testerForced, remarks);
  const teardown = describeTeardown(session);
  if (session.reset) remarks.push('the peer reset the TCP connection (RST)');
  return caseResult(def, {
    behavior,
    behaviorClose,
    remarks,
    durationMs: Math.round(session.trace.now() + (session.trace.start - startedAt)),
    teardown,
    trace: session.trace.toJSON(),
  });
}

/** A case's result: its id, description and expectation, then the verdicts and what was seen. */
function caseResult(def: CaseDef, seen: Omit<CaseResult, 'id' | 'description' | 'expectation'>): CaseResult {
  return { id: def.id, description: def.description, expectation: def.expectation, ...seen };
}

function describeTeardown(session: Session): Teardown {
  const peerEnd = session.peerEndedAt;
  const testerEnd = session.testerEndedAt;
  let closedFirst: Teardown['closedFirst'] = 'none';
  if (peerEnd !== undefined && (testerEnd === undefined || peerEnd <= testerEnd)) closedFirst = 'peer';
  else if (testerEnd !== undefined) closedFirst = 'tester';
  const firstClose = [session.peerClose?.at, session.testerClose?.at].filter((x): x is number => x !== undefined);
  const closeStart = firstClose.length ? Math.min(...firstClose) : undefined;
  const teardown: Teardown = { closedFirst };
  if (session.testerClose) teardown.testerCloseCode = session.testerClose.code;
  if (session.peerClose) {
    teardown.peerCloseCode = session.peerClose.code;
    teardown.peerCloseReason = session.peerClose.reason.toString('utf8');
  }
  if (session.closeInitiator) teardown.closeInitiator = session.closeInitiator;
  if (closeStart !== undefined && session.closedAt !== undefined) {
    teardown.closeToTcpMs = Math.round((session.closedAt - closeStart) * 10) / 10;
  }
  if (session.reset) teardown.reset = true;
  return teardown;
}

/**
 * The result of a case that never got to run its steps (the opening handshake
 * failed, or the peer declined the extension the case needs).
 */
export function resultBeforeSteps(
  def: CaseDef,
  trace: TraceRecorder,
  startedAt: number,
  behavior: Behavior,
  behaviorClose: BehaviorClose,
  why: string,
): CaseResult {
  return caseResult(def, {
    behavior,
    behaviorClose,
    remarks: [why],
    durationMs: Math.round(performance.now() - startedAt),
    teardown: { closedFirst: 'none' },
    trace: trace.toJSON(),
  });
}
