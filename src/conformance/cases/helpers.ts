// Small builders the case tables are written with.
import { closePayload, OP, toBytes } from '../frames.js';
import type { CaseDef, CasePlan, ExpectedItem, FrameSpec, Step } from '../types.js';

type Payload = Uint8Array | string;

export const text = (payload: Payload, fin = true, rsv = 0): FrameSpec => ({ opcode: OP.TEXT, payload, fin, rsv });
export const binary = (payload: Payload, fin = true, rsv = 0): FrameSpec => ({ opcode: OP.BINARY, payload, fin, rsv });
export const cont = (payload: Payload, fin = true): FrameSpec => ({ opcode: OP.CONTINUATION, payload, fin });
export const ping = (payload: Payload = ''): FrameSpec => ({ opcode: OP.PING, payload });
export const pong = (payload: Payload = ''): FrameSpec => ({ opcode: OP.PONG, payload });
export const close = (code: number | null, reason: Payload = ''): FrameSpec => ({
  opcode: OP.CLOSE,
  payload: closePayload(code, reason),
});

export const send = (frames: FrameSpec[], chunk?: number): Step => ({ kind: 'frames', frames, chunk });
export const pause = (ms: number): Step => ({ kind: 'pause', ms });
export const waitItems = (count: number): Step => ({ kind: 'waitItems', count });

/** What a conformant echo peer answers to these frames (stops at a Close). */
export function answersTo(frames: FrameSpec[]): ExpectedItem[] {
  const out: ExpectedItem[] = [];
  let parts: Buffer[] | null = null;
  let type: 'text' | 'binary' = 'text';
  for (const f of frames) {
    const payload = toBytes(f.payload);
    if (f.opcode === OP.CLOSE) break;
    if (f.opcode === OP.PING) out.push({ type: 'pong', payload });
    if (f.opcode === OP.TEXT || f.opcode === OP.BINARY) {
      parts = [payload];
      type = f.opcode === OP.TEXT ? 'text' : 'binary';
    } else if (f.opcode === OP.CONTINUATION && parts) {
      parts.push(payload);
    } else {
      continue;
    }
    if (f.fin !== false) {
      out.push({ type, payload: Buffer.concat(parts) });
      parts = null;
    }
  }
  return out;
}

/** All frames of a plan's 'frames' steps, in order. */
export function framesOf(steps: Step[]): FrameSpec[] {
  return steps.flatMap((s) => (s.kind === 'frames' ? s.frames : []));
}

/** A case whose answer is the echo of everything sent. */
export function echoCase(
  id: string,
  description: string,
  steps: () => Step[],
  extra: Partial<CaseDef> & { pongsMayCoalesce?: boolean } = {},
): CaseDef {
  const { pongsMayCoalesce, ...rest } = extra;
  return {
    id,
    description,
    expectation: 'The peer echoes every message and answers every ping, then closes normally (1000).',
    plan: (): CasePlan => {
      const s = steps();
      return { steps: s, expect: { kind: 'echo', items: answersTo(framesOf(s)), pongsMayCoalesce } };
    },
    ...rest,
  };
}

/**
 * A case the peer must fail with `code`, after answering the frames in `valid`
 * (sent first); `bad` holds the offending frames and anything after them.
 */
export function failCase(
  id: string,
  description: string,
  valid: FrameSpec[],
  bad: FrameSpec[],
  opts: { code?: number; chunk?: number; expectation?: string } = {},
): CaseDef {
  const code = opts.code ?? 1002;
  return {
    id,
    description,
    expectation:
      opts.expectation ??
      `The peer answers what came before the offending frame, then fails the connection with ${code}.`,
    plan: () => ({
      steps: [send([...valid, ...bad], opts.chunk)],
      expect: { kind: 'fail', codes: [code], before: answersTo(valid) },
    }),
  };
}

/** The tester sends `frames` (which include a Close); the peer must answer with a Close of `codes`. */
export function closeCase(
  id: string,
  description: string,
  frames: () => FrameSpec[],
  codes: (number | null)[],
  opts: { expectation?: string; chunk?: number } = {},
): CaseDef {
  const codeText = codes.map((c) => (c === null ? 'an empty Close' : `Close ${c}`)).join(' or ');
  return {
    id,
    description,
    expectation: opts.expectation ?? `The peer answers with ${codeText} and the connection ends.`,
    plan: () => {
      const f = frames();
      return { steps: [send(f, opts.chunk)], expect: { kind: 'close', codes, before: answersTo(f) } };
    },
  };
}

const TEXT_PATTERN = 'socketeer conformance: the quick brown fox jumps over the lazy dog 0123456789. ';

/** ASCII text of exactly n bytes (valid UTF-8 at every cut). */
export function textOf(n: number): string {
  return TEXT_PATTERN.repeat(Math.ceil(n / TEXT_PATTERN.length) + 1).slice(0, n);
}

/** Deterministic binary of n bytes, covering all byte values. */
export function binaryOf(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

/** Splits a payload into frames of `size` bytes as one fragmented message. */
export function fragmented(kind: 'text' | 'binary', payload: Payload, size: number): FrameSpec[] {
  const bytes = toBytes(payload);
  const frames: FrameSpec[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += size) {
    const part = bytes.subarray(i, i + size);
    const fin = i + size >= bytes.length;
    frames.push(i === 0 ? (kind === 'text' ? text(part, fin) : binary(part, fin)) : cont(part, fin));
  }
  return frames;
}

export function sizeText(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
