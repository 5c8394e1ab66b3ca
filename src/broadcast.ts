import type { WebSocket } from './api/websocket.js';
import { toPayload } from './api/outgoing-data.js';
import { ReadyState } from './core/connection.js';
import { frameHeaderSize, writeFrameHeader } from './core/frame-serializer.js';
import { Opcode } from './core/opcodes.js';

export interface BroadcastOptions {
  /** Send as a binary message (default: true for bytes, false for strings). */
  binary?: boolean;
}

/**
 * Sends one message to many server-side connections. The frame is encoded
 * once (server frames are not masked) and the same bytes are written to every
 * socket, instead of one encode and one buffer per client. Connections that
 * cannot take a ready-made frame right now (closing, in the middle of a
 * fragmented message, behind a compression in progress, or client-side ones,
 * which must mask) get an ordinary send(), so message order is always kept.
 * Returns the number of connections the message was handed to.
 */
export function broadcast(clients: Iterable<WebSocket>, data: unknown, options: BroadcastOptions = {}): number {
  const payload = toPayload(data);
  const binary = options.binary ?? typeof payload !== 'string';
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  let frame: Buffer | null = null;
  let count = 0;
  for (const client of clients) {
    const direct = preparedWriter(client);
    if (direct === null) {
      if (client.readyState === ReadyState.OPEN) {
        client.send(bytes, { binary });
        count++;
      }
      continue;
    }
    if (frame === null) frame = encodeOnce(bytes, binary);
    direct.write(frame);
    count++;
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

interface Writable {
  write(chunk: Buffer): unknown;
  destroyed: boolean;
}

/**
 * The socket of a server-side connection that may take a pre-encoded frame
 * now, or null. Reads internal state through element access: these are
 * library-internal fields, not public API.
 */
function preparedWriter(client: WebSocket): Writable | null {
  const ws = client as unknown as Record<string, unknown>;
  if (ws['deferred'] !== null || ws['_readyState'] !== ReadyState.OPEN) return null;
  const transport = ws['transport'] as { connection: Record<string, unknown>; socket: Writable } | null;
  if (transport == null) return null;
  const c = transport.connection;
  if (
    c['readyState'] !== ReadyState.OPEN ||
    c['role'] !== 'server' ||
    c['sendQueue'] !== null ||
    c['sendingFragmented'] !== false ||
    (transport as unknown as Record<string, unknown>)['ended'] !== false ||
    transport.socket.destroyed
  ) {
    return null;
  }
  return transport.socket;
}
