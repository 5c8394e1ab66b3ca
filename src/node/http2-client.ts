import http2 from 'node:http2';
import type http from 'node:http';
import type tls from 'node:tls';
import { ErrorCode, WebSocketError } from '../core/errors.js';
import { checkConnectResponse, connectRequestHeaders } from '../core/handshake-h2.js';
import type { ClientHandshakeHooks, ClientHandshakeOptions } from './client-handshake.js';
import { offerClientExtensions } from './extensions.js';
import { acquireHttp2Session } from './http2-session-pool.js';
import { bindHttp2Stream } from './http2-stream-binding.js';

/** How long a client's HTTP/2 session stays open after its last WebSocket closed (ms). */
export const DEFAULT_HTTP2_IDLE_TIMEOUT = 1000;

/** Header fields that are connection-specific, hence forbidden, in HTTP/2 (RFC 9113 §8.2.2). */
const HOP_BY_HOP = new Set(['connection', 'upgrade', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'host', 'te']);

/** The answer the 'upgrade' event gets for an HTTP/2 WebSocket, in place of an IncomingMessage. */
export interface Http2UpgradeResponse {
  /** `:status` (200 when the WebSocket opened). */
  statusCode: number;
  /** The response's fields, pseudo-header fields included. */
  headers: http2.IncomingHttpHeaders;
  /** Always '2.0'. */
  httpVersion: '2.0';
}

/**
 * The client's opening handshake over HTTP/2 (RFC 8441): an extended
 * CONNECT on the origin's shared session; the stream it opens carries the
 * WebSocket. `fallback` runs the HTTP/1.1 handshake instead when `http2` is
 * 'auto' and the server does not do WebSocket over HTTP/2. Returns a
 * function that aborts.
 */
