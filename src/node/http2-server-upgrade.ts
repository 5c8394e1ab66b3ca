import http2 from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorCode, WebSocketError } from '../core/errors.js';
import { isWebSocketConnect } from '../core/handshake-h2.js';
import { WaitingAnswer, type HandshakeAnswer } from './handshake-answer.js';
import { bindHttp2Stream } from './http2-stream-binding.js';

/**
 * The server half of WebSocket over HTTP/2 (RFC 8441): routing extended
 * CONNECT streams of an `http2` server to the WebSocket server, the 200 that
 * opens the WebSocket on the stream, and refusals as HTTP/2 responses.
 */

type AnyHttp2Server = http2.Http2Server | http2.Http2SecureServer;

/** Is this an `http2.createServer()`/`createSecureServer()` server (not an HTTP/1.1 one)? */
export function isHttp2Server(server: unknown): server is AnyHttp2Server {
  return typeof (server as { updateSettings?: unknown })?.updateSettings === 'function';
}

/**
 * Announce SETTINGS_ENABLE_CONNECT_PROTOCOL on every session the server
 * opens from now on: without it clients may not send an extended CONNECT.
 */
export function enableExtendedConnect(server: AnyHttp2Server): void {
  try {
    server.updateSettings({ enableConnectProtocol: true });
  } catch (error) {
    throw new WebSocketError(
      ErrorCode.InvalidOption,
      `Could not enable extended CONNECT on this HTTP/2 server (${(error as Error).message}): ` +
        'create it with settings: { enableConnectProtocol: true }',
      0,
    );
  }
}

/**
 * Send extended CONNECTs for WebSocket on `server` to `onStream`. Node's
 * compatibility layer (active once the server has a 'request' listener)
 * answers every CONNECT with 405 unless a 'connect' listener exists, so one
 * is added that leaves WebSocket CONNECTs to us and answers the other
 * CONNECTs as Node would have, unless the user listens for them. Returns a
 * function that removes both listeners.
 */
export function routeWebSocketStreams(
  server: AnyHttp2Server,
  onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, rawHeaders: string[]) => void,
): () => void {
  const onServerStream = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    if (isWebSocketConnect(headers)) {
      onStream(stream, headers, rawHeaders);
      return;
    }
    // Nobody else listens (no 'request' handler, no user 'stream' handler):
    // answer instead of leaving the stream open forever.
    if (server.listenerCount('stream') === 1) answerUnrouted(stream, headers);
  };
  const onConnect = (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => {
    if (isWebSocketConnect(request.headers)) return;
    if (server.listenerCount('connect') > 1) return; // the user's own 'connect' handler answers
    const unknownProtocol = request.headers[':protocol'] !== undefined;
    response.writeHead(unknownProtocol ? 501 : 405, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(unknownProtocol ? `Unsupported :protocol "${String(request.headers[':protocol'])}"\n` : 'CONNECT is not allowed here\n');
  };
  server.on('stream', onServerStream);
  server.on('connect', onConnect);
  return () => {
    server.removeListener('stream', onServerStream);
    server.removeListener('connect', onConnect);
  };
}

function answerUnrouted(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  if (headers[':method'] === 'CONNECT') {
    const protocol = headers[':protocol'];
    if (protocol !== undefined) refuseStream(stream, 501, `Unsupported :protocol "${String(protocol)}": this server speaks "websocket"`);
    else refuseStream(stream, 405, 'CONNECT is not allowed here', { allow: 'GET' });
  } else {
    refuseStream(stream, 426, 'Upgrade Required: this endpoint speaks WebSocket (an extended CONNECT with :protocol websocket)');
  }
}

/**
 * Refuse on a stream: a complete HTTP/2 response (status, plain-text body,
 * END_STREAM), then RST_STREAM(NO_ERROR) so the client's half closes too
 * (RFC 9113 §8.1: a response may end a request the client has not finished).
 */
export function refuseStream(stream: http2.ServerHttp2Stream, status: number, message: string, headers: Record<string, string> = {}): void {
  if (stream.destroyed || stream.closed) return;
  if (stream.headersSent) {
    stream.close(http2.constants.NGHTTP2_CANCEL);
    return;
  }
  const body = message + '\n';
  const fields: http2.OutgoingHttpHeaders = {
    ':status': status,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  };
  for (const [name, value] of Object.entries(headers)) fields[name.toLowerCase()] = value;
  try {
    stream.respond(fields);
    stream.end(body);
    stream.close(http2.constants.NGHTTP2_NO_ERROR);
  } catch {
    stream.destroy();
  }
}

/** The HTTP/2 answer: 200 on the stream, which then carries the WebSocket. */
export class Http2Answer extends WaitingAnswer implements HandshakeAnswer {
  readonly httpVersion = '2.0';

  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    timeout: number,
  ) {
    super(timeout);
    stream.on('error', onHandshakeStreamError);
  }

  protected expire(message: string): void {
    this.refuse(408, message);
  }

  onGone(listener: () => void): void {
    if (this.stream.destroyed || this.stream.closed) process.nextTick(listener);
    else this.stream.once('close', listener);
  }

  isOpen(): boolean {
    const stream = this.stream;
    return !stream.destroyed && !stream.closed && !stream.headersSent && stream.writable;
  }

  refuse(status: number, message: string, headers?: Record<string, string>): void {
    this.settle();
    refuseStream(this.stream, status, message, headers);
  }

  headerLines(extra: string[]): string[] {
    return extra;
  }

  accept(headerLines: string[]): { socket: Duplex; head: Buffer | null } {
    this.settle();
    const fields: http2.OutgoingHttpHeaders = { ':status': 200 };
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      // Connection-specific fields are forbidden in HTTP/2 (RFC 9113 §8.2.2).
      if (name === 'connection' || name === 'upgrade' || name === 'keep-alive' || name === 'transfer-encoding') continue;
      const prior = fields[name];
      fields[name] = prior === undefined ? value : ([] as string[]).concat(prior as string | string[], value);
    }
    this.stream.respond(fields);
    this.stream.removeListener('error', onHandshakeStreamError);
    return { socket: bindHttp2Stream(this.stream, 'server'), head: null };
  }

  destroy(): void {
    this.settle();
    this.stream.destroy();
  }
}

