import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { ErrorCode, WebSocketError } from '../core/errors.js';
import { checkUpgradeResponse, generateKey } from '../core/handshake.js';
import { offerClientExtensions, type NegotiatedExtensions } from './extensions.js';
import { startHttp2Handshake } from './http2-client.js';

/** The handshake options of a client (`WebSocketOptions` extends them), TLS options included. */
export interface ClientHandshakeOptions extends tls.ConnectionOptions {
  /** Extra request headers sent with the upgrade request (e.g. `Authorization`, `Cookie`). */
  headers?: Record<string, string>;
  /** Sent as the `Origin` header (`Sec-WebSocket-Origin` with `protocolVersion: 8`); none by default. */
  origin?: string;
  /** Fail the opening handshake after this many ms with `WS_ERR_HANDSHAKE_TIMEOUT` (default: no limit, as in ws). */
  handshakeTimeout?: number;
  /** Follow 3xx redirects of the upgrade request (default false; `'redirect'` fires for each). */
  followRedirects?: boolean;
  /** Redirects followed before failing with `WS_ERR_TOO_MANY_REDIRECTS` (default 10). */
  maxRedirects?: number;
  /** The HTTP(S) agent of the upgrade request (e.g. a proxy agent); none by default. */
  agent?: http.Agent;
  /** An HTTP or HTTPS proxy (http://host:port, https://host:port) to tunnel through with CONNECT. */
  proxy?: string | URL;
  /** Offer permessage-deflate (see `WebSocketOptions.perMessageDeflate`). */
  perMessageDeflate?: unknown;
  /** Largest message accepted, in bytes (see `WebSocketOptions.maxPayload`). */
  maxPayload: number;
  /**
   * WebSocket over HTTP/2 (RFC 8441): false (default) speaks HTTP/1.1; true
   * requires HTTP/2 with extended CONNECT; 'auto' uses it when the server
   * offers it and falls back to HTTP/1.1. See docs/http2.md.
   */
  http2?: boolean | 'auto';
  /** How long the shared HTTP/2 session stays open after its last WebSocket closed (ms, default 1000). */
  http2IdleTimeout?: number;
  /** `Sec-WebSocket-Version` to send: 13 (default) or 8 (then the origin goes in `Sec-WebSocket-Origin`). */
  protocolVersion?: number;
  /** Called instead of `request.end()` (ws's `finishRequest`, bound to the WebSocket). */
  finishRequest?: (request: http.ClientRequest) => void;
  /** Opens the connection instead of `net.connect`/`tls.connect` (as `http.request` takes it). */
  createConnection?: http.RequestOptions['createConnection'];
}

/** The handshake's own options; every other one (TLS, `createConnection`...) goes on to the request. */
const HANDSHAKE_OPTIONS = {
  headers: true,
  origin: true,
  handshakeTimeout: true,
  followRedirects: true,
  maxRedirects: true,
  agent: true,
  proxy: true,
  perMessageDeflate: true,
  maxPayload: true,
  http2: true,
  http2IdleTimeout: true,
  protocolVersion: true,
  finishRequest: true,
} satisfies Record<Exclude<keyof ClientHandshakeOptions, keyof tls.ConnectionOptions | 'createConnection'>, true>;

/**
 * The options that go on to the request, copied key by key: a rest
 * destructuring that names the thirteen left out took about 3.7 µs a call,
 * this copy 0.7 (micro-benchmark, options shaped as a WebSocket passes them),
 * of the 200-odd µs of CPU a client spends per handshake.
 */
function connectionOptionsOf(options: ClientHandshakeOptions): tls.ConnectionOptions & Pick<ClientHandshakeOptions, 'createConnection'> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(HANDSHAKE_OPTIONS, key)) out[key] = (options as unknown as Record<string, unknown>)[key];
  }
  return out;
}

export interface HandshakeSuccess {
  socket: Duplex;
  head: Buffer;
  protocol: string;
  extensions: NegotiatedExtensions;
  response: http.IncomingMessage;
}

export interface ClientHandshakeHooks {
  onUpgrade(result: HandshakeSuccess): void;
  /** A non-101 answer. Return true when the user takes the response over. */
  onUnexpectedResponse(request: http.ClientRequest, response: http.IncomingMessage): boolean;
  onRedirect(url: string, request: http.ClientRequest): void;
  onError(error: Error): void;
}

export class HandshakeError extends WebSocketError {
  statusCode?: number;
  headers?: http.IncomingHttpHeaders;
}

/**
 * Runs the client's opening handshake (RFC 6455 §4.1) over node:http(s),
 * following redirects and tunnelling through a proxy when asked. Returns a
 * function that aborts it.
 */
