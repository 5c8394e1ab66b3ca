// Group 6: valid and invalid UTF-8, whole, fragmented at every byte, and the
// fail-fast expectation (a strict peer fails when the first invalid byte
// arrives, not when the message is complete).
import { utf8FailIndex } from '../utf8.js';
import type { CaseDef, CasePlan, FrameSpec, Step } from '../types.js';
import { answersTo, cont, echoCase, fragmented, send, text } from './helpers.js';

interface Sample {
  name: string;
  bytes: Buffer;
}

const kosme = Buffer.from('κόσμε', 'utf8');
const edited = Buffer.from('-edited', 'utf8');
const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex');
const around = (middle: string): Buffer => Buffer.concat([kosme, hex(middle), edited]);

export const UTF8_SAMPLES: Sample[] = [
  // valid
  { name: 'ASCII text', bytes: Buffer.from('Hello, socketeer') },
  { name: 'Greek "κόσμε"', bytes: kosme },
  { name: 'U+0000', bytes: hex('00') },
  { name: 'U+007F', bytes: hex('7f') },
  { name: 'U+0080 (first 2-byte)', bytes: hex('c280') },
  { name: 'U+07FF (last 2-byte)', bytes: hex('dfbf') },
  { name: 'U+0800 (first 3-byte)', bytes: hex('e0a080') },
  { name: 'U+D7FF (last before the surrogates)', bytes: hex('ed9fbf') },
  { name: 'U+E000 (first after the surrogates)', bytes: hex('ee8080') },
  { name: 'U+FFFD', bytes: hex('efbfbd') },
  { name: 'U+FFFE and U+FFFF (noncharacters are valid)', bytes: hex('efbfbe efbfbf') },
  { name: 'U+10000 (first 4-byte)', bytes: hex('f0908080') },
  { name: 'U+10FFFF (last code point)', bytes: hex('f48fbfbf') },
  { name: 'U+1F600 between ASCII', bytes: Buffer.from('a\u{1F600}b') },
  // invalid: stray continuation bytes
  { name: 'lone continuation byte 0x80', bytes: hex('80') },
  { name: 'lone continuation byte 0xBF', bytes: hex('bf') },
  { name: 'continuation byte inside text', bytes: around('80') },
  { name: 'four continuation bytes', bytes: hex('80bf80bf') },
  // invalid: start bytes not followed by continuations
  { name: '2-byte start followed by a space', bytes: hex('c220') },
  { name: '3-byte start followed by a space', bytes: hex('e120') },
  { name: '4-byte start followed by a space', bytes: hex('f120') },
  { name: '3-byte sequence missing its last byte, then ASCII', bytes: hex('e28241') },
  { name: '4-byte sequence missing its last byte, then a space', bytes: hex('f09f9820') },
  // invalid: overlong encodings
  { name: 'overlong NUL (C0 80)', bytes: hex('c080') },
  { name: 'overlong "/" (C0 AF)', bytes: hex('c0af') },
  { name: 'overlong 2-byte maximum (C1 BF)', bytes: hex('c1bf') },
  { name: 'overlong 3-byte "/" (E0 80 AF)', bytes: hex('e080af') },
  { name: 'overlong 3-byte maximum (E0 9F BF)', bytes: hex('e09fbf') },
  { name: 'overlong 4-byte "/" (F0 80 80 AF)', bytes: hex('f08080af') },
  { name: 'overlong 4-byte maximum (F0 8F BF BF)', bytes: hex('f08fbfbf') },
  { name: 'overlong 3-byte inside text', bytes: around('e080af') },
  // invalid: obsolete 5- and 6-byte forms, bytes that never appear
  { name: '5-byte form (F8 88 80 80 80)', bytes: hex('f888808080') },
  { name: '6-byte form (FC 84 80 80 80 80)', bytes: hex('fc8480808080') },
  { name: 'byte 0xFE', bytes: hex('fe') },
  { name: 'byte 0xFF', bytes: hex('ff') },
  // invalid: UTF-16 surrogates
  { name: 'U+D800 (first high surrogate)', bytes: hex('eda080') },
  { name: 'U+DB7F', bytes: hex('edadbf') },
  { name: 'U+DC00 (first low surrogate)', bytes: hex('edb080') },
  { name: 'U+DFFF (last low surrogate)', bytes: hex('edbfbf') },
  { name: 'surrogate pair U+D800 U+DC00', bytes: hex('eda080 edb080') },
  { name: 'surrogate inside text', bytes: around('eda080') },
  // invalid: above U+10FFFF
  { name: 'U+110000 (F4 90 80 80)', bytes: hex('f4908080') },
  { name: 'start byte F5', bytes: hex('f5808080') },
  { name: 'start byte F7 (F7 BF BF BF)', bytes: hex('f7bfbfbf') },
  { name: 'U+110000 inside text', bytes: around('f4908080') },
  // invalid: truncated at the end of the message
  { name: 'truncated 2-byte sequence at the end', bytes: hex('ce') },
  { name: 'truncated 3-byte sequence at the end', bytes: hex('e282') },
  { name: 'truncated 4-byte sequence at the end', bytes: hex('f09f98') },
  { name: 'text ending in a truncated sequence', bytes: Buffer.concat([kosme, hex('e1bd')]) },
];

const VALID_SPLITS = [Buffer.from('Hello-µ@ßöäüàá-UTF-8!!'), Buffer.from('\u{1F600}x\u{10FFFF}')];

