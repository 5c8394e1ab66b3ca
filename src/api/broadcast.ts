import { ReadyState } from '../core/connection.js';
import { frameHeaderSize, writeFrameHeader } from '../core/frame-serializer.js';
import { Opcode } from '../core/opcodes.js';
import { toPayload } from './outgoing-data.js';
import { kSendShared, type WebSocket } from './websocket.js';

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
  let frame: Buffer | null = null;
  let count = 0;
  for (const client of clients) {
    if (client.readyState !== ReadyState.OPEN) continue;
    frame ??= encodeOnce(bytes, binary);
    if (client[kSendShared](frame, bytes, binary)) count++;
  }
  return count;
}

function encodeOnce(payload: Buffer, binary: boolean): Buffer {
  const headerSize = frameHeaderSize(payload.length, false);
  const frame = Buffer.allocUnsafe(headerSize + payload.length);
  writeFrameHeader(frame, true, false, binary ? Opcode.Binary : Opcode.Text, payload.length, null);
  payload.copy(frame, headerSize);
  return frame;
}