export function startHttp2Handshake(
  url: URL,
  protocols: readonly string[],
  options: ClientHandshakeOptions,
  hooks: ClientHandshakeHooks,
  fallback: () => () => void,
): () => void {
  const mode = options.http2;
  let finished = false;
  let timer: NodeJS.Timeout | null = null;
  let stream: http2.ClientHttp2Stream | null = null;
  let abortFallback: (() => void) | null = null;
  let release: (() => void) | null = null;

  const finish = (): boolean => {
    if (finished) return false;
    finished = true;
    if (timer !== null) clearTimeout(timer);
    return true;
  };
  const fail = (error: Error): void => {
    if (!finish()) return;
    if (stream !== null && !stream.destroyed) {
      // An unread body (a refusal's text) would hold the stream open.
      stream.resume();
      stream.close(http2.constants.NGHTTP2_CANCEL);
    }
    if (stream === null) release?.();
    hooks.onError(error);
  };

  if (options.proxy !== undefined && options.proxy !== null) {
    if (mode === 'auto') return fallback();
    process.nextTick(fail, new WebSocketError(
      ErrorCode.InvalidOption,
      'http2: true cannot tunnel through a proxy yet: use http2: \'auto\' (it uses HTTP/1.1 through proxies) or drop the proxy option',
      1006,
    ));
    return () => fail(aborted());
  }
  if (options.handshakeTimeout !== undefined && options.handshakeTimeout > 0) {
    timer = setTimeout(() => {
      fail(new WebSocketError(ErrorCode.HandshakeTimeout, `Opening handshake timed out after ${options.handshakeTimeout} ms`, 1006));
    }, options.handshakeTimeout);
  }

  const secure = url.protocol === 'wss:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port !== '' ? Number(url.port) : secure ? 443 : 80;
  acquireHttp2Session({
    secure,
    host,
    port,
    tls: tlsOptionsOf(options),
    idleTimeout: options.http2IdleTimeout ?? DEFAULT_HTTP2_IDLE_TIMEOUT,
  }).then(
    (lease) => {
      if ('unavailable' in lease) {
        if (finished) return;
        if (mode === 'auto') {
          if (timer !== null) clearTimeout(timer);
          finished = true;
          abortFallback = fallback();
          return;
        }
        fail(new WebSocketError(ErrorCode.Http2Unavailable, `${lease.unavailable}: use http2: 'auto' to fall back to HTTP/1.1`, 1006));
        return;
      }
      release = lease.release;
      if (finished) {
        lease.release();
        return;
      }
      open(lease.session);
    },
    (error: Error) => fail(error),
  );

  const open = (session: http2.ClientHttp2Session): void => {
    const offer = offerClientExtensions(options.perMessageDeflate, options.maxPayload);
    const headers: http2.OutgoingHttpHeaders = connectRequestHeaders(
      secure ? 'https' : 'http',
      url.host,
      url.pathname + url.search,
      protocols,
      offer.header,
    );
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower) || lower.startsWith(':') || lower.startsWith('sec-websocket-')) continue;
      headers[lower] = value;
    }
    if (options.origin !== undefined) headers.origin = options.origin;
    if ((url.username !== '' || url.password !== '') && headers.authorization === undefined) {
      headers.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    }
    let req: http2.ClientHttp2Stream;
    try {
      req = session.request(headers, { endStream: false });
    } catch (error) {
      fail(error as Error);
      return;
    }
    stream = req;
    // The lease ends with the stream, whoever closes it.
    req.once('close', () => release?.());
    const onError = (error: Error) => fail(error);
    const onEarlyClose = () => {
      fail(new WebSocketError(ErrorCode.UnexpectedResponse, `The server closed the stream before answering (RST_STREAM code ${req.rstCode ?? 'unknown'})`, 1006));
    };
    req.on('error', onError);
    req.once('close', onEarlyClose);
    req.once('response', (responseHeaders) => {
      req.removeListener('close', onEarlyClose);
      if (finished) return;
      const checked = checkConnectResponse(responseHeaders, protocols);
      if (typeof checked === 'string') {
        fail(responseError(checked, responseHeaders));
        return;
      }
      const extensions = offer.accept(checked.extensions);
      if ('error' in extensions) {
        fail(new WebSocketError(ErrorCode.ExtensionNegotiation, extensions.error, 1010));
        return;
      }
      finish();
      req.removeListener('error', onError);
      const response: Http2UpgradeResponse = { statusCode: Number(responseHeaders[':status']), headers: responseHeaders, httpVersion: '2.0' };
      hooks.onUpgrade({
        socket: bindHttp2Stream(req, 'client'),
        head: EMPTY,
        protocol: checked.protocol,
        extensions,
        response: response as unknown as http.IncomingMessage,
      });
    });
  };

  return () => {
    if (abortFallback !== null) abortFallback();
    else fail(aborted());
  };
}

const EMPTY = Buffer.alloc(0);

function aborted(): WebSocketError {
  return new WebSocketError(ErrorCode.HandshakeTimeout, 'The opening handshake was aborted', 1006);
}

function responseError(message: string, headers: http2.IncomingHttpHeaders): WebSocketError {
  const status = Number(headers[':status']);
  const redirect = status >= 300 && status < 400 && headers.location !== undefined ? ` (to ${String(headers.location)}; redirects are not followed over HTTP/2)` : '';
  return Object.assign(new WebSocketError(ErrorCode.UnexpectedResponse, message + redirect, 1006), { statusCode: status, headers });
}

/** The TLS options that shape the connection; sessions are shared only between equal ones. */
const TLS_OPTION_NAMES = [
  'ca', 'cert', 'key', 'pfx', 'passphrase', 'crl', 'rejectUnauthorized', 'servername', 'checkServerIdentity',
  'ciphers', 'ecdhCurve', 'sigalgs', 'minVersion', 'maxVersion', 'secureProtocol', 'secureContext', 'secureOptions',
  'localAddress', 'family', 'lookup',
] as const;

function tlsOptionsOf(options: ClientHandshakeOptions): tls.ConnectionOptions {
  const picked: Record<string, unknown> = {};
  for (const name of TLS_OPTION_NAMES) {
    const value = (options as unknown as Record<string, unknown>)[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked as tls.ConnectionOptions;
}
