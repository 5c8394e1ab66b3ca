import http from 'node:http';
import type http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { PerMessageDeflateOptions } from '../core/extensions/permessage-deflate.js';
import { checkUpgradeRequest } from '../core/handshake.js';
import { checkConnectRequest } from '../core/handshake-h2.js';
import { negotiateServerExtensions, validateServerExtensionOptions } from '../node/extensions.js';
import { Http1Answer, type HandshakeAnswer } from '../node/handshake-answer.js';
import { refuseUpgrade } from '../node/http-response.js';
import {
  enableExtendedConnect,
  Http2Answer,
  http2UpgradeRequest,
  isHttp2Server,
  routeWebSocketStreams,
  type Http2UpgradeRequest,
} from '../node/http2-server-upgrade.js';
import { validateOutgoingLimitOptions, type BufferFullPolicy } from '../node/outgoing-limit.js';
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_HEADER_COUNT,
  DEFAULT_MAX_PAYLOAD,
  type HeartbeatOptions,
} from './options.js';
import { broadcast, type BroadcastOptions } from './broadcast.js';
import { kAttach, kGroup, WebSocket, type SocketGroup } from './websocket.js';
import { protocolKnobs, type ProtocolKnobs, type WsProtocolOptions } from './ws-options.js';
import { ErrorCode } from '../core/errors.js';
import { TypedEventEmitter } from './typed-emitter.js';
import type { WebSocketServerEvents } from './websocket-events.js';
import type { PubSubBus } from './pubsub-bus.js';
import { createServerTopics, type PublishOptions, type SlowSubscriberPolicy, type TopicRegistry } from './server-topics.js';

/** What `verifyClient` is told about an upgrade request. */
export interface VerifyClientInfo {
  /** The `Origin` header (`Sec-WebSocket-Origin` for version 8 clients), undefined when absent. */
  origin: string | undefined;
  /** Whether the connection is TLS. */
  secure: boolean;
  /** The upgrade request (for HTTP/2, an object with the same fields: see `Http2UpgradeRequest`). */
  req: http.IncomingMessage;
}

/**
 * Accepts or refuses an upgrade: return a boolean, or (with two parameters)
 * call `done(result, code?, message?, headers?)`, later if need be. A refusal
 * answers 403 (returned false) or `code` (default 401) and closes the socket.
 */
export type VerifyClient =
  | ((info: VerifyClientInfo) => boolean)
  | ((info: VerifyClientInfo, done: (result: boolean, code?: number, message?: string, headers?: Record<string, string>) => void) => void);

/** Options of `new WebSocketServer(options, callback?)`: exactly one of `port`, `server` and `noServer`. */
export interface WebSocketServerOptions extends Omit<WsProtocolOptions, 'generateMask'> {
  /** Create an HTTP server listening on this port (0: any free port; `address()` tells which). */
  port?: number;
  /** The address the server created for `port` listens on (default: all interfaces, as `server.listen`). */
  host?: string;
  /** The listen backlog of the server created for `port` (default: Node's, 511). */
  backlog?: number;
  /**
   * An HTTP/1.1 server (upgrades), or an `http2` server: extended CONNECT
   * (RFC 8441) on HTTP/2, and upgrades too when it allows HTTP/1.1.
   */
  server?: http.Server | import('node:https').Server | http2.Http2Server | http2.Http2SecureServer;
  /** No server of its own: call `handleUpgrade()` (or `handleStream()` for HTTP/2) yourself. */
  noServer?: boolean;
  /** Only upgrade requests for this path are accepted (others get 404). */
  path?: string;
  /**
   * Picks the subprotocol from those the client offered (return one of them,
   * or false for none). Default: the first offered.
   */
  handleProtocols?: (protocols: Set<string>, request: http.IncomingMessage) => string | false;
  /** Accepts or refuses each upgrade before it completes; see `VerifyClient`. Default: accept all. */
  verifyClient?: VerifyClient;
  /** Origins allowed to connect (browser requests); others get 403. */
  allowedOrigins?: readonly string[];
  /** Largest message accepted, in bytes (default 100 MiB); bigger ones close with 1009. */
  maxPayload?: number;
  /** Track open sockets in `clients` (default true). */
  clientTracking?: boolean;
  /** How long `close()` waits for the peer's Close frame before destroying the socket, ms (default 30 000). */
  closeTimeout?: number;
  /** After a protocol error, how long to wait for the peer to close TCP before destroying the socket, in ms (default 1 s). */
  failureCloseTimeout?: number;
  /** Received bytes that may wait unparsed while a message is being decompressed (default 1 MiB); past it, 1008. */
  maxUnparsedBytes?: number;
  /** Buffered bytes past which `send()` returns false and `'drain'` is owed (default 1 MiB). */
  highWaterMark?: number;
  /** Ping every socket each `interval` ms and terminate those that miss `timeout` (default off). */
  heartbeat?: HeartbeatOptions;
  /** Accept permessage-deflate (default false on servers); see docs/permessage-deflate.md. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Time allowed for a whole upgrade request when we own the HTTP server (default 10 s). */
  handshakeTimeout?: number;
  /** Open connections allowed at once; further upgrades get 503 (default unlimited). */
  maxConnections?: number;
  /** Header fields allowed in an upgrade request; more get 431 (default 256). */
  maxHeaderCount?: number;
  /** Cap on bytes waiting to be written to the peer (default 64 MiB). */
  maxBufferedAmount?: number;
  /** At the cap: 'close' fails with 1008 and frees the buffer (default); 'wait' stops reading until it drains. */
  bufferFullPolicy?: BufferFullPolicy;
  /** Moves publishes between nodes (default: this process only); see docs/pubsub.md. */
  pubsub?: PubSubBus;
  /** Longest topic, in UTF-8 bytes (default 1024). */
  maxTopicLength?: number;
  /**
   * A publish to a subscriber whose buffer would pass `maxBufferedAmount`:
   * 'close' (default) lets the cap close it with 1008; 'skip' leaves that
   * message out for it and emits 'publish-skipped'. See docs/pubsub.md.
   */
  slowSubscriberPolicy?: SlowSubscriberPolicy;
  /** The class of the sockets 'connection' hands out: WebSocket or a subclass of it (ws's `WebSocket` option). */
  WebSocket?: typeof WebSocket;
}

