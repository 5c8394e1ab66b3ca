import { isUtf8 } from 'node:buffer';

/**
 * Incremental UTF-8 validation across frames and fragments. feed() returns
 * false as soon as the bytes seen so far cannot begin valid UTF-8, so a bad
 * sequence is caught when it arrives, not when the message ends.
 *
 * Whole code points in the middle of a chunk go through the native isUtf8();
 * only a sequence split across chunk boundaries walks the byte-level automaton.
 */
export class Utf8Validator {
  /** Continuation bytes still expected for the current sequence. */
  private need = 0;
  /** Allowed range of the next continuation byte (narrowed after E0, ED, F0, F4). */
  private lower = 0x80;
  private upper = 0xbf;

  reset(): void {
    this.need = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }

  /** True when no code point is left unfinished (the message may end here). */
  get complete(): boolean {
    return this.need === 0;
  }

  feed(bytes: Uint8Array): boolean {
    const n = bytes.length;
    let i = 0;
    while (this.need > 0 && i < n) {
      if (!this.step(bytes[i++])) return false;
    }
    if (i === n) return true;

    if (n - i < 24) {
      for (; i < n; i++) if (!this.step(bytes[i])) return false;
      return true;
    }

    // Hold back an incomplete sequence at the end for the automaton.
    let end = n;
    let j = n - 1;
    while (j > i && n - j <= 3 && (bytes[j] & 0xc0) === 0x80) j--;
    const lead = bytes[j];
    const width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (width > n - j) end = j;

    if (end > i && !isUtf8(i === 0 && end === n ? bytes : bytes.subarray(i, end))) return false;
    for (let k = end; k < n; k++) if (!this.step(bytes[k])) return false;
    return true;
  }

  private step(b: number): boolean {
    if (this.need > 0) {
      if (b < this.lower || b > this.upper) return false;
      this.lower = 0x80;
      this.upper = 0xbf;
      this.need--;
      return true;
    }
    if (b < 0x80) return true;
    if (b < 0xc2) return false;
    if (b < 0xe0) {
      this.need = 1;
    } else if (b < 0xf0) {
      this.need = 2;
      if (b === 0xe0) this.lower = 0xa0;
      else if (b === 0xed) this.upper = 0x9f;
    } else if (b < 0xf5) {
      this.need = 3;
      if (b === 0xf0) this.lower = 0x90;
      else if (b === 0xf4) this.upper = 0x8f;
    } else {
      return false;
    }
    return true;
  }
}

/** Whole-buffer check, for close reasons and other one-shot payloads. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}
