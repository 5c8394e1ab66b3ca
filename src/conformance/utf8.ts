// A strict streaming view of UTF-8 (RFC 3629), used to know at which byte a
// fail-fast peer must notice that a text message is invalid.

/**
 * Index of the first byte at which a byte-by-byte validator knows the input is
 * invalid; `bytes.length` if it is only known at the end (a truncated
 * sequence); -1 if the input is valid UTF-8.
 */
export function utf8FailIndex(bytes: Uint8Array): number {
  let need = 0;
  let lo = 0x80;
  let hi = 0xbf;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (need === 0) {
      if (b < 0x80) continue;
      if (b >= 0xc2 && b <= 0xdf) need = 1;
      else if (b === 0xe0) { need = 2; lo = 0xa0; }
      else if (b === 0xed) { need = 2; hi = 0x9f; }
      else if (b >= 0xe1 && b <= 0xef) need = 2;
      else if (b === 0xf0) { need = 3; lo = 0x90; }
      else if (b === 0xf4) { need = 3; hi = 0x8f; }
      else if (b >= 0xf1 && b <= 0xf3) need = 3;
      else return i;
      continue;
    }
    if (b < lo || b > hi) return i;
    lo = 0x80;
    hi = 0xbf;
    need--;
  }
  return need === 0 ? -1 : bytes.length;
}
