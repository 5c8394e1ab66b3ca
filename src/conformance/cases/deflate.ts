// Groups 12 and 13: permessage-deflate (RFC 7692). The tester compresses with
// its own zlib context and inflates the peer's answers, checking that the peer
// keeps to the negotiated window and context-takeover parameters.
// 12: the default offer, messages of every size, fragmented, mixed, and broken.
// 13: the same messages under each parameter combination.
// In server mode `extensions` is the tester's offer; in client mode it is the
// answer the tester gives to the client's offer.
import { deflateRawSync } from 'node:zlib';
import type { CaseDef, ExpectedItem, MessageSpec, Step } from '../types.js';
import { failCase, sizeText, text, textOf } from './helpers.js';

const KiB = 1024;
const DEFAULT_OFFER = 'permessage-deflate; client_max_window_bits';
/** Messages per case: identical messages, so a peer that breaks context takeover rules shows. */
const COUNT = 10;

export const DEFLATE_COMBINATIONS: { params: string; name: string }[] = [
  { params: 'permessage-deflate', name: 'no parameters' },
  { params: 'permessage-deflate; client_no_context_takeover', name: 'client_no_context_takeover' },
  { params: 'permessage-deflate; server_no_context_takeover', name: 'server_no_context_takeover' },
  {
    params: 'permessage-deflate; client_no_context_takeover; server_no_context_takeover',
    name: 'client_ and server_no_context_takeover',
  },
  { params: 'permessage-deflate; client_max_window_bits=9', name: 'client_max_window_bits=9' },
  { params: 'permessage-deflate; server_max_window_bits=9', name: 'server_max_window_bits=9' },
  { params: 'permessage-deflate; server_max_window_bits=8', name: 'server_max_window_bits=8' },
  { params: 'permessage-deflate; client_max_window_bits=15; server_max_window_bits=15', name: 'both windows 15' },
  {
    params: 'permessage-deflate; client_max_window_bits=8; server_max_window_bits=8; client_no_context_takeover; server_no_context_takeover',
    name: 'windows 8, no context takeover either way',
  },
];

/**
 * A pseudo-random block of PERIOD bytes, repeated: the only long matches are
 * PERIOD bytes back, beyond a 9-bit window, so a peer that compresses with a
 * larger window than it agreed to produces distances the tester rejects.
 */
const PERIOD = 1000;
function payloadOf(type: 'text' | 'binary', size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = 12345;
  for (let i = 0; i < size; i++) {
    if (i % PERIOD === 0) x = 12345;
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = type === 'text' ? 0x61 + ((x >> 16) % 26) : (x >> 16) & 0xff;
  }
  return out;
}

function messagesCase(
  id: string,
  description: string,
  extensions: string,
  messages: () => MessageSpec[],
  opts: { chunk?: number; timeoutMs?: number } = {},
): CaseDef {
  return {
    id,
    description,
    expectation: 'The peer inflates every message, echoes it (compressed or not), keeps to the negotiated parameters, then closes normally (1000).',
    extensions,
    timeoutMs: opts.timeoutMs,
    plan: () => {
      const list = messages();
      const steps: Step[] = [{ kind: 'messages', messages: list, chunk: opts.chunk }];
      const items: ExpectedItem[] = list.map((m) => ({ type: m.type, payload: Buffer.from(m.payload) }));
      return { steps, expect: { kind: 'echo', items } };
    },
  };
}

const repeated = (type: 'text' | 'binary', size: number, extra: Partial<MessageSpec> = {}) => () =>
  Array.from({ length: COUNT }, () => ({ type, payload: payloadOf(type, size), ...extra }));

/** A first message compressed from an empty context (what any offer allows with a 15-bit window). */
const compressedFirst = (bytes: Buffer): Buffer => {
  const out = deflateRawSync(bytes, { finishFlush: 2 /* Z_SYNC_FLUSH */ });
  return out.subarray(0, out.length - 4);
};

const compressedAgainst = (bytes: Buffer, dictionary: Buffer): Buffer => {
  const out = deflateRawSync(bytes, { finishFlush: 2, dictionary });
  return out.subarray(0, out.length - 4);
};

function deflateFailCase(id: string, description: string, frames: Parameters<typeof failCase>[3], codes: number[]): CaseDef {
  const base = failCase(id, description, [], frames, { code: codes[0] });
  return {
    ...base,
    extensions: DEFAULT_OFFER,
    expectation: `The peer fails the connection with ${codes.join(' or ')}.`,
    plan: () => ({ ...base.plan(), expect: { kind: 'fail', codes, before: [] } }),
  };
}