function onHandshakeStreamError(this: Duplex): void {
  this.destroy();
}

/**
 * What `'connection'`, `verifyClient` and `handleProtocols` get for an
 * HTTP/2 WebSocket in place of an `http.IncomingMessage`: the same fields
 * they read (method, url, headers, httpVersion, socket), plus the stream.
 */
export interface Http2UpgradeRequest {
  /** Always 'CONNECT' (extended CONNECT, RFC 8441). */
  readonly method: 'CONNECT';
  /** `:path`: the request target, as `request.url` on HTTP/1.1. */
  readonly url: string;
  /** Every field, pseudo-header fields (`:authority`, `:protocol`...) included. */
  readonly headers: IncomingHttpHeaders;
  /** The fields as received, name and value alternating (as `IncomingMessage.rawHeaders`). */
  readonly rawHeaders: string[];
  /** Always '2.0' (check it to tell HTTP/2 WebSockets from upgrades). */
  readonly httpVersion: '2.0';
  /** Always 2. */
  readonly httpVersionMajor: 2;
  /** Always 0. */
  readonly httpVersionMinor: 0;
  /** The HTTP/2 session's socket (remoteAddress, encrypted...); reading or writing it is not allowed. */
  readonly socket: Socket;
  /** The HTTP/2 stream that carries the WebSocket. */
  readonly stream: http2.ServerHttp2Stream;
  /** `:authority` (host and port, as the `Host` header on HTTP/1.1). */
  readonly authority: string;
  /** `:scheme`: 'https' or 'http'. */
  readonly scheme: string;
}

export function http2UpgradeRequest(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  rawHeaders: string[] | undefined,
): Http2UpgradeRequest {
  const raw = rawHeaders ?? Object.entries(headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [String(value)]).flatMap((v) => [name, v]),
  );
  return {
    method: 'CONNECT',
    url: String(headers[':path'] ?? ''),
    headers: headers as IncomingHttpHeaders,
    rawHeaders: raw,
    httpVersion: '2.0',
    httpVersionMajor: 2,
    httpVersionMinor: 0,
    socket: stream.session?.socket as Socket,
    stream,
    authority: String(headers[':authority'] ?? ''),
    scheme: String(headers[':scheme'] ?? ''),
  };
}
