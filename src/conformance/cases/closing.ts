// Group 7: the closing handshake: bodies, codes, reasons, and what may follow a Close.
import { INVALID_CLOSE_CODES, VALID_CLOSE_CODES } from '../close-codes.js';
import type { CaseDef } from '../types.js';
import { close, closeCase, cont, echoCase, ping, send, text, textOf } from './helpers.js';

export function closingCases(): CaseDef[] {
  const cases: CaseDef[] = [
    echoCase('7.1.1', 'A text message, then the tester closes normally.', () => [send([text('Hello before closing')])]),
    closeCase('7.1.2', 'A Close frame, then a second Close frame: the second is ignored.', () => [close(1000), close(1000)], [1000]),
    closeCase('7.1.3', 'A Close frame, then a ping: the ping is not answered.', () => [close(1000), ping('after close')], [1000]),
    closeCase('7.1.4', 'A Close frame, then a text message: it is not echoed.', () => [close(1000), text('after close')], [1000]),
    closeCase(
      '7.1.5',
      'A Close frame between the fragments of a text message: the message is dropped.',
      () => [text('fragment 1', false), close(1000), cont('fragment 2')],
      [1000],
    ),
    {
      id: '7.1.6',
      description: 'A 256 KiB text message, then a Close frame, then a ping, in one write.',
      expectation: 'Informational: does the echo arrive before the Close 1000? The ping is not answered.',
      plan: () => ({
        steps: [send([text(textOf(256 * 1024)), close(1000), ping('after close')])],
        expect: { kind: 'informational', closeCodes: [1000] },
      }),
    },
    {
      id: '7.1.7',
      description: 'A compressed text message, a Close frame and then FIN, back to back (permessage-deflate).',
      expectation:
        'The peer finishes inflating the message and echoes it, then answers the Close with 1000: the end of TCP does not overtake the Close still queued behind the inflation.',
      extensions: 'permessage-deflate',
      plan: () => {
        const message = textOf(2048);
        return {
          steps: [
            { kind: 'messages', messages: [{ type: 'text', payload: message }] },
            send([close(1000)]),
            { kind: 'end' },
          ],
          expect: { kind: 'close', codes: [1000], before: [{ type: 'text', payload: Buffer.from(message) }] },
        };
      },
    },
    closeCase('7.2.1', 'A Close frame without a body.', () => [close(null)], [null], {
      expectation: 'The peer answers with a Close frame without a body (it echoes "no code").',
    }),
    closeCase('7.2.2', 'A Close frame with a 1-byte body.', () => [{ opcode: 8, payload: Buffer.from([0x03]) }], [1002]),
    closeCase('7.2.3', 'Close 1000 with a short reason.', () => [close(1000, 'goodbye')], [1000]),
    closeCase('7.2.4', 'Close 1000 with a 123-byte reason (the largest allowed).', () => [close(1000, textOf(123))], [1000]),
    closeCase('7.2.5', 'Close 1000 with a 124-byte reason (a 126-byte control frame).', () => [close(1000, textOf(124))], [1002]),
    closeCase(
      '7.2.6',
      'Close 1000 with a reason that is not valid UTF-8.',
      () => [close(1000, Buffer.concat([Buffer.from('κόσμε'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('-edited')]))],
      [1007],
    ),
    closeCase('7.2.7', 'Close 1000 with a reason, written one byte per TCP write.', () => [close(1000, 'one byte at a time')], [1000], {
      chunk: 1,
    }),
  ];
  VALID_CLOSE_CODES.forEach((code, i) => {
    cases.push(closeCase(`7.3.${i + 1}`, `Close with the valid code ${code}.`, () => [close(code, `code ${code}`)], [code]));
  });
  INVALID_CLOSE_CODES.forEach((code, i) => {
    cases.push(
      closeCase(`7.4.${i + 1}`, `Close with the invalid code ${code}.`, () => [close(code, `code ${code}`)], [1002], {
        expectation: `The peer fails the connection with 1002: ${code} must not appear on the wire.`,
      }),
    );
  });
  return cases;
}
