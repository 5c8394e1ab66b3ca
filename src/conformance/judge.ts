// Turns what a session recorded into the two verdicts of a case.
import type { Session } from './session.js';
import type { Behavior, BehaviorClose, ExpectedItem, Expectation, ReceivedItem } from './types.js';

export interface StepOutcome {
  /** The case had a fail-fast point and the peer failed within the window. */
  failedFast: boolean;
  /** The case had a fail-fast point and the peer was still there after the window. */
  failFastMissed: boolean;
  /** The peer went away before the bytes that make the case invalid were sent. */
  failedEarly: boolean;
  /** The peer answered everything expected before the deadline. */
  answered: boolean;
}

function describeItem(item: ReceivedItem | ExpectedItem | undefined): string {
  if (!item) return 'nothing';
  const preview = item.payload.length > 16 ? `${item.payload.subarray(0, 16).toString('hex')}...` : item.payload.toString('hex');
  return `${item.type}(${item.payload.length} bytes${preview ? ` 0x${preview}` : ''})`;
}

function sameItem(a: ReceivedItem, b: ExpectedItem): boolean {
  return a.type === b.type && a.payload.equals(b.payload);
}

/** 'exact', 'reordered', 'prefix' (fewer), 'extraPongs' (more, only pongs), or 'different'. */
function compare(got: ReceivedItem[], want: ExpectedItem[]): { kind: string; detail: string } {
  const n = Math.min(got.length, want.length);
  let i = 0;
  while (i < n && sameItem(got[i]!, want[i]!)) i++;
  if (i === got.length && i === want.length) return { kind: 'exact', detail: '' };
  const detail = `item ${i + 1}: expected ${describeItem(want[i])}, got ${describeItem(got[i])} (${got.length} received, ${want.length} expected)`;
  if (got.length === want.length) {
    const left = [...want];
    const allFound = got.every((g) => {
      const at = left.findIndex((w) => sameItem(g, w));
      if (at === -1) return false;
      left.splice(at, 1);
      return true;
    });
    if (allFound) return { kind: 'reordered', detail };
  }
  if (i === got.length) return { kind: 'prefix', detail };
  if (i === want.length && got.slice(i).every((g) => g.type === 'pong')) return { kind: 'extraPongs', detail };
  return { kind: 'different', detail };
}

/** Pongs coalesced as RFC 6455 5.5.3 allows: same messages, fewer pongs, the last ping answered. */
function coalescedPongs(got: ReceivedItem[], want: ExpectedItem[]): boolean {
  const gotPongs = got.filter((g) => g.type === 'pong');
  const wantPongs = want.filter((w) => w.type === 'pong');
  const gotData = got.filter((g) => g.type !== 'pong');
  const wantData = want.filter((w) => w.type !== 'pong');
  if (compare(gotData, wantData).kind !== 'exact') return false;
  if (gotPongs.length === 0 || gotPongs.length > wantPongs.length) return false;
  let j = 0;
  for (const pong of gotPongs) {
    while (j < wantPongs.length && !sameItem(pong, wantPongs[j]!)) j++;
    if (j === wantPongs.length) return false;
    j++;
  }
  return sameItem(gotPongs[gotPongs.length - 1]!, wantPongs[wantPongs.length - 1]!);
}

export function judgeBehavior(
  expect: Expectation,
  session: Session,
  outcome: StepOutcome,
  remarks: string[],
): Behavior {
  if (session.violations.length) {
    remarks.push(...session.violations.map((v) => `peer broke the protocol: ${v}`));
    return 'FAILED';
  }
  const got = session.items;
  if (expect.kind === 'informational') {
    remarks.push(`received ${got.map((g) => describeItem(g)).join(', ') || 'nothing'} before the close`);
    return 'INFORMATIONAL';
  }
  if (expect.kind === 'echo') {
    const cmp = compare(got, expect.items);
    if (cmp.kind === 'exact') return 'OK';
    if (expect.pongsMayCoalesce && coalescedPongs(got, expect.items)) {
      remarks.push('answered only some of the pings (allowed by RFC 6455 5.5.3, not strict)');
      return 'NON-STRICT';
    }
    if (cmp.kind === 'reordered') {
      remarks.push(`answers arrived out of order: ${cmp.detail}`);
      return 'NON-STRICT';
    }
    remarks.push(`wrong answer: ${cmp.detail}`);
    if (session.peerGone && !outcome.answered) remarks.push('the peer closed the connection instead of answering');
    else if (!outcome.answered) remarks.push('the peer did not answer in time');
    return 'FAILED';
  }
  // 'fail' and 'close': the peer must end the conversation.
  if (outcome.failedEarly) {
    remarks.push('the peer failed the connection before the invalid part was sent');
    return 'FAILED';
  }
  if (expect.kind === 'fail' && !session.peerGone) {
    remarks.push('the peer did not fail the connection');
    return 'FAILED';
  }
  if (expect.kind === 'close' && !session.peerGone) {
    remarks.push('the peer did not answer the Close frame');
    return 'FAILED';
  }
  const cmp = compare(got, expect.before);
  let behavior: Behavior = 'OK';
  if (cmp.kind === 'prefix' || cmp.kind === 'extraPongs' || cmp.kind === 'reordered') {
    remarks.push(`answers before the close differ: ${cmp.detail}`);
    behavior = 'NON-STRICT';
  } else if (cmp.kind !== 'exact') {
    remarks.push(`wrong answers before the close: ${cmp.detail}`);
    return 'FAILED';
  }
  if (outcome.failFastMissed) {
    remarks.push('failed only after the whole message arrived, not as soon as the invalid byte did');
    behavior = 'NON-STRICT';
  }
  return behavior;
}

function codeText(code: number | null | undefined): string {
  return code === null ? 'no code' : code === undefined ? 'no Close frame' : String(code);
}

export function expectedCloseCodes(expect: Expectation): (number | null)[] {
  switch (expect.kind) {
    case 'echo':
      return [1000];
    case 'fail':
      return expect.codes;
    case 'close':
      return expect.codes;
    case 'informational':
      return expect.closeCodes;
  }
}

function clientEndedFirst(session: Session): boolean {
  const peer = session.peerEndedAt;
  if (peer === undefined) return false;
  return session.testerEndedAt === undefined || peer < session.testerEndedAt;
}

export function judgeClose(
  expect: Expectation,
  session: Session,
  testerForcedTcpClose: boolean,
  remarks: string[],
): BehaviorClose {
  const want = expectedCloseCodes(expect);
  const peerClose = session.peerClose;
  if (!peerClose) {
    remarks.push(`the peer closed TCP without a Close frame (expected ${want.map(codeText).join(' or ')})`);
    return 'UNCLEAN';
  }
  if (!want.includes(peerClose.code)) {
    remarks.push(`the peer's Close carried ${codeText(peerClose.code)}, expected ${want.map(codeText).join(' or ')}`);
    return 'WRONG CODE';
  }
  if (testerForcedTcpClose) {
    remarks.push('the server did not close TCP after the closing handshake; the tester had to');
    return 'FAILED BY CLIENT';
  }
  if (session.role === 'server' && clientEndedFirst(session)) {
    remarks.push('the client ended TCP before the server did (RFC 6455 7.1.1: a client waits for the server to close TCP)');
    return 'FAILED BY CLIENT';
  }
  return 'OK';
}
