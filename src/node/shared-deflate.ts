import zlib from 'node:zlib';
import { deflaterOptions, type DeflaterSettings } from './deflate-codec.js';

const TAIL_LENGTH = 4; // 00 00 ff ff, which RFC 7692 §7.2.1 removes

/** A server's permessage-deflate settings that apply to a message deflated once for many sockets. */
export type SharedDeflateSettings = DeflaterSettings & {
  /** Messages shorter than this go out uncompressed. */
  threshold: number;
};

/**
 * Deflates one whole message for many recipients at once (RFC 7692): a fresh
 * raw deflate stream, flushed with Z_SYNC_FLUSH and its empty-block tail
 * removed. It refers to no earlier message, so any peer whose inflate window
 * is at least `windowBits` can read it, and since it is sent only to peers
 * whose server compressor keeps no context, it shifts no shared history.
 */
export function deflateShared(data: Buffer, windowBits: number, settings: SharedDeflateSettings): Buffer {
  const out = zlib.deflateRawSync(data, { ...deflaterOptions(settings, windowBits), finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - TAIL_LENGTH);
}
