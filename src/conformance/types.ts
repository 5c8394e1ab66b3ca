// Shared vocabulary of the conformance suite: what a case is, what a run records.

export type Behavior = 'OK' | 'NON-STRICT' | 'INFORMATIONAL' | 'FAILED' | 'UNIMPLEMENTED';
export type BehaviorClose = 'OK' | 'WRONG CODE' | 'UNCLEAN' | 'FAILED BY CLIENT' | 'INFORMATIONAL';

/** Which side the tester plays: 'client' tests a server, 'server' tests a client. */
export type TesterRole = 'client' | 'server';

export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array | string;
  /** Default true. */
  fin?: boolean;
  /** RSV1..RSV3 as a 3-bit number (4 = RSV1, 2 = RSV2, 1 = RSV3). Default 0. */
  rsv?: number;
}

/** A message or control answer received from the peer, in arrival order. */
export interface ReceivedItem {
  type: 'text' | 'binary' | 'pong' | 'ping';
  payload: Buffer;
}

export interface MessageSpec {
  type: 'text' | 'binary';
  payload: Uint8Array | string;
  /** Default true: send compressed (RSV1). false sends it as is on the deflate connection. */
  compress?: boolean;
  /** Split the (compressed) payload into frames of this many bytes. */
  fragment?: number;
}

export interface ExpectedItem {
  type: 'text' | 'binary' | 'pong';
  payload: Buffer;
}

export type Step =
  /**
   * Frames written back to back; `chunk` splits the bytes into TCP writes of
   * that size. `failFastAt` marks the payload byte that makes the message
   * invalid: the tester writes up to and including it, then gives a strict
   * peer a moment to fail before writing the rest.
   */
  | { kind: 'frames'; frames: FrameSpec[]; chunk?: number; failFastAt?: { frame: number; byte: number } }
  /**
   * Whole messages, compressed at send time with the connection's negotiated
   * permessage-deflate context (so context takeover and window limits apply).
   */
  | { kind: 'messages'; messages: MessageSpec[]; chunk?: number }
  | { kind: 'pause'; ms: number }
  /** Wait until this many items (messages + pongs) have come back. */
  | { kind: 'waitItems'; count: number }
  /** End the tester's side of TCP (FIN) at once, right behind what was written. */
  | { kind: 'end' };

export type Expectation =
  /** The peer answers with exactly these items; the tester then closes with 1000. */
  | { kind: 'echo'; items: ExpectedItem[]; pongsMayCoalesce?: boolean }
  /** The peer must fail the connection with one of `codes` after answering `before`. */
  | { kind: 'fail'; codes: number[]; before: ExpectedItem[] }
  /**
   * The tester sent a Close in its steps: the peer answers `before`, then a
   * Close with one of `codes` (null = a Close frame without a body).
   */
  | { kind: 'close'; codes: (number | null)[]; before: ExpectedItem[] }
  /** Whatever happens is recorded, not judged (the close still is). */
  | { kind: 'informational'; closeCodes: (number | null)[] };

export interface CasePlan {
  steps: Step[];
  expect: Expectation;
}

export interface CaseDef {
  id: string;
  description: string;
  expectation: string;
  /** Builds the case's bytes when it runs (big payloads are not kept around). */
  plan: () => CasePlan;
  /** Time the peer has to answer (after the last step), in ms. */
  timeoutMs?: number;
  /**
   * The extension offer (server mode) or answer (client mode) this case needs,
   * e.g. 'permessage-deflate; client_max_window_bits'. Frames may then carry
   * RSV1. Reserved for the permessage-deflate groups.
   */
  extensions?: string;
}

export interface TraceEvent {
  /** ms since the case started. */
  t: number;
  dir: 'out' | 'in' | 'note';
  text: string;
}

export interface Trace {
  sent: { total: number; head: string };
  received: { total: number; head: string };
  events: TraceEvent[];
  eventsDropped: number;
}

export interface Teardown {
  /** Who ended the TCP connection first: the peer under test, the tester, or nobody before the timeout. */
  closedFirst: 'peer' | 'tester' | 'none';
  /** Code of the Close frame the tester sent, null for an empty body, undefined if none. */
  testerCloseCode?: number | null;
  /** Code of the Close frame the peer sent, null for an empty body, undefined if none. */
  peerCloseCode?: number | null;
  peerCloseReason?: string;
  /** Who sent the first Close frame. */
  closeInitiator?: 'peer' | 'tester';
  /** ms from the first Close frame to the TCP connection being closed. */
  closeToTcpMs?: number;
  /** The peer reset the connection instead of ending it. */
  reset?: boolean;
}

export interface CaseResult {
  id: string;
  description: string;
  expectation: string;
  behavior: Behavior;
  behaviorClose: BehaviorClose;
  /** Why the verdicts are what they are, in words. */
  remarks: string[];
  durationMs: number;
  teardown: Teardown;
  trace: Trace;
}

export interface SuiteReport {
  tool: 'socketeer conformance';
  mode: 'server' | 'client';
  /** The server URL tested, or the agent name of the client tested. */
  target: string;
  agent?: string;
  startedAt: string;
  durationMs: number;
  full: boolean;
  counts: Record<string, number>;
  failing: number;
  results: CaseResult[];
}

export interface SuiteTimeouts {
  /** Time the peer gets to answer a case once the tester has sent everything. Default 2000. */
  caseMs?: number;
  /** Time the peer gets to end TCP after the closing handshake (server mode). Default 2000. */
  closeMs?: number;
  /** Time a strict peer gets to fail after the first invalid byte arrived. Default 300. */
  failFastMs?: number;
  /** Opening handshake. Default 2000. */
  handshakeMs?: number;
  /**
   * Client mode: how long the tester (the server) waits after the closing
   * handshake before it ends TCP, to see whether the client ends it first. Default 10.
   */
  finGraceMs?: number;
}

export interface CaseTableOptions {
  /** Full 9.x sizes (up to 16 MiB) instead of the reduced ones (up to 1 MiB). */
  full?: boolean;
}
