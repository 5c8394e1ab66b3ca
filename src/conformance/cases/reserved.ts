// Group 3: reserved bits set while no extension gives them a meaning.
import type { CaseDef } from '../types.js';
import { binary, close, failCase, ping, text } from './helpers.js';

const OK = text('a valid message first');

export function reservedBitCases(): CaseDef[] {
  return [
    failCase('3.1', 'A text frame with RSV3 set (rsv=1).', [], [text('reserved bits', true, 1)]),
    failCase('3.2', 'A valid text message, then a text frame with RSV2 set (rsv=2).', [OK], [text('reserved bits', true, 2)]),
    failCase('3.3', 'A valid text message, a text frame with rsv=3, then a ping (no pong expected).', [OK], [
      text('reserved bits', true, 3),
      ping('after the bad frame'),
    ]),
    failCase(
      '3.4',
      'As 3.3 with rsv=4 (RSV1), written one byte per TCP write.',
      [OK],
      [text('reserved bits', true, 4), ping('after the bad frame')],
      { chunk: 1 },
    ),
    failCase('3.5', 'A binary frame with rsv=5.', [], [binary(Buffer.from([0, 1, 2, 0xff]), true, 5)]),
    failCase('3.6', 'A ping with rsv=6.', [], [{ ...ping('reserved bits'), rsv: 6 }]),
    failCase('3.7', 'A Close frame with rsv=7.', [], [{ ...close(1000), rsv: 7 }]),
  ];
}
