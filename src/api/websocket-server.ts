import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { PerMessageDeflateOptions } from '../core/extensions/permessage-deflate.js';
import { acceptKeyFor, checkUpgradeRequest } from '../core/handshake.js';
import { negotiateServerExtensions, validateServerExtensionOptions } from '../node/extensions.js';
import { refuseUpgrade, switchingProtocols } from '../node/http-response.js';
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
import { kAttach, kTopics, WebSocket } from './websocket.js';
import type { PubSubBus } from './pubsub-bus.js';
import { createServerTopics, type PublishOptions, type TopicRegistry } from './server-topics.js';

export interface VerifyClientInfo {
  origin: string | undefined;
  secure: boolean;
  req: http.IncomingMessage;
}

export type VerifyClient =
  | ((info: VerifyClientInfo) => boolean)
  | ((info: VerifyClientInfo, done: (result: boolean, code?: number, message?: string, headers?: Record<string, string>) => void) => void);

export interface WebSocketServerOptions {
  port?: number;
  host?: string;
  backlog?: number;
  server?: http.Server | import('node:https').Server;
  noServer?: boolean;
  /** Only upgrade requests for this path are accepted (others get 404). */
  path?: string;
  handleProtocols?: (protocols: Set<string>, request: http.IncomingMessage) => string | false;
  verifyClient?: VerifyClient;
  /** Origins allowed to connect (browser requests); others get 403. */
  allowedOrigins?: readonly string[];
  maxPayload?: number;
  clientTracking?: boolean;
  closeTimeout?: number;
  highWaterMark?: number;
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
}

/**
 * A WebSocket server in the npm `ws` mould: on its own port, on an existing
 * HTTP(S) server, or with noServer and handleUpgrade() called by the user.
 */
export class WebSocketServer extends EventEmitter {
  readonly options: WebSocketServerOptions;
  readonly clients: Set<WebSocket>;
  private server: http.Server | null = null;
  private ownsServer = false;
  private state: 'running' | 'closing' | 'closed' = 'running';
  private removeServerListeners: (() => void) | null = null;
  private openConnections = 0;
  private readonly topics: TopicRegistry;
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
    this.clients = new Set();
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
    if (!this.shouldHandle(request)) return refuseUpgrade(socket, 404, `No WebSocket endpoint at ${request.url ?? ''}`);
    if (this.options.maxConnections !== undefined && this.openConnections >= this.options.maxConnections) {
      return refuseUpgrade(socket, 503, 'Too many open connections: try again later', { 'Retry-After': '5' });
    }
    const origin = (request.headers.origin ?? request.headers['sec-websocket-origin']) as string | undefined;
    if (this.options.allowedOrigins !== undefined && (origin === undefined || !this.options.allowedOrigins.includes(origin))) {
      return refuseUpgrade(socket, 403, `Origin ${origin ?? '(none)'} is not allowed`);
    }

    const proceed = () => this.completeUpgrade(checked.key, checked.protocols, checked.extensions, request, socket, head, callback);
    const verify = this.options.verifyClient;
    if (verify === undefined) return proceed();
    const info: VerifyClientInfo = {
      origin,
      secure: Boolean((request.socket as { encrypted?: boolean }).encrypted),
      req: request,
    };
    if (verify.length >= 2) {
      (verify as (i: VerifyClientInfo, d: (r: boolean, c?: number, m?: string, h?: Record<string, string>) => void) => void)(
        info,
        (accepted, code = 401, message, headers) => {
          if (accepted) proceed();
          else refuseUpgrade(socket, code, message ?? http.STATUS_CODES[code] ?? 'Refused', headers);
        },
      );
    } else if ((verify as (i: VerifyClientInfo) => boolean)(info)) {
      proceed();
    } else {
      refuseUpgrade(socket, 403, 'The server refused this client (verifyClient)');
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

  broadcast(data: unknown, options: BroadcastOptions & { filter?: (client: WebSocket) => boolean } = {}): number {
    const filter = options.filter;
    const clients = filter === undefined ? this.clients : [...this.clients].filter(filter);
    return broadcast(clients, data, options);
  }

  /** Send 1001 to every client, stop accepting, and resolve when all are closed. */
  close(callback?: (error?: Error) => void): Promise<void> {
    const done = (async () => {
      if (this.state === 'closed') return;
      this.state = 'closing';
      this.removeServerListeners?.();
      this.removeServerListeners = null;
      const closing = [...this.clients].map((ws) => {
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
    this.removeServerListeners = () => {
      server.removeListener('listening', onListening);
      server.removeListener('error', onError);
      server.removeListener('upgrade', onUpgrade);
    };
  }

  private completeUpgrade(
    key: string,
    offered: string[],
    extensionOffers: string | undefined,
    request: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (ws: WebSocket, request: http.IncomingMessage) => void,
  ): void {
    if (!socket.readable || !socket.writable || socket.destroyed) {
      socket.destroy();
      return;
    }
    const maxPayload = this.options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    let protocol = '';
    if (offered.length > 0) {
      const chosen = this.options.handleProtocols ? this.options.handleProtocols(new Set(offered), request) : offered[0];
      if (chosen !== false && chosen !== undefined && chosen !== '') {
        if (!offered.includes(chosen)) {
          return refuseUpgrade(socket, 500, 'handleProtocols returned a subprotocol the client did not offer');
        }
        protocol = chosen;
      }
    }
    const extensions = negotiateServerExtensions(extensionOffers, this.options.perMessageDeflate, maxPayload);
    if ('error' in extensions) return refuseUpgrade(socket, 400, extensions.error);

    const headers: string[] = [];
    if (protocol !== '') headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
    if (extensions.header !== '') headers.push(`Sec-WebSocket-Extensions: ${extensions.header}`);
    this.emit('headers', headers, request);
    socket.write(switchingProtocols(acceptKeyFor(key), headers));
    socket.removeListener('error', onHandshakeSocketError);

    const ws = new WebSocket(null);
    ws[kTopics] = this.topics;
    ws.setHighWaterMark(this.options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
    ws[kAttach]({
      role: 'server',
      socket,
      head,
      protocol,
      extensions,
      maxPayload,
      closeTimeout: this.options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
      heartbeat: this.options.heartbeat,
      maxBufferedAmount: this.options.maxBufferedAmount,
      bufferFullPolicy: this.options.bufferFullPolicy,
    });
    this.openConnections++;
    if (this.options.clientTracking) this.clients.add(ws);
    void ws.closed.then(() => {
      this.openConnections--;
      this.clients.delete(ws);
    });
    callback(ws, request);
  }
}

function onHandshakeSocketError(this: Duplex): void {
  this.destroy();
}
