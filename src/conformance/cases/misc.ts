// Group 10: auto-fragmentation: one big message as very many tiny frames.
import type { CaseDef } from '../types.js';
import { binaryOf, echoCase, fragmented, send, textOf } from './helpers.js';

export function miscCases(): CaseDef[] {
  return [
    echoCase('10.1.1', 'A 64 KiB text message in 1-byte frames.', () => [send(fragmented('text', textOf(65536), 1))], {
      timeoutMs: 5000,
    }),
    echoCase('10.1.2', 'A 64 KiB binary message in 1300-byte frames.', () => [send(fragmented('binary', binaryOf(65536), 1300))]),
  ];
}