export function startClientHandshake(
  firstUrl: URL,
  protocols: readonly string[],
  options: ClientHandshakeOptions,
  hooks: ClientHandshakeHooks,
): () => void {
  // wss: only for 'auto': h2c is prior knowledge, which an HTTP/1.1-only server cannot answer.
  if (options.http2 === true || (options.http2 === 'auto' && firstUrl.protocol === 'wss:')) {
    return startHttp2Handshake(firstUrl, protocols, options, hooks, () => startClientHandshake(firstUrl, protocols, { ...options, http2: false }, hooks));
  }
  const proxyUrl = options.proxy === undefined || options.proxy === null ? null : parseProxyUrl(options.proxy);
  const { proxy, agent, finishRequest } = options;
  const tlsOptions = connectionOptionsOf(options);
  let request: http.ClientRequest | null = null;
  let timer: NodeJS.Timeout | null = null;
  let finished = false;
  let redirects = 0;

  const finish = (): boolean => {
    if (finished) return false;
    finished = true;
    if (timer !== null) clearTimeout(timer);
    return true;
  };
  const fail = (error: Error): void => {
    if (!finish()) return;
    request?.destroy();
    hooks.onError(error);
  };

  if (options.handshakeTimeout !== undefined && options.handshakeTimeout > 0) {
    timer = setTimeout(() => {
      fail(new WebSocketError(ErrorCode.HandshakeTimeout, `Opening handshake timed out after ${options.handshakeTimeout} ms`, 1006));
    }, options.handshakeTimeout);
  }

  const attempt = (url: URL, sameOrigin: boolean): void => {
    const secure = url.protocol === 'wss:';
    // ws+unix:/path/to/socket:/request/path, as the ws package spells a server on a Unix socket.
    const unix = url.protocol === 'ws+unix:' ? splitUnixUrl(url) : null;
    const key = generateKey();
    const offer = offerClientExtensions(options.perMessageDeflate, options.maxPayload);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (!sameOrigin && /^(authorization|cookie)$/i.test(name)) continue;
      headers[name] = value;
    }
    const version = options.protocolVersion ?? 13;
    Object.assign(headers, {
      'Sec-WebSocket-Version': String(version),
      'Sec-WebSocket-Key': key,
      Connection: 'Upgrade',
      Upgrade: 'websocket',
    });
    if (protocols.length > 0) headers['Sec-WebSocket-Protocol'] = protocols.join(', ');
    if (offer.header !== null) headers['Sec-WebSocket-Extensions'] = offer.header;
    if (options.origin !== undefined) headers[version < 13 ? 'Sec-WebSocket-Origin' : 'Origin'] = options.origin;

    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port !== '' ? Number(url.port) : secure ? 443 : 80;
    const requestOptions: https.RequestOptions = {
      ...tlsOptions,
      host,
      port,
      path: url.pathname + url.search,
      method: 'GET',
      headers,
      agent,
    };
    if (unix !== null) {
      requestOptions.socketPath = unix.socketPath;
      requestOptions.path = unix.path;
      delete requestOptions.host;
      delete requestOptions.port;
    }
    if (url.username !== '' || url.password !== '') {
      requestOptions.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    }
    if (secure && tlsOptions.servername === undefined && !net.isIP(host)) requestOptions.servername = host;

    const send = (tunnel: Duplex | null): void => {
      if (finished) {
        tunnel?.destroy();
        return;
      }
      if (tunnel !== null) {
        requestOptions.agent = false;
        requestOptions.createConnection = () => tunnel as net.Socket;
      } else if (!secure && agent === undefined && requestOptions.createConnection === undefined) {
        // As ws does: a plain socket of our own rather than one from Node's
        // global keep-alive agent, which would leave its 'free'/'timeout'/
        // 'agentRemove' listeners and a (cleared) timer on every upgraded socket.
        requestOptions.createConnection = plainConnect as unknown as http.RequestOptions['createConnection'];
      }
      const req = (secure ? https.request : http.request)(requestOptions);
      request = req;
      req.on('error', fail);
      req.on('upgrade', (response: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        if (finished) {
          socket.destroy();
          return;
        }
        const checked = checkUpgradeResponse(response.headers, key, protocols);
        if (typeof checked === 'string') {
          socket.destroy();
          fail(handshakeError(checked, response));
          return;
        }
        const extensions = offer.accept(checked.extensions);
        if ('error' in extensions) {
          socket.destroy();
          fail(new WebSocketError(ErrorCode.ExtensionNegotiation, extensions.error, 1010));
          return;
        }
        finish();
        // http may hand us a socket other than the tunnel it was given; the
        // tunnel underneath must close with it, or it keeps the process alive.
        if (tunnel !== null && socket !== tunnel) socket.once('close', () => tunnel.destroy());
        hooks.onUpgrade({ socket, head, protocol: checked.protocol, extensions, response });
      });
      req.on('response', (response: http.IncomingMessage) => {
        if (finished) return;
        const location = response.headers.location;
        const status = response.statusCode ?? 0;
        if (options.followRedirects && location !== undefined && status >= 300 && status < 400) {
          response.resume();
          req.destroy();
          if (redirects >= (options.maxRedirects ?? 10)) {
            fail(new WebSocketError(ErrorCode.TooManyRedirects, `Gave up after ${redirects} redirects: raise maxRedirects or fix the server`, 1006));
            return;
          }
          redirects++;
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            fail(new WebSocketError(ErrorCode.InvalidUrl, `The server redirected to an invalid URL: ${location}`, 1006));
            return;
          }
          if (next.protocol === 'http:') next.protocol = 'ws:';
          else if (next.protocol === 'https:') next.protocol = 'wss:';
          if (next.protocol !== 'ws:' && next.protocol !== 'wss:') {
            fail(new WebSocketError(ErrorCode.InvalidUrl, `The server redirected to a URL that is not ws(s) or http(s): ${location}`, 1006));
            return;
          }
          hooks.onRedirect(next.href, req);
          attempt(next, sameOrigin && next.host === url.host && next.protocol === url.protocol);
          return;
        }
        if (hooks.onUnexpectedResponse(req, response)) {
          finish();
          return;
        }
        response.resume();
        fail(handshakeError(`Unexpected server response: ${status} ${response.statusMessage ?? ''}`.trim(), response));
      });
      if (finishRequest !== undefined) finishRequest(req);
      else req.end();
    };

    if (proxy === undefined) send(null);
    else openTunnel(proxyUrl!, host, port, secure, { ...tlsOptions, servername: requestOptions.servername }, send, fail);
  };

  attempt(firstUrl, true);
  return () => fail(new WebSocketError(ErrorCode.HandshakeTimeout, 'The opening handshake was aborted', 1006));
}

