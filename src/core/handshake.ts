import { createHash, randomBytes } from 'node:crypto';

/** RFC 6455 §1.3: appended to the key before hashing. */
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function generateKey(): string {
  return randomBytes(16).toString('base64');
}

export function acceptKeyFor(key: string): string {
  return createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
}

/** A Sec-WebSocket-Key is the base64 form of 16 bytes: 22 characters and "==". */
export function isValidKey(key: string): boolean {
  if (key.length !== 24 || key[22] !== '=' || key[23] !== '=') return false;
  for (let i = 0; i < 22; i++) if (!isBase64Char(key.charCodeAt(i))) return false;
  // The last data character carries 2 bits: it must be one of A, Q, g, w.
  return 'AQgw'.includes(key[21]);
}

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/** RFC 7230 tchar. */
export function isTokenChar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = 1;
for (let c = 97; c <= 122; c++) TCHAR[c] = 1;

export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!isTokenChar(value.charCodeAt(i))) return false;
  return true;
}

/**
 * Parses a comma-separated list of tokens (`1#token`, RFC 7230 §7) in one
 * pass. Empty elements are skipped as the RFC asks; anything that is not a
 * token, or a token given twice, makes the list invalid (null).
 */
export function parseTokenList(value: string): string[] | null {
  const tokens: string[] = [];
  const seen = new Set<string>();
  let i = 0;
  const n = value.length;
  while (i < n) {
    while (i < n && (value[i] === ' ' || value[i] === '\t' || value[i] === ',')) i++;
    if (i === n) break;
    const start = i;
    while (i < n && isTokenChar(value.charCodeAt(i))) i++;
    if (i === start) return null;
    const token = value.slice(start, i);
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
    if (i < n && value[i] !== ',') return null;
    if (seen.has(token)) return null;
    seen.add(token);
    tokens.push(token);
  }
  return tokens;
}

/** Does a comma-separated header value contain `token` (case-insensitively)? */
export function headerHasToken(value: string | string[] | undefined, token: string): boolean {
  if (value === undefined) return false;
  const text = Array.isArray(value) ? value.join(',') : value;
  const wanted = token.toLowerCase();
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === ',') {
      if (text.slice(start, i).trim().toLowerCase() === wanted) return true;
      start = i + 1;
    }
  }
  return false;
}

export type Headers = Record<string, string | string[] | undefined>;

export interface AcceptedRequest {
  ok: true;
  key: string;
  protocols: string[];
  extensions: string | undefined;
}

export interface RefusedRequest {
  ok: false;
  status: number;
  message: string;
  headers?: Record<string, string>;
}

export function single(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Server side: is this HTTP request a valid WebSocket opening handshake (RFC 6455 §4.2.1)? */
export function checkUpgradeRequest(method: string | undefined, headers: Headers): AcceptedRequest | RefusedRequest {
  if (method !== 'GET') {
    return { ok: false, status: 405, message: 'The WebSocket handshake must use the GET method', headers: { Allow: 'GET' } };
  }
  if (!headerHasToken(headers.upgrade, 'websocket')) {
    return { ok: false, status: 400, message: 'Missing or invalid Upgrade header: expected "websocket"' };
  }
  if (!headerHasToken(headers.connection, 'upgrade')) {
    return { ok: false, status: 400, message: 'Missing or invalid Connection header: expected it to include "Upgrade"' };
  }
  const key = single(headers, 'sec-websocket-key');
  if (key === undefined || !isValidKey(key.trim())) {
    return { ok: false, status: 400, message: 'Missing or invalid Sec-WebSocket-Key header: expected the base64 form of 16 bytes' };
  }
  const common = checkCommonRequestHeaders(headers);
  if (!common.ok) return common;
  return { ok: true, key: key.trim(), protocols: common.protocols, extensions: common.extensions };
}

export interface CommonRequestHeaders {
  ok: true;
  protocols: string[];
  extensions: string | undefined;
}

/**
 * The request checks every HTTP version shares (RFC 6455 §4.2.1 items 6, 8
 * and 9, kept by RFC 8441 §5): version 13, a well-formed subprotocol list,
 * the extension offers passed on for negotiation.
 */
export function checkCommonRequestHeaders(headers: Headers): CommonRequestHeaders | RefusedRequest {
  const version = single(headers, 'sec-websocket-version');
  if (version === undefined) {
    return { ok: false, status: 400, message: 'Missing Sec-WebSocket-Version header', headers: { 'Sec-WebSocket-Version': '13' } };
  }
  if (version.trim() !== '13') {
    return { ok: false, status: 426, message: 'Unsupported WebSocket version: this server speaks version 13', headers: { 'Sec-WebSocket-Version': '13' } };
  }
  let protocols: string[] = [];
  const protocolHeader = single(headers, 'sec-websocket-protocol');
  if (protocolHeader !== undefined) {
    const parsed = parseTokenList(protocolHeader);
    if (parsed === null) {
      return { ok: false, status: 400, message: 'Invalid Sec-WebSocket-Protocol header: expected a comma-separated list of distinct tokens' };
    }
    protocols = parsed;
  }
  return { ok: true, protocols, extensions: single(headers, 'sec-websocket-extensions') };
}

export interface ResponseCheck {
  protocol: string;
  extensions: string | undefined;
}

/**
 * Client side: does the server's 101 response complete our handshake
 * (RFC 6455 §4.1)? Returns the chosen subprotocol, or an error message.
 */
export function checkUpgradeResponse(headers: Headers, key: string, offeredProtocols: readonly string[]): ResponseCheck | string {
  if (!headerHasToken(headers.upgrade, 'websocket')) return 'Invalid Upgrade header in the server response';
  if (!headerHasToken(headers.connection, 'upgrade')) return 'Invalid Connection header in the server response';
  const accept = single(headers, 'sec-websocket-accept');
  if (accept === undefined) return 'Missing Sec-WebSocket-Accept header in the server response';
  if (accept.trim() !== acceptKeyFor(key)) return 'Invalid Sec-WebSocket-Accept header: it does not match the key we sent';
  return checkChosenProtocol(headers, offeredProtocols);
}

/**
 * Client side, every HTTP version: the subprotocol the server chose must be
 * one we offered; the extensions header is passed on for negotiation.
 */
export function checkChosenProtocol(headers: Headers, offeredProtocols: readonly string[]): ResponseCheck | string {
  const protocol = single(headers, 'sec-websocket-protocol');
  if (protocol !== undefined) {
    const chosen = protocol.trim();
    if (!offeredProtocols.includes(chosen)) {
      return offeredProtocols.length === 0
        ? 'The server chose a subprotocol although the client offered none'
        : `The server chose subprotocol "${chosen}", which the client did not offer`;
    }
    return { protocol: chosen, extensions: single(headers, 'sec-websocket-extensions') };
  }
  return { protocol: '', extensions: single(headers, 'sec-websocket-extensions') };
}