function sampleCase(id: string, sample: Sample, variant: 'whole' | 'fragments' | 'fast-frame' | 'fast-fragments'): CaseDef {
  const failAt = utf8FailIndex(sample.bytes);
  const valid = failAt === -1;
  const early = failAt >= 0 && failAt < sample.bytes.length;
  const how = {
    whole: 'in one frame',
    fragments: 'in 1-byte fragments',
    'fast-frame': 'in one frame written one byte per TCP write',
    'fast-fragments': 'in 1-byte fragments, one per TCP write',
  }[variant];
  const fast = variant === 'fast-frame' || variant === 'fast-fragments';
  let expectation: string;
  if (valid) expectation = 'The peer echoes the message, then closes normally (1000).';
  else if (fast && early) {
    expectation = `The peer fails with 1007 as soon as byte ${failAt + 1} of the payload arrives (OK), or only once the message is complete (NON-STRICT).`;
  } else expectation = 'The peer fails the connection with 1007.';
  return {
    id,
    description: `${valid ? 'Valid' : 'Invalid'} UTF-8, ${sample.name}, ${how}.`,
    expectation,
    plan: (): CasePlan => {
      const frames: FrameSpec[] =
        variant === 'whole' || variant === 'fast-frame' ? [text(sample.bytes)] : fragmented('text', sample.bytes, 1);
      const step: Step = { kind: 'frames', frames, chunk: fast ? 1 : undefined };
      if (fast && early) {
        step.failFastAt = variant === 'fast-frame' ? { frame: 0, byte: failAt } : { frame: failAt, byte: 0 };
      }
      if (valid) return { steps: [step], expect: { kind: 'echo', items: answersTo(frames) } };
      return { steps: [step], expect: { kind: 'fail', codes: [1007], before: [] } };
    },
  };
}

/**
 * Invalid text split into two fragments at every byte (group 6.7): one sample
 * per class of invalid sequence (new samples go at the end, so ids stay put).
 */
const SPLIT_SAMPLES: Sample[] = [
  { name: 'a surrogate (ED A0 80) inside text', bytes: around('eda080') },
  { name: 'U+110000 (F4 90 80 80) inside text', bytes: around('f4908080') },
  { name: 'an overlong "/" (E0 80 AF) inside text', bytes: around('e080af') },
  { name: 'a truncated sequence (E2 82, then "A") inside text', bytes: around('e28241') },
];

/**
 * Two fragments split at `at`: a strict peer fails as soon as the first
 * invalid byte arrives, whichever fragment carries it; the tester sends up to
 * that byte, waits, then sends the rest.
 */
function splitCase(id: string, sample: Sample, at: number): CaseDef {
  const failAt = utf8FailIndex(sample.bytes);
  const inFirst = failAt < at;
  return {
    id,
    description: `Invalid UTF-8, ${sample.name}, in two fragments split at byte ${at} (the first invalid byte is byte ${failAt + 1}).`,
    expectation: `The peer fails with 1007 as soon as byte ${failAt + 1} arrives, in the ${inFirst ? 'first' : 'second'} fragment (OK), or only once the message is complete (NON-STRICT).`,
    plan: (): CasePlan => {
      const frames = [text(sample.bytes.subarray(0, at), false), cont(sample.bytes.subarray(at))];
      const failFastAt = inFirst ? { frame: 0, byte: failAt } : { frame: 1, byte: failAt - at };
      return { steps: [{ kind: 'frames', frames, failFastAt }], expect: { kind: 'fail', codes: [1007], before: [] } };
    },
  };
}

export function utf8Cases(): CaseDef[] {
  const cases: CaseDef[] = [
    echoCase('6.1.1', 'An empty text message.', () => [send([text('')])]),
    echoCase('6.1.2', 'An empty text message in three empty fragments.', () => [send([text('', false), cont('', false), cont('')])]),
    echoCase('6.1.3', 'A text message whose first and last fragments are empty.', () => [
      send([text('', false), cont('middle', false), cont('')]),
    ]),
  ];
  let n = 1;
  for (const bytes of VALID_SPLITS) {
    cases.push(echoCase(`6.2.${n++}`, `Valid UTF-8 "${bytes.toString()}" in one frame.`, () => [send([text(bytes)])]));
    cases.push(
      echoCase(`6.2.${n++}`, `Valid UTF-8 "${bytes.toString()}" in 1-byte fragments.`, () => [send(fragmented('text', bytes, 1))]),
    );
    for (let at = 1; at < bytes.length; at++) {
      cases.push(
        echoCase(`6.2.${n++}`, `Valid UTF-8 "${bytes.toString()}" in two fragments split at byte ${at}.`, () => [
          send([text(bytes.subarray(0, at), false), cont(bytes.subarray(at))]),
        ]),
      );
    }
  }
  const variants = ['whole', 'fragments', 'fast-frame', 'fast-fragments'] as const;
  variants.forEach((variant, v) => {
    UTF8_SAMPLES.forEach((sample, i) => cases.push(sampleCase(`6.${v + 3}.${i + 1}`, sample, variant)));
  });
  let k = 1;
  for (const sample of SPLIT_SAMPLES) {
    for (let at = 1; at < sample.bytes.length; at++) cases.push(splitCase(`6.7.${k++}`, sample, at));
  }
  return cases;
}
