// The named exports a TypeScript program uses: options, close info, errors, subpaths.
import {
  CloseCode,
  ErrorCode,
  PubSubErrorCode,
  ReconnectingWebSocket,
  WebSocket,
  WebSocketError,
  WebSocketServer,
  WebSocketStream,
  broadcast,
  closeCodeName,
  type BinaryType,
  type BufferFullPolicy,
  type CloseInfo,
  type HeartbeatOptions,
  type PerMessageDeflateOptions,
  type SendOptions,
  type WebSocketOptions,
  type WebSocketServerOptions,
} from 'socketeer';
import { clusterPubSub } from 'socketeer/cluster';
import type { RedisPubSubOptions } from 'socketeer/redis';
import { expectType } from './expect.js';

const clientOptions: WebSocketOptions = {
  headers: { Authorization: 'Bearer x' },
  handshakeTimeout: 5000,
  maxPayload: 1024,
  perMessageDeflate: { threshold: 1024 },
  heartbeat: { interval: 30_000, timeout: 10_000 } satisfies HeartbeatOptions,
  bufferFullPolicy: 'wait' satisfies BufferFullPolicy,
  rejectUnauthorized: false,
};
const serverOptions: WebSocketServerOptions = {
  port: 0,
  path: '/ws',
  maxConnections: 100,
  perMessageDeflate: false satisfies boolean | PerMessageDeflateOptions,
  verifyClient: (info, done) => done(info.origin === 'https://app.example', 403),
  handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false),
};
void clientOptions;
void serverOptions;

// @ts-expect-error maxPayload is a number of bytes
const badPayload: WebSocketOptions = { maxPayload: '1mb' };
// @ts-expect-error bufferFullPolicy is 'close' or 'wait'
const badPolicy: WebSocketServerOptions = { noServer: true, bufferFullPolicy: 'drop' };
void badPayload;
void badPolicy;

declare const ws: WebSocket;
ws.binaryType = 'arraybuffer' satisfies BinaryType;
// @ts-expect-error not a binaryType
ws.binaryType = 'text';
const info: Promise<CloseInfo> = ws.closed;
void info.then(({ code, reason, wasClean }) => {
  expectType<number>()(code);
  expectType<string>()(reason);
  expectType<boolean>()(wasClean);
});
const sendOptions: SendOptions = { binary: true, compress: false, fin: true };
ws.send('text', sendOptions, (error) => expectType<Error | undefined | null>()(error));
void ws.sendAsync(new Uint8Array(4));

expectType<1000>()(CloseCode.Normal);
expectType<string>()(closeCodeName(1001));
expectType<'WS_ERR_MESSAGE_TOO_BIG'>()(ErrorCode.MessageTooBig);
expectType<'WS_ERR_INVALID_TOPIC'>()(PubSubErrorCode.InvalidTopic);
const error = new WebSocketError(ErrorCode.NotOpen, 'not open', 0);
expectType<string>()(error.code);
expectType<number>()(error.closeCode);

expectType<number>()(broadcast(new Set<WebSocket>(), 'hello'));
new WebSocketServer({ noServer: true }).clients.forEach((client) => expectType<WebSocket>()(client));

const stream = new WebSocketStream('ws://127.0.0.1:1');
void stream.opened.then(({ readable, writable }) => [readable, writable]);
const reconnecting = new ReconnectingWebSocket('ws://127.0.0.1:1');
void reconnecting;

const redisOptions: RedisPubSubOptions = {};
void redisOptions;
expectType<() => unknown>()(clusterPubSub as () => unknown);
