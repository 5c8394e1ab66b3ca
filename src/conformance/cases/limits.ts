// Group 9: big messages, many frames, many writes, many round trips; the
// duration of each case is the measurement.
import type { CaseDef, Step } from '../types.js';
import { binary, binaryOf, echoCase, fragmented, send, sizeText, text, textOf, waitItems } from './helpers.js';

const KiB = 1024;
const MiB = 1024 * 1024;

/** A generous answer time: 2 s plus 1 s per MiB each way. */
const answerTime = (bytes: number) => 2000 + Math.ceil((2 * bytes) / MiB) * 1000;

export function limitCases(full: boolean): CaseDef[] {
  const sizes = full ? [64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB] : [64 * KiB, 128 * KiB, 256 * KiB, 512 * KiB, 768 * KiB, MiB];
  const fragmentedTotal = full ? 4 * MiB : 256 * KiB;
  const frameSizes = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB].filter((s) => s <= fragmentedTotal);
  const choppedTotal = full ? MiB : 256 * KiB;
  const chops = [64, 128, 256, 512, 1024, 2048];
  const roundTrips = 1000;
  const roundTripSizes = [0, 16, 64, 256, KiB, 4 * KiB];
  const cases: CaseDef[] = [];
  const kinds = [
    { name: 'text', make: (n: number) => text(textOf(n)), frag: (n: number, s: number) => fragmented('text', textOf(n), s) },
    { name: 'binary', make: (n: number) => binary(binaryOf(n)), frag: (n: number, s: number) => fragmented('binary', binaryOf(n), s) },
  ] as const;
  kinds.forEach((kind, k) => {
    sizes.forEach((size, i) => {
      cases.push(
        echoCase(`9.${1 + k}.${i + 1}`, `A ${sizeText(size)} ${kind.name} message in one frame.`, () => [send([kind.make(size)])], {
          timeoutMs: answerTime(size),
        }),
      );
    });
  });
  kinds.forEach((kind, k) => {
    frameSizes.forEach((frameSize, i) => {
      cases.push(
        echoCase(
          `9.${3 + k}.${i + 1}`,
          `A ${sizeText(fragmentedTotal)} ${kind.name} message in frames of ${sizeText(frameSize)}.`,
          () => [send(kind.frag(fragmentedTotal, frameSize))],
          { timeoutMs: answerTime(fragmentedTotal) },
        ),
      );
    });
  });
  kinds.forEach((kind, k) => {
    chops.forEach((chop, i) => {
      cases.push(
        echoCase(
          `9.${5 + k}.${i + 1}`,
          `A ${sizeText(choppedTotal)} ${kind.name} message in one frame, written in TCP writes of ${chop} bytes.`,
          () => [send([kind.make(choppedTotal)], chop)],
          { timeoutMs: answerTime(choppedTotal) },
        ),
      );
    });
  });
  kinds.forEach((kind, k) => {
    roundTripSizes.forEach((size, i) => {
      cases.push(
        echoCase(
          `9.${7 + k}.${i + 1}`,
          `${roundTrips} round trips of a ${sizeText(size)} ${kind.name} message, each sent after the previous echo.`,
          () => {
            const steps: Step[] = [];
            for (let r = 0; r < roundTrips; r++) steps.push(send([kind.make(size)]), waitItems(r + 1));
            return steps;
          },
          { timeoutMs: answerTime(roundTrips * size) },
        ),
      );
    });
  });
  // Big messages as many small frames: every size of 9.1/9.2 in 4 KiB frames.
  kinds.forEach((kind, k) => {
    sizes.forEach((size, i) => {
      cases.push(
        echoCase(
          `9.${9 + k}.${i + 1}`,
          `A ${sizeText(size)} ${kind.name} message in frames of 4 KiB.`,
          () => [send(kind.frag(size, 4 * KiB))],
          { timeoutMs: answerTime(size) },
        ),
      );
    });
  });
  return cases;
}
