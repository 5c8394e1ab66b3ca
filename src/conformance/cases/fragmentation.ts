// Group 5: legal and illegal sequences of fragments and interleaved control frames.
import { OP } from '../frames.js';
import type { CaseDef } from '../types.js';
import { binary, binaryOf, cont, echoCase, failCase, fragmented, pause, ping, pong, send, text, waitItems } from './helpers.js';

export function fragmentationCases(): CaseDef[] {
  return [
    failCase('5.1', 'A ping split into two fragments (control frames must not be fragmented).', [], [
      { opcode: OP.PING, payload: 'fragment 1', fin: false },
      cont('fragment 2'),
    ]),
    failCase('5.2', 'A pong split into two fragments.', [], [{ opcode: OP.PONG, payload: 'fragment 1', fin: false }, cont('fragment 2')]),
    echoCase('5.3', 'A text message in two fragments, one write.', () => [send([text('fragment 1, ', false), cont('fragment 2')])]),
    echoCase('5.4', 'A text message in two fragments with a pause between them.', () => [
      send([text('fragment 1, ', false)]),
      pause(100),
      send([cont('fragment 2')]),
    ]),
    echoCase('5.5', 'A text message in two fragments, one byte per TCP write.', () => [
      send([text('fragment 1, ', false), cont('fragment 2')], 1),
    ]),
    echoCase('5.6', 'Two text fragments with a ping between them.', () => [
      send([text('fragment 1, ', false), ping('between'), cont('fragment 2')]),
    ]),
    echoCase('5.7', 'Two text fragments with a ping between them, one byte per TCP write.', () => [
      send([text('fragment 1, ', false), ping('between'), cont('fragment 2')], 1),
    ]),
    echoCase('5.8', 'Two text fragments with a ping between them; the tester waits for the pong before the last fragment.', () => [
      send([text('fragment 1, ', false)]),
      pause(50),
      send([ping('between')]),
      waitItems(1),
      send([cont('fragment 2')]),
    ]),
    failCase('5.9', 'A final continuation frame without a message in progress.', [], [cont('no start')]),
    failCase('5.10', 'A final continuation frame without a message in progress, one byte per write.', [], [cont('no start')], {
      chunk: 1,
    }),
    failCase('5.11', 'A non-final continuation without a start, then a text frame.', [], [cont('no start', false), text('text')]),
    failCase(
      '5.12',
      'A non-final continuation without a start, then a text frame, one byte per write.',
      [],
      [cont('no start', false), text('text')],
      { chunk: 1 },
    ),
    failCase('5.13', 'A text fragment followed by a new text frame instead of a continuation.', [], [
      text('fragment 1', false),
      text('fragment 2'),
    ]),
    failCase('5.14', 'A binary fragment followed by a new text frame.', [], [binary(binaryOf(8), false), text('fragment 2')]),
    failCase('5.15', 'A complete fragmented message, then a continuation after the final fragment.', [
      text('fragment 1, ', false),
      cont('fragment 2'),
    ], [cont('stray continuation', false), cont('more')]),
    failCase(
      '5.16',
      'Two complete messages, then a final continuation frame.',
      [text('one, ', false), cont('done'), text('two')],
      [cont('stray continuation')],
    ),
    echoCase('5.17', 'A binary message in three fragments with unsolicited pongs between them.', () => [
      send([binary(binaryOf(10), false), pong('unsolicited 1'), cont(binaryOf(11), false), pong('unsolicited 2'), cont(binaryOf(12))]),
    ]),
    echoCase('5.18', 'A text message in three fragments, the first one empty.', () => [
      send([text('', false), cont('middle', false), cont('last')]),
    ]),
    echoCase('5.19', 'A text message in three fragments, the middle one empty.', () => [
      send([text('first ', false), cont('', false), cont('last')]),
    ]),
    echoCase('5.20', 'A text message in three fragments, the last one empty.', () => [
      send([text('first ', false), cont('middle', false), cont('')]),
    ]),
    echoCase('5.21', 'An empty text message in three empty fragments.', () => [send([text('', false), cont('', false), cont('')])]),
    echoCase('5.22', 'A text message in five fragments with two pings between them and pauses.', () => [
      send([text('one ', false), cont('two ', false)]),
      pause(20),
      send([ping('ping 1'), cont('three ', false)]),
      pause(20),
      send([ping('ping 2'), cont('four ', false)]),
      pause(20),
      send([cont('five')]),
    ]),
    failCase('5.23', 'A non-final ping inside a fragmented text message.', [], [
      text('fragment 1', false),
      { opcode: OP.PING, payload: 'fragmented ping', fin: false },
      cont('fragment 2'),
    ]),
    failCase('5.24', 'A Close frame with FIN=0.', [], [{ opcode: OP.CLOSE, payload: Buffer.from([0x03, 0xe8]), fin: false }]),
    echoCase('5.25', 'A 128-byte binary message in 1-byte fragments.', () => [send(fragmented('binary', binaryOf(128), 1))]),
  ];
}
