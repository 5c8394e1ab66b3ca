// Group 2: pings, pongs and their payload limits.
import type { CaseDef } from '../types.js';
import { binary, binaryOf, cont, echoCase, failCase, ping, pong, send, text } from './helpers.js';

const TEN = Array.from({ length: 10 }, (_, i) => `ping payload ${i}`);
const BINARY_PAYLOAD = Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);

export function pingCases(): CaseDef[] {
  return [
    echoCase('2.1', 'A ping without payload.', () => [send([ping()])]),
    echoCase('2.2', 'A ping with a short text payload.', () => [send([ping('Hello, socketeer!')])]),
    echoCase('2.3', 'A ping with a binary (non UTF-8) payload.', () => [send([ping(BINARY_PAYLOAD)])]),
    echoCase('2.4', 'A ping with a 125-byte payload (the largest allowed).', () => [send([ping(binaryOf(125))])]),
    failCase('2.5', 'A ping with a 126-byte payload (control frames are limited to 125).', [], [ping(binaryOf(126))]),
    echoCase('2.6', 'A ping with a 125-byte payload, written one byte per TCP write.', () => [
      send([ping(binaryOf(125))], 1),
    ]),
    echoCase('2.7', 'An unsolicited pong without payload: the peer ignores it.', () => [send([pong()])]),
    echoCase('2.8', 'An unsolicited pong with a payload: the peer ignores it.', () => [
      send([pong('unsolicited pong payload')]),
    ]),
    echoCase('2.9', 'An unsolicited pong, then a ping: only the ping is answered.', () => [
      send([pong('unsolicited'), ping('solicited')]),
    ]),
    echoCase('2.10', 'Ten pings in a row: ten pongs with the same payloads, in order.', () => [send(TEN.map((p) => ping(p)))], {
      pongsMayCoalesce: true,
    }),
    echoCase(
      '2.11',
      'Ten pings in a row, written one byte per TCP write.',
      () => [send(TEN.map((p) => ping(p)), 1)],
      { pongsMayCoalesce: true },
    ),
    echoCase('2.12', 'A ping between the fragments of a text message: the pong comes before the echo.', () => [
      send([text('fragment one, ', false), ping('in the middle'), cont('fragment two')]),
    ]),
    echoCase('2.13', 'A ping between the fragments of a binary message, one byte per write.', () => [
      send([binary(binaryOf(20), false), ping('in the middle'), cont(binaryOf(30))], 1),
    ]),
  ];
}
