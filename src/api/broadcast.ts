import { ReadyState } from '../core/connection.js';
import { encodeFrame } from '../core/frame-serializer.js';
import { Opcode } from '../core/opcodes.js';
import { toPayload } from './outgoing-data.js';
import { kSendShared, type WebSocket } from './websocket.js';

/** Options of `broadcast()` and `wss.broadcast()`. */
export interface BroadcastOptions {
  /** Send as a binary message (default: true for bytes, false for strings). */
  binary?: boolean;
}

/**
 * Sends one message to many connections. The frame is encoded once (server
 * frames are not masked) and the same bytes go to every socket, through each
 * connection's own write path (corking, buffer cap, bufferedAmount), queued
 * behind whatever that connection sent before. Client-side connections mask,
 * so they encode their own copy. Returns how many connections the message
 * was handed to.
 */
export function broadcast(clients: Iterable<WebSocket>, data: unknown, options: BroadcastOptions = {}): number {
  const payload = toPayload(data);
  const binary = options.binary ?? typeof payload !== 'string';
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  let frame: SharedFrame | null = null;
  let count = 0;
  for (const client of clients) {
    if (client.readyState !== ReadyState.OPEN) continue;
    frame ??= encodeOnce(bytes, binary);
    if (client[kSendShared](frame, bytes, binary)) count++;
  }
  return count;
}

/** An unmasked frame as the serializer lays it out: one buffer, or a header before the payload. */
export interface SharedFrame {
  head: Buffer;
  tail: Buffer | null;
}

function encodeOnce(payload: Buffer, binary: boolean): SharedFrame {
  let frame: SharedFrame | null = null;
  encodeFrame({ write: (head, tail) => (frame = { head, tail }) }, binary ? Opcode.Binary : Opcode.Text, true, false, payload, null);
  return frame!;
}
