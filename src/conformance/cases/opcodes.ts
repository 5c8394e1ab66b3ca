// Group 4: reserved data (3-7) and control (11-15) opcodes.
import type { CaseDef, FrameSpec } from '../types.js';
import { failCase, ping, text } from './helpers.js';

const OK = text('a valid message first');

export function opcodeCases(): CaseDef[] {
  const cases: CaseDef[] = [];
  const groups = [
    { sub: 1, kind: 'data', opcodes: [3, 4, 5, 6, 7] },
    { sub: 2, kind: 'control', opcodes: [11, 12, 13, 14, 15] },
  ];
  for (const group of groups) {
    group.opcodes.forEach((opcode, i) => {
      const bad: FrameSpec = { opcode, payload: i % 2 ? 'reserved opcode payload' : '' };
      const id = `4.${group.sub}.${i + 1}`;
      const name = `reserved ${group.kind} opcode ${opcode}`;
      switch (i) {
        case 0:
          cases.push(failCase(id, `A frame with ${name} and no payload.`, [], [bad]));
          break;
        case 1:
          cases.push(failCase(id, `A frame with ${name} and a payload.`, [], [bad]));
          break;
        case 2:
          cases.push(failCase(id, `A valid message, a frame with ${name}, then a ping.`, [OK], [bad, ping('after')]));
          break;
        case 3:
          cases.push(
            failCase(id, `A valid message, a frame with ${name}, a ping, one byte per write.`, [OK], [bad, ping('after')], {
              chunk: 1,
            }),
          );
          break;
        default:
          cases.push(failCase(id, `A valid message then a frame with ${name}, one byte per write.`, [OK], [bad], { chunk: 1 }));
      }
    });
  }
  return cases;
}
