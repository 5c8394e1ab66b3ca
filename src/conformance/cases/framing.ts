// Group 1: messages of every length encoding, sent whole and one byte per write.
import type { CaseDef } from '../types.js';
import { binary, binaryOf, echoCase, send, text, textOf } from './helpers.js';

const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536];

export function framingCases(): CaseDef[] {
  const cases: CaseDef[] = [];
  const kinds = [
    { sub: 1, name: 'text', frame: (n: number) => text(textOf(n)) },
    { sub: 2, name: 'binary', frame: (n: number) => binary(binaryOf(n)) },
  ];
  for (const kind of kinds) {
    let n = 1;
    for (const chunk of [undefined, 1]) {
      for (const len of LENGTHS) {
        const how = chunk ? ', written one byte per TCP write' : '';
        cases.push(
          echoCase(`1.${kind.sub}.${n++}`, `A ${kind.name} message of ${len} bytes in one frame${how}.`, () => [
            send([kind.frame(len)], chunk),
          ]),
        );
      }
    }
  }
  return cases;
}