/**
 * A WebSocket server in the npm `ws` mould: on its own port, on an existing
 * HTTP(S) server, or with noServer and handleUpgrade() called by the user.
 */
export class WebSocketServer extends TypedEventEmitter<WebSocketServerEvents> {
  /** The options given to the constructor (`clientTracking` filled in). */
  readonly options: WebSocketServerOptions;
  /** The open sockets; undefined with `clientTracking: false`, as in ws. */
  readonly clients: Set<WebSocket>;
  /** Every socket this server accepted and not yet closed, whatever clientTracking says. */
  private readonly accepted = new Set<WebSocket>();
  private readonly knobs: ProtocolKnobs;
  private readonly SocketClass: typeof WebSocket;
  private server: http.Server | null = null;
  private ownsServer = false;
  private state: 'running' | 'closing' | 'closed' = 'running';
  private closing: Promise<void> | null = null;
  private removeServerListeners: (() => void) | null = null;
  private openConnections = 0;
  /**
   * One listener for every counted socket's 'close' (made once per server):
   * a closure made inside admit() would share its scope, and so keep the
   * request, its head buffer and the handshake answer alive for as long as
   * the connection lives.
   */
  private readonly connectionGone = (): void => {
    this.openConnections--;
  };
  private readonly topics: TopicRegistry;
  /** What the sockets of this server share: its topics, its set of sockets, the highWaterMark. */
  private readonly group: SocketGroup;
  /** How many 'pubsub-error' events this server emitted. */
  pubsubErrorCount = 0;

