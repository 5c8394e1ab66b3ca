import { encodeFrame } from '../core/frame-serializer.js';
import { parseExtensionHeader } from '../core/extension-header.js';
import { Opcode } from '../core/opcodes.js';
import { deflateShared, type SharedDeflateSettings } from '../node/shared-deflate.js';
import type { SharedFrame } from './broadcast.js';
import type { WebSocket } from './websocket.js';

/**
 * The frames of one publish, each encoded at most once for all the local
 * subscribers: the plain frame, and with `compress` one deflated frame per
 * inflate window in use, for the subscribers that can share it (those that
 * negotiated permessage-deflate with server_no_context_takeover). Every other
 * subscriber gets the plain frame, which RFC 7692 allows per message, and
 * so does everyone when the payload is under the server's threshold. The
 * deflated frame uses the server's zlib settings (`deflate`).
 */
export class PublishFrames {
  private plainFrame: SharedFrame | null = null;
  private deflated: Map<number, SharedFrame> | null = null;

  constructor(
    readonly payload: Buffer,
    readonly binary: boolean,
    private readonly compress: boolean,
    private readonly deflate: SharedDeflateSettings | null,
  ) {}

  frameFor(ws: WebSocket): SharedFrame {
    const deflate = this.compress ? this.deflate : null;
    if (deflate !== null && this.payload.length >= deflate.threshold) {
      const windowBits = sharedDeflateWindow(ws);
      if (windowBits !== 0) return this.deflatedFrame(windowBits, deflate);
    }
    return (this.plainFrame ??= encode(this.payload, this.binary, false));
  }

  private deflatedFrame(windowBits: number, deflate: SharedDeflateSettings): SharedFrame {
    this.deflated ??= new Map();
    let frame = this.deflated.get(windowBits);
    if (frame === undefined) {
      frame = encode(deflateShared(this.payload, windowBits, deflate), this.binary, true);
      this.deflated.set(windowBits, frame);
    }
    return frame;
  }
}

function encode(payload: Buffer, binary: boolean, rsv1: boolean): SharedFrame {
  let frame: SharedFrame | null = null;
  encodeFrame({ write: (head, tail) => (frame = { head, tail }) }, binary ? Opcode.Binary : Opcode.Text, true, rsv1, payload, null);
  return frame!;
}

const windows = new WeakMap<WebSocket, number>();

/**
 * The window a shared deflated frame for this socket may use, or 0 when it
 * cannot take one (no permessage-deflate, the server side keeps context, or
 * a window of 8 bits, which zlib cannot produce for raw deflate).
 */
function sharedDeflateWindow(ws: WebSocket): number {
  let bits = windows.get(ws);
  if (bits === undefined) {
    bits = 0;
    if (ws.extensions !== '') {
      const deflate = parseExtensionHeader(ws.extensions).find((e) => e.name === 'permessage-deflate');
      if (deflate !== undefined && deflate.params.some((p) => p.name === 'server_no_context_takeover')) {
        const max = deflate.params.find((p) => p.name === 'server_max_window_bits');
        bits = max === undefined || max.value === true ? 15 : Number(max.value);
        if (!(bits >= 9 && bits <= 15)) bits = 0;
      }
    }
    windows.set(ws, bits);
  }
  return bits;
}
