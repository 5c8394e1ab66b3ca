/** How binary messages are handed over: a Buffer (default), an ArrayBuffer, the Buffers as received, or a Blob. */
export type BinaryType = 'nodebuffer' | 'arraybuffer' | 'fragments' | 'blob';

export const BINARY_TYPES: readonly BinaryType[] = ['nodebuffer', 'arraybuffer', 'fragments', 'blob'];

/** Shapes a received binary message the way `binaryType` asks. */
export function shapeBinary(data: Buffer, binaryType: BinaryType): Buffer | ArrayBuffer | Buffer[] | Blob {
  switch (binaryType) {
    case 'nodebuffer':
      return data;
    case 'arraybuffer':
      return toArrayBuffer(data);
    case 'fragments':
      return [data];
    case 'blob':
      return new Blob([data]);
  }
}

export function toArrayBuffer(data: Buffer): ArrayBuffer {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer) {
    return data.buffer;
  }
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}
