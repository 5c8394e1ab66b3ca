import { WebSocketError } from '../core/errors.js';

/** What send(), ping() and pong() accept, besides Blob (handled asynchronously). */
export type SendableData = string | Buffer | ArrayBuffer | SharedArrayBuffer | ArrayBufferView | number;

/**
 * Normalises user data to a string (text frames encode strings directly) or
 * a Buffer that views the caller's memory without copying. Only the bytes the
 * view covers are ever sent.
 */
export function toPayload(data: unknown): string | Buffer {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || isSharedArrayBuffer(data)) return Buffer.from(data as ArrayBuffer);
  if (typeof data === 'number') return String(data);
  throw new WebSocketError(
    'WS_ERR_INVALID_DATA_TYPE',
    `Cannot send a value of type ${describe(data)}: pass a string, Buffer, TypedArray, DataView, ArrayBuffer, Blob or number`,
  );
}

export function toBuffer(data: unknown): Buffer {
  const payload = toPayload(data);
  return typeof payload === 'string' ? Buffer.from(payload) : payload;
}

export function isBlob(data: unknown): data is Blob {
  return typeof Blob !== 'undefined' && data instanceof Blob;
}

function isSharedArrayBuffer(data: unknown): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer;
}

function describe(data: unknown): string {
  if (data === null) return 'null';
  if (typeof data === 'object') return (data as object).constructor?.name ?? 'object';
  return typeof data;
}
