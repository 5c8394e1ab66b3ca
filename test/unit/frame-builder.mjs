// Builds raw RFC 6455 frames for unit tests.
export function frame({ fin = true, rsv = 0, opcode, payload = Buffer.alloc(0), mask = null, length }) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const len = length ?? data.length;
  const head = [];
  head.push((fin ? 0x80 : 0) | (rsv << 4) | opcode);
  const maskBit = mask ? 0x80 : 0;
  if (len < 126) head.push(maskBit | len);
  else if (len < 0x10000) head.push(maskBit | 126, len >> 8, len & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(len));
    head.push(...big);
  }
  let body = Buffer.from(data);
  if (mask) {
    head.push(...mask);
    for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  }
  return Buffer.concat([Buffer.from(head), body]);
}

export const MASK = [0x37, 0xfa, 0x21, 0x3d];

/** A client-to-server frame (masked). */
export const cframe = (opts) => frame({ mask: MASK, ...opts });

export function closePayload(code, reason = '') {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

/** Splits bytes into chunks: at every byte, or at the given cut points. */
export function* chunkings(bytes) {
  yield [bytes];
  yield [...bytes].map((b) => Buffer.from([b]));
  for (let cut = 1; cut < bytes.length; cut++) yield [bytes.subarray(0, cut), bytes.subarray(cut)];
}