/** `ws+unix:/tmp/app.sock:/chat?x=1` → socket `/tmp/app.sock`, request path `/chat?x=1` (`/` when absent). */
function splitUnixUrl(url: URL): { socketPath: string; path: string } {
  const full = url.pathname + url.search;
  const colon = full.indexOf(':');
  if (colon === -1) return { socketPath: full, path: '/' };
  const path = full.slice(colon + 1);
  return { socketPath: full.slice(0, colon), path: path === '' ? '/' : path };
}

function handshakeError(message: string, response: http.IncomingMessage): HandshakeError {
  const error = new HandshakeError(ErrorCode.UnexpectedResponse, message, 1006);
  error.statusCode = response.statusCode;
  error.headers = response.headers;
  return error;
}

/** The `proxy` option as a URL; only http:// and https:// proxies (CONNECT) are spoken. */
function parseProxyUrl(proxy: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(proxy));
  } catch {
    throw new WebSocketError(ErrorCode.InvalidOption, `The proxy option is not a URL: ${String(proxy)}; use http://host:port`, 0);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebSocketError(
      ErrorCode.InvalidOption,
      `Unsupported proxy scheme ${url.protocol} in ${url.href}: socketeer tunnels through http:// or https:// proxies with CONNECT`,
      0,
    );
  }
  return url;
}

/** Opens a CONNECT tunnel through an HTTP(S) proxy, wrapping it in TLS for wss. */
function openTunnel(
  proxy: URL,
  host: string,
  port: number,
  secure: boolean,
  tlsOptions: tls.ConnectionOptions,
  done: (socket: Duplex) => void,
  fail: (error: Error) => void,
): void {
  const target = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { Host: target };
  if (proxy.username !== '') {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['Proxy-Authorization'] = 'Basic ' + Buffer.from(credentials).toString('base64');
  }
  const proxySecure = proxy.protocol === 'https:';
  // An https:// proxy is trusted with the same TLS options (ca, client certificate) as the target.
  const { servername: _servername, ...proxyTls } = tlsOptions;
  const connect = (proxySecure ? https : http).request({
    ...(proxySecure ? proxyTls : {}),
    host: proxy.hostname.startsWith('[') ? proxy.hostname.slice(1, -1) : proxy.hostname,
    port: proxy.port !== '' ? Number(proxy.port) : proxySecure ? 443 : 80,
    method: 'CONNECT',
    path: target,
    headers,
    agent: false,
  });
  connect.on('error', fail);
  connect.on('connect', (response: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    if (response.statusCode !== 200) {
      socket.destroy();
      fail(handshakeError(`The proxy refused the tunnel: ${response.statusCode} ${response.statusMessage ?? ''}`.trim(), response));
      return;
    }
    if (head.length > 0) socket.unshift(head);
    if (!secure) {
      done(socket);
      return;
    }
    const secured = tls.connect({ ...tlsOptions, socket, servername: tlsOptions.servername ?? (net.isIP(host) ? undefined : host) });
    secured.once('close', () => socket.destroy());
    secured.once('secureConnect', () => done(secured));
    secured.once('error', fail);
  });
  connect.end();
}

/** http's createConnection without an agent (Node has already turned `socketPath` into `path`). */
function plainConnect(options: net.NetConnectOpts): net.Socket {
  return net.connect(options);
}
