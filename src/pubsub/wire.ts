import type { PubSubMessage } from '../api/pubsub-bus.js';

/**
 * One publish between nodes, as bytes:
 *   'S' 1 | flags (1 binary, 2 compress) | origin length | origin (ASCII)
 *   | topic length (u16) | topic (UTF-8) | data
 * The origin lets a node drop its own publish when the bus echoes it back.
 */
const MAGIC = 0x53;
const VERSION = 1;

export interface WireMessage extends PubSubMessage {
  readonly origin: string;
}

export function encodeWire(message: PubSubMessage, origin: string): Buffer {
  const originBytes = Buffer.from(origin, 'latin1');
  const topicLength = Buffer.byteLength(message.topic);
  const out = Buffer.allocUnsafe(4 + originBytes.length + 2 + topicLength + message.data.length);
  out[0] = MAGIC;
  out[1] = VERSION;
  out[2] = (message.binary ? 1 : 0) | (message.compress ? 2 : 0);
  out[3] = originBytes.length;
  let offset = 4 + originBytes.copy(out, 4);
  out.writeUInt16BE(topicLength, offset);
  offset += 2;
  offset += out.write(message.topic, offset, 'utf8');
  message.data.copy(out, offset);
  return out;
}

/** The message, or null when `bytes` is not a publish in this format. */
export function decodeWire(bytes: Buffer): WireMessage | null {
  if (bytes.length < 6 || bytes[0] !== MAGIC || bytes[1] !== VERSION) return null;
  const flags = bytes[2];
  const originEnd = 4 + bytes[3];
  if (originEnd + 2 > bytes.length) return null;
  const topicEnd = originEnd + 2 + bytes.readUInt16BE(originEnd);
  if (topicEnd > bytes.length) return null;
  const topic = bytes.toString('utf8', originEnd + 2, topicEnd);
  if (topic.length === 0) return null;
  return {
    origin: bytes.toString('latin1', 4, originEnd),
    topic,
    binary: (flags & 1) !== 0,
    compress: (flags & 2) !== 0,
    data: bytes.subarray(topicEnd),
  };
}
