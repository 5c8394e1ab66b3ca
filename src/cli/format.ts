import { closeCodeName } from '../index.js';

/** Local wall-clock time with milliseconds: 14:03:07.215. */
export function clockTime(date: Date = new Date()): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** The first `limit` bytes as spaced hex pairs, with an ellipsis when cut. */
export function hexPreview(bytes: Uint8Array, limit = 32): string {
  const shown = Array.from(bytes.subarray(0, limit), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > limit ? `${shown} …` : shown;
}

/** "binary, 5 bytes: 68 65 6c 6c 6f" */
export function describeBinary(bytes: Uint8Array, limit = 32): string {
  const unit = bytes.length === 1 ? 'byte' : 'bytes';
  return bytes.length === 0 ? 'binary, 0 bytes' : `binary, ${bytes.length} ${unit}: ${hexPreview(bytes, limit)}`;
}

/**
 * Text from the network, made safe for a terminal: C0 controls, DEL and C1
 * controls become visible escapes (so a message cannot move the cursor or
 * change colours); tabs stay, newlines stay and continue under `indent`.
 */
export function printableText(text: string, indent = ''): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => {
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return indent === '' ? escaped : escaped.split('\n').join(`\n${indent}`);
}

/** Parse "68 65 6c", "68656c", "0x68,0x65": bytes, or null when not hex. */
export function parseHex(text: string): Buffer | null {
  const compact = text.replace(/0x/gi, '').replace(/[\s,:]/g, '');
  if (compact.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(compact)) return null;
  return Buffer.from(compact, 'hex');
}

/** "1000 Normal Closure" */
export function codeWithName(code: number): string {
  return `${code} ${closeCodeName(code)}`;
}

/** A header block, one "Name: value" a line, in the order the peer sent them. */
export function headerLines(rawHeaders: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  return lines;
}
