import {
  checkChosenProtocol,
  checkCommonRequestHeaders,
  single,
  type Headers,
  type RefusedRequest,
  type ResponseCheck,
} from './handshake.js';

/**
 * The opening handshake of WebSocket over HTTP/2 (RFC 8441 extended CONNECT),
 * beside the HTTP/1.1 one in handshake.ts and sharing its checks of version,
 * subprotocols and extension offers. No key and no accept hash: the stream
 * itself is the proof that the server understood the request.
 */

export interface AcceptedConnect {
  ok: true;
  protocols: string[];
  extensions: string | undefined;
  /** `:path`, the request target (path and query). */
  path: string;
  authority: string;
  scheme: string;
}

/** Is this the head of an extended CONNECT for WebSocket (the requests a server routes to us)? */
export function isWebSocketConnect(headers: Headers): boolean {
  return single(headers, ':method') === 'CONNECT' && single(headers, ':protocol')?.toLowerCase() === 'websocket';
}

/** Server side: is this HTTP/2 request head a valid WebSocket opening handshake (RFC 8441 §4, §5)? */
export function checkConnectRequest(headers: Headers): AcceptedConnect | RefusedRequest {
  const method = single(headers, ':method');
  if (method !== 'CONNECT') {
    return {
      ok: false,
      status: 405,
      message: `WebSocket over HTTP/2 needs an extended CONNECT (RFC 8441), not ${method ?? 'a request without :method'}`,
      headers: { Allow: 'CONNECT' },
    };
  }
  const protocol = single(headers, ':protocol');
  if (protocol === undefined) {
    return { ok: false, status: 400, message: 'Missing :protocol pseudo-header: a WebSocket CONNECT carries ":protocol: websocket" (RFC 8441)' };
  }
  if (protocol.toLowerCase() !== 'websocket') {
    return { ok: false, status: 501, message: `Unsupported :protocol "${protocol}": this endpoint speaks "websocket"` };
  }
  const scheme = single(headers, ':scheme');
  if (scheme === undefined || scheme === '') {
    return { ok: false, status: 400, message: 'Missing :scheme pseudo-header: an extended CONNECT carries :scheme, :path and :authority' };
  }
  const path = single(headers, ':path');
  if (path === undefined || !path.startsWith('/')) {
    return { ok: false, status: 400, message: `Invalid :path pseudo-header ${path === undefined ? '(missing)' : JSON.stringify(path)}: expected an absolute path such as "/chat"` };
  }
  const authority = single(headers, ':authority');
  if (authority === undefined || authority === '') {
    return { ok: false, status: 400, message: 'Missing :authority pseudo-header: an extended CONNECT carries :scheme, :path and :authority' };
  }
  const common = checkCommonRequestHeaders(headers);
  if (!common.ok) return common;
  return { ok: true, protocols: common.protocols, extensions: common.extensions, path, authority, scheme };
}

/**
 * Client side: does the server's answer to our extended CONNECT open the
 * WebSocket (RFC 8441 §5: any 2xx)? Returns the chosen subprotocol and
 * extensions, or an error message.
 */
export function checkConnectResponse(headers: Headers, offeredProtocols: readonly string[]): ResponseCheck | string {
  const status = Number(single(headers, ':status'));
  if (!(status >= 200 && status < 300)) return `Unexpected server response: ${Number.isNaN(status) ? '(no :status)' : status}`;
  return checkChosenProtocol(headers, offeredProtocols);
}

/** The header fields of the request that opens a WebSocket over HTTP/2. */
export function connectRequestHeaders(
  scheme: 'https' | 'http',
  authority: string,
  path: string,
  protocols: readonly string[],
  extensions: string | null,
): Record<string, string> {
  const headers: Record<string, string> = {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': scheme,
    ':authority': authority,
    ':path': path,
    'sec-websocket-version': '13',
  };
  if (protocols.length > 0) headers['sec-websocket-protocol'] = protocols.join(', ');
  if (extensions !== null) headers['sec-websocket-extensions'] = extensions;
  return headers;
}