  constructor(options: WebSocketServerOptions, callback?: () => void) {
    super();
    const given = [options.port !== undefined, options.server !== undefined, options.noServer === true].filter(Boolean).length;
    if (given !== 1) {
      throw Object.assign(new TypeError('Pass exactly one of the options "port", "server" or "noServer"'), { code: 'WS_ERR_INVALID_OPTION' });
    }
    this.options = { clientTracking: true, ...options };
    validateServerExtensionOptions(options.perMessageDeflate);
    validateOutgoingLimitOptions(options.maxBufferedAmount, options.bufferFullPolicy);
    this.topics = createServerTopics(this, options);
    this.group = Object.freeze({ topics: this.topics, accepted: this.accepted, highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK });
    this.knobs = protocolKnobs(options, 'server');
    this.SocketClass = socketClass(options.WebSocket);
    this.clients = (this.options.clientTracking ? this.accepted : undefined) as Set<WebSocket>;
    if (options.port !== undefined) {
      const handshakeTimeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
      // Node checks request timeouts on this interval (30 s by default), which
      // would let a slowloris client hold its socket long past the timeout.
      const connectionsCheckingInterval = handshakeTimeout > 0 ? Math.max(10, Math.min(1000, Math.floor(handshakeTimeout / 4))) : 30_000;
      const server = http.createServer({ connectionsCheckingInterval }, (_req, res) => {
        const body = 'Upgrade Required: this endpoint speaks WebSocket\n';
        res.writeHead(426, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), Upgrade: 'websocket' });
        res.end(body);
      });
      server.requestTimeout = handshakeTimeout;
      server.headersTimeout = Math.min(server.requestTimeout, 60_000);
      this.ownsServer = true;
      this.attachServer(server);
      server.listen(options.port, options.host, options.backlog, callback);
    } else if (options.server !== undefined) {
      this.attachServer(options.server as http.Server);
    }
  }

  /** The address of the server's own or given HTTP server (`port`, `address`, `family`); throws with `noServer`. */
  address(): AddressInfo | string | null {
    if (this.server === null) throw Object.assign(new Error('This server was created with noServer: it has no address'), { code: 'WS_ERR_NO_SERVER' });
    return this.server.address();
  }

  /** Does this request belong to this server (its path)? */
  shouldHandle(request: http.IncomingMessage): boolean {
    if (this.options.path === undefined) return true;
    const question = request.url?.indexOf('?') ?? -1;
    const pathname = question === -1 ? request.url : request.url!.slice(0, question);
    return pathname === this.options.path;
  }

  /**
   * Complete (or refuse) a WebSocket handshake for an HTTP upgrade request.
   * A refused request gets an HTTP answer and a closed socket.
   */
  handleUpgrade(
    request: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (ws: WebSocket, request: http.IncomingMessage) => void,
  ): void {
    // A socket handleUpgrade() was given is marked (ws marks it too): a second
    // call with it is a mistake. A mark on the socket, not a WeakSet entry per
    // connection for as long as it lives.
    const marked = socket as Duplex & { [kUpgraded]?: true };
    if (marked[kUpgraded] === true) {
      throw Object.assign(
        new Error('handleUpgrade() was called more than once with the same socket: call it once per upgrade request (is the server also attached to this HTTP server?)'),
        { code: ErrorCode.UpgradeTwice },
      );
    }
    marked[kUpgraded] = true;
    socket.on('error', onHandshakeSocketError);
    if (this.state !== 'running') return refuseUpgrade(socket, 503, 'The server is shutting down');
    // Past about 1000 fields Node drops the rest silently, possibly the very
    // headers checked below: a lower cap refuses such requests instead.
    const maxHeaderCount = this.options.maxHeaderCount ?? DEFAULT_MAX_HEADER_COUNT;
    if (request.rawHeaders.length / 2 > maxHeaderCount) {
      return refuseUpgrade(socket, 431, `Too many header fields: the limit is ${maxHeaderCount}`);
    }
    const checked = checkUpgradeRequest(request.method, request.headers);
    if (!checked.ok) return refuseUpgrade(socket, checked.status, checked.message, checked.headers);
    const answer = new Http1Answer(socket, head, checked.key, onHandshakeSocketError, this.options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT);
    this.admit(request, checked.protocols, checked.extensions, answer, callback);
  }

  /**
   * The `noServer` form for HTTP/2: complete (or refuse) a WebSocket opened
   * by an extended CONNECT (RFC 8441) on `stream`, as received in an
   * `http2` server's 'stream' event. A refusal is an HTTP/2 response.
   */
  handleStream(
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    callback: (ws: WebSocket, request: Http2UpgradeRequest) => void,
    rawHeaders?: string[],
  ): void {
    const answer = new Http2Answer(stream, this.options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT);
    if (this.state !== 'running') return answer.refuse(503, 'The server is shutting down');
    const maxHeaderCount = this.options.maxHeaderCount ?? DEFAULT_MAX_HEADER_COUNT;
    const fieldCount = rawHeaders !== undefined ? rawHeaders.length / 2 : Object.keys(headers).length;
    if (fieldCount > maxHeaderCount) return answer.refuse(431, `Too many header fields: the limit is ${maxHeaderCount}`);
    const checked = checkConnectRequest(headers);
    if (!checked.ok) return answer.refuse(checked.status, checked.message, checked.headers);
    const request = http2UpgradeRequest(stream, headers, rawHeaders);
    this.admit(request as unknown as http.IncomingMessage, checked.protocols, checked.extensions, answer, callback as unknown as (ws: WebSocket, request: http.IncomingMessage) => void);
  }

  /** The checks both HTTP versions share: path, connection cap, origin, verifyClient. */
  private admit(
    request: http.IncomingMessage,
    offered: string[],
    extensionOffers: string | undefined,
    answer: HandshakeAnswer,
    callback: (ws: WebSocket, request: http.IncomingMessage) => void,
  ): void {
    if (!this.shouldHandle(request)) return answer.refuse(404, `No WebSocket endpoint at ${request.url ?? ''}`);
    if (this.options.maxConnections !== undefined) {
      if (this.openConnections >= this.options.maxConnections) {
        return answer.refuse(503, 'Too many open connections: try again later', { 'Retry-After': '5' });
      }
      // The connection counts from here, while verifyClient and handleProtocols
      // run, until its socket is gone: concurrent handshakes cannot overshoot the cap.
      // (Only counted under a cap: nothing else reads the count.)
      this.openConnections++;
      answer.onGone(this.connectionGone);
    }
    const origin = (request.headers.origin ?? request.headers['sec-websocket-origin']) as string | undefined;
    if (this.options.allowedOrigins !== undefined && (origin === undefined || !this.options.allowedOrigins.includes(origin))) {
      return answer.refuse(403, `Origin ${origin ?? '(none)'} is not allowed`);
    }

    const proceed = () => this.completeUpgrade(offered, extensionOffers, request, answer, callback);
    const verify = this.options.verifyClient;
    if (verify === undefined) return proceed();
    const info: VerifyClientInfo = {
      origin,
      secure: Boolean((request.socket as { encrypted?: boolean } | undefined)?.encrypted),
      req: request,
    };
    if (verify.length >= 2) {
      // An answer that never comes is cut off by the answer's deadline (408, handshakeTimeout).
      answer.startDeadline();
      (verify as (i: VerifyClientInfo, d: (r: boolean, c?: number, m?: string, h?: Record<string, string>) => void) => void)(
        info,
        (accepted, code = 401, message, headers) => {
          if (answer.timedOut) return;
          if (accepted) proceed();
          else answer.refuse(code, message ?? http.STATUS_CODES[code] ?? 'Refused', headers);
        },
      );
    } else if ((verify as (i: VerifyClientInfo) => boolean)(info)) {
      proceed();
    } else {
      answer.refuse(403, 'The server refused this client (verifyClient)');
    }
  }

  /**
   * Send one message to every open client (or those `filter` keeps), encoding
   * the frame once. Needs clientTracking. Returns how many clients got it.
   */
  /** Send to every subscriber of `topic` on every node; returns how many local sockets got it. */
  publish(topic: string, data: unknown, options?: PublishOptions): number {
    return this.topics.publish(topic, data, options, null);
  }

  /** Local sockets subscribed to `topic`. */
  subscriberCount(topic: string): number {
    return this.topics.subscriberCount(topic);
  }

  /** Resolves once the bus has put every subscribe and unsubscribe made so far into effect. */
  topicsSynced(): Promise<void> {
    return this.topics.synced();
  }

  /**
   * Sends `data` to every open client (those `filter` accepts), encoding the
   * frame once; returns how many it was written to.
   */
  broadcast(data: unknown, options: BroadcastOptions & { filter?: (client: WebSocket) => boolean } = {}): number {
    const filter = options.filter;
    const clients = filter === undefined ? this.accepted : [...this.accepted].filter(filter);
    return broadcast(clients, data, options);
  }

  /** Send 1001 to every client, stop accepting, and resolve when all are closed. */
  close(callback?: (error?: Error) => void): Promise<void> {
    if (this.state === 'closed') {
      // As in ws: the callback gets an error, and 'close' is emitted again.
      const error = Object.assign(new Error('The server is not running: it was already closed'), { code: ErrorCode.ServerNotRunning });
      if (callback) this.once('close', () => callback(error));
      process.nextTick(() => this.emit('close'));
      return Promise.resolve();
    }
    if (this.closing !== null) {
      if (callback) this.closing.then(() => callback(), callback);
      return this.closing;
    }
    const done = (async () => {
      this.state = 'closing';
      this.removeServerListeners?.();
      this.removeServerListeners = null;
      const closing = [...this.accepted].map((ws) => {
        if (ws.readyState === WebSocket.OPEN) ws.close(1001, 'Server shutting down');
        return ws.closed;
      });
      const serverClosed =
        this.ownsServer && this.server !== null
          ? new Promise<void>((resolve) => this.server!.close(() => resolve()))
          : Promise.resolve();
      await Promise.all(closing);
      await this.topics.close();
      // Requests still half-way through their upgrade would hold the server
      // open until the handshake timeout; every WebSocket is closed by now.
      if (this.ownsServer && this.server !== null) this.server.closeAllConnections();
      await serverClosed;
      this.state = 'closed';
      this.emit('close');
    })();
    this.closing = done;
    if (callback) done.then(() => callback(), callback);
    return done;
  }

  private attachServer(server: http.Server): void {
    this.server = server;
    const onListening = () => this.emit('listening');
    const onError = (error: Error) => this.emit('error', error);
    const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      this.handleUpgrade(request, socket, head, (ws) => this.emit('connection', ws, request));
    };
    server.on('listening', onListening);
    server.on('error', onError);
    server.on('upgrade', onUpgrade);
    // An http2 server: WebSockets also arrive as extended CONNECT streams.
    let unrouteStreams: (() => void) | null = null;
    if (isHttp2Server(server)) {
      enableExtendedConnect(server);
      unrouteStreams = routeWebSocketStreams(server, (stream, headers, rawHeaders) => {
        this.handleStream(stream, headers, (ws, request) => this.emit('connection', ws, request as unknown as http.IncomingMessage), rawHeaders);
      });
    }
    this.removeServerListeners = () => {
      server.removeListener('listening', onListening);
      server.removeListener('error', onError);
      server.removeListener('upgrade', onUpgrade);
      unrouteStreams?.();
    };
  }

  private completeUpgrade(
    offered: string[],
    extensionOffers: string | undefined,
    request: http.IncomingMessage,
    answer: HandshakeAnswer,
    callback: (ws: WebSocket, request: http.IncomingMessage) => void,
  ): void {
    if (!answer.isOpen()) {
      answer.destroy();
      return;
    }
    const maxPayload = this.options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    let protocol = '';
    if (offered.length > 0) {
      const chosen = this.options.handleProtocols ? this.options.handleProtocols(new Set(offered), request) : offered[0];
      if (chosen !== false && chosen !== undefined && chosen !== '') {
        if (!offered.includes(chosen)) {
          return answer.refuse(500, 'handleProtocols returned a subprotocol the client did not offer');
        }
        protocol = chosen;
      }
    }
    const extensions = negotiateServerExtensions(extensionOffers, this.options.perMessageDeflate, maxPayload);
    if ('error' in extensions) return answer.refuse(400, extensions.error);

    const extra: string[] = [];
    if (protocol !== '') extra.push(`Sec-WebSocket-Protocol: ${protocol}`);
    if (extensions.header !== '') extra.push(`Sec-WebSocket-Extensions: ${extensions.header}`);
    // As in ws: the whole answer's lines, which listeners may change (add Set-Cookie...).
    const headers = answer.headerLines(extra);
    this.emit('headers', headers, request);
    const { socket, head } = answer.accept(headers);

    const ws = new this.SocketClass(null);
    ws[kGroup] = this.group;
    ws[kAttach]({
      role: 'server',
      socket,
      head,
      protocol,
      extensions,
      maxPayload,
      closeTimeout: this.options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
      failureCloseTimeout: this.options.failureCloseTimeout,
      maxUnparsedBytes: this.options.maxUnparsedBytes,
      heartbeat: this.options.heartbeat,
      maxBufferedAmount: this.options.maxBufferedAmount,
      bufferFullPolicy: this.options.bufferFullPolicy,
      knobs: this.knobs,
    });
    // Gone from `clients` (through the group) before the socket's 'close' listeners run, as in ws.
    this.accepted.add(ws);
    callback(ws, request);
  }
}

function socketClass(given: unknown): typeof WebSocket {
  if (given === undefined) return WebSocket;
  if (typeof given === 'function' && (given === WebSocket || given.prototype instanceof WebSocket)) return given as typeof WebSocket;
  throw Object.assign(new TypeError('The option "WebSocket" must be socketeer\'s WebSocket class or a subclass of it (class MySocket extends WebSocket {})'), {
    code: ErrorCode.InvalidOption,
  });
}

/** Marks a socket handleUpgrade() was given. */
const kUpgraded = Symbol('socketeer.upgraded');

function onHandshakeSocketError(this: Duplex): void {
  this.destroy();
}
