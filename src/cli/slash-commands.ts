import { readFileSync } from 'node:fs';
import { parseHex } from './format.js';

/** What one typed line asks for. */
export type LineAction =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; data: Buffer }
  | { kind: 'ping'; data: Buffer }
  | { kind: 'close'; code?: number; reason?: string }
  | { kind: 'quit' }
  | { kind: 'help' }
  | { kind: 'invalid'; message: string };

export const SLASH_HELP = [
  '/ping [data]            send a ping (the pong shows the round trip)',
  '/close [code] [reason]  start the closing handshake (default 1000)',
  '/binary <hex|@file>     send a binary message: hex bytes, or a file',
  '/quit                   close with 1000 and exit (also Ctrl-D)',
  '/help                   this list',
  '//text                  send "/text" as a text message',
].join('\n');

/**
 * Turn a typed line into an action. Lines not starting with "/" are text
 * messages; "//" escapes a leading slash.
 */
export function parseLine(line: string, readFile: (path: string) => Buffer = readFileSync): LineAction {
  if (!line.startsWith('/')) return { kind: 'text', data: line };
  if (line.startsWith('//')) return { kind: 'text', data: line.slice(1) };
  const match = /^\/(\S+)\s*(.*)$/s.exec(line);
  const command = match?.[1] ?? '';
  const rest = match?.[2] ?? '';
  switch (command) {
    case 'ping': {
      const data = Buffer.from(rest);
      if (data.length > 125) return { kind: 'invalid', message: `A ping carries at most 125 bytes; this one has ${data.length}` };
      return { kind: 'ping', data };
    }
    case 'close':
      return parseClose(rest);
    case 'binary':
      return parseBinary(rest, readFile);
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    case 'help':
    case '?':
      return { kind: 'help' };
    default:
      return { kind: 'invalid', message: `Unknown command /${command}: type /help for the list (start with // to send a "/" text)` };
  }
}

function parseClose(rest: string): LineAction {
  if (rest === '') return { kind: 'close' };
  const match = /^(\S+)\s*(.*)$/s.exec(rest)!;
  const code = Number(match[1]);
  if (!Number.isInteger(code)) return { kind: 'invalid', message: `/close wants a numeric code first (such as 1000 or 4000), got "${match[1]}"` };
  return match[2] === '' ? { kind: 'close', code } : { kind: 'close', code, reason: match[2] };
}

function parseBinary(rest: string, readFile: (path: string) => Buffer): LineAction {
  if (rest.startsWith('@')) {
    const path = rest.slice(1).trim();
    if (path === '') return { kind: 'invalid', message: '/binary @file wants a file name after the @' };
    try {
      return { kind: 'binary', data: readFile(path) };
    } catch (error) {
      return { kind: 'invalid', message: `Cannot read ${path}: ${(error as Error).message}` };
    }
  }
  const bytes = parseHex(rest);
  if (bytes === null || rest.trim() === '') {
    return { kind: 'invalid', message: '/binary wants hex bytes (such as "01 ff 7a") or @file' };
  }
  return { kind: 'binary', data: bytes };
}