export function deflateCases(): CaseDef[] {
  const cases: CaseDef[] = [];
  const sizes = [0, 16, 64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB];
  (['text', 'binary'] as const).forEach((type, k) => {
    sizes.forEach((size, i) => {
      cases.push(
        messagesCase(`12.${k + 1}.${i + 1}`, `${COUNT} compressed ${type} messages of ${sizeText(size)} (default offer).`, DEFAULT_OFFER, repeated(type, size), {
          timeoutMs: 2000 + Math.ceil((COUNT * size) / (256 * KiB)) * 1000,
        }),
      );
    });
  });
  const frameSizes = [1, 64, KiB, 16 * KiB];
  frameSizes.forEach((frame, i) => {
    cases.push(
      messagesCase(`12.3.${i + 1}`, `${COUNT} compressed 64 KiB text messages, each in frames of ${sizeText(frame)} (RSV1 on the first frame only).`, DEFAULT_OFFER, repeated('text', 64 * KiB, { fragment: frame }), {
        timeoutMs: 10_000,
      }),
    );
  });
  cases.push(
    messagesCase('12.3.5', 'A compressed 4 KiB text message in frames of 100 bytes, one byte per TCP write.', DEFAULT_OFFER, () => [
      { type: 'text', payload: textOf(4 * KiB), fragment: 100 },
    ], { chunk: 1 }),
    messagesCase('12.4.1', `${COUNT} uncompressed text messages (RSV1 clear) on a deflate connection.`, DEFAULT_OFFER, repeated('text', KiB, { compress: false })),
    messagesCase('12.4.2', 'Compressed and uncompressed messages alternating, text and binary.', DEFAULT_OFFER, () =>
      Array.from({ length: COUNT }, (_, i) => ({ type: i % 3 ? 'text' : 'binary', payload: payloadOf(i % 3 ? 'text' : 'binary', 300 * (i + 1)), compress: i % 2 === 0 }) as MessageSpec),
    ),
    messagesCase('12.4.3', 'Compressed valid UTF-8 text of every length of sequence.', DEFAULT_OFFER, () => [
      { type: 'text', payload: 'κόσμε \u{1F600} \u{10FFFF} '.repeat(50) },
    ]),
    deflateFailCase('12.5.1', 'RSV1 on a continuation frame of a compressed message.', [
      text(compressedFirst(Buffer.from(textOf(200))).subarray(0, 10), false, 4),
      { opcode: 0, payload: compressedFirst(Buffer.from(textOf(200))).subarray(10), fin: true, rsv: 4 },
    ], [1002]),
    deflateFailCase('12.5.2', 'RSV1 on a ping.', [{ opcode: 9, payload: 'compressed?', rsv: 4 }], [1002]),
    deflateFailCase('12.5.3', 'RSV2 on a text frame of a deflate connection.', [text(compressedFirst(Buffer.from('hello')), true, 6)], [1002]),
    deflateFailCase('12.5.4', 'A compressed text message whose data is not DEFLATE (reserved block type).', [text(Buffer.from([0x07, 0xff, 0x00, 0x12]), true, 4)], [1007, 1002]),
    deflateFailCase(
      '12.5.5',
      'A compressed text message that inflates to invalid UTF-8.',
      [text(compressedFirst(Buffer.concat([Buffer.from('κόσμε'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('-edited')])), true, 4)],
      [1007],
    ),
    deflateFailCase(
      '12.5.6',
      'A compressed message that refers to data before its start (distance too far back) on a fresh context.',
      // Compressed against a dictionary the peer never saw: its first symbols are matches into it.
      [text(compressedAgainst(Buffer.from(textOf(200)), Buffer.from(textOf(200))), true, 4)],
      [1007, 1002],
    ),
  );
  DEFLATE_COMBINATIONS.forEach((combo, c) => {
    const shapes: { type: 'text' | 'binary'; size: number }[] = [
      { type: 'text', size: 16 },
      { type: 'text', size: 256 },
      { type: 'text', size: 4 * KiB },
      { type: 'text', size: 64 * KiB },
      { type: 'binary', size: KiB },
      { type: 'binary', size: 64 * KiB },
    ];
    shapes.forEach((shape, i) => {
      cases.push(
        messagesCase(`13.${c + 1}.${i + 1}`, `${COUNT} compressed ${shape.type} messages of ${sizeText(shape.size)}, ${combo.name}.`, combo.params, repeated(shape.type, shape.size), {
          timeoutMs: 5000,
        }),
      );
    });
  });
  return cases;
}
