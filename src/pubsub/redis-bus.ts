import type { PubSubBus, PubSubMessage, PubSubNode } from '../api/pubsub-bus.js';
import { pubsubError, PubSubErrorCode } from '../api/pubsub-errors.js';
import { newNodeId } from './node-id.js';
import { decodeWire, encodeWire } from './wire.js';

/** Options of `redisPubSub(options)`. */
export interface RedisPubSubOptions {
  /** Redis URL (default redis://127.0.0.1:6379). */
  url?: string;
  /** Prefix of every Redis channel (default 'socketeer:'); nodes sharing topics share it. */
  prefix?: string;
  /** Use sharded pub/sub (SSUBSCRIBE/SPUBLISH, Redis 7) (default false). */
  sharded?: boolean;
  /** Longest wait between reconnection attempts, in ms (default 2000). */
  maxReconnectDelay?: number;
  /** More options for the `redis` client's createClient() (socket, username, password, ...). */
  clientOptions?: Record<string, unknown>;
}

type Listener = (message: Buffer, channel: Buffer) => void;

/** The part of the `redis` client this bus uses (kept structural so our types do not need `redis`'s). */
export interface RedisClientLike {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  duplicate(options?: Record<string, unknown>): RedisClientLike;
  publish(channel: string, message: Buffer): Promise<unknown>;
  sPublish(channel: string, message: Buffer): Promise<unknown>;
  subscribe(channel: string, listener: Listener, bufferMode: true): Promise<void>;
  unsubscribe(channel: string, listener: Listener, bufferMode: true): Promise<void>;
  sSubscribe(channel: string, listener: Listener, bufferMode: true): Promise<void>;
  sUnsubscribe(channel: string, listener: Listener, bufferMode: true): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
}

export interface RedisModuleLike {
  createClient(options: Record<string, unknown>): RedisClientLike;
}

/**
 * A bus over Redis pub/sub: one channel per topic (prefix + topic), one
 * connection to publish and one to receive. A node subscribes to a channel
 * only while it has a local subscriber of the topic. When Redis is down,
 * publishes reach this node only and each failure is reported; the client
 * reconnects with backoff and subscribes every live topic again.
 */
export function createRedisBus(redis: RedisModuleLike, options: RedisPubSubOptions = {}): PubSubBus {
  const url = options.url ?? 'redis://127.0.0.1:6379';
  const prefix = options.prefix ?? 'socketeer:';
  const sharded = options.sharded === true;
  const maxDelay = options.maxReconnectDelay ?? 2000;
  const origin = newNodeId();
  let node: PubSubNode | null = null;
  let publisher: RedisClientLike | null = null;
  let receiver: RedisClientLike | null = null;
  let pending: Promise<void> = Promise.resolve();
  let closed = false;
  let down = false;

  const report = (code: string, message: string, cause?: unknown) => node?.error(pubsubError(code, message, cause));
  const onMessage: Listener = (bytes) => {
    const message = decodeWire(bytes);
    if (message === null) return report(PubSubErrorCode.BadMessage, `A message on a ${prefix}* channel is not a socketeer publish: dropped (is another program publishing there?)`);
    if (message.origin !== origin) node?.deliver(message);
  };
  const watch = (client: RedisClientLike) => {
    client.on('error', (error: Error) => {
      if (down || closed) return;
      down = true;
      report(PubSubErrorCode.Unavailable, `Redis at ${url} is unreachable (${error.message}): publishes reach this node only until it is back`, error);
    });
    client.on('ready', () => (down = false));
  };
  /** Subscribe and unsubscribe in call order; failures are reported, not thrown. */
  const queue = (what: string, topic: string, run: (client: RedisClientLike, channel: string) => Promise<void>) => {
    pending = pending
      .then(() => (closed || receiver === null ? undefined : run(receiver, prefix + topic)))
      .catch((error: Error) => report(PubSubErrorCode.Subscribe, `Could not ${what} topic "${topic}" on Redis: ${error.message}`, error));
  };

  return {
    start(target) {
      node = target;
      const clientOptions = {
        ...options.clientOptions,
        url,
        socket: {
          ...(options.clientOptions?.socket as object | undefined),
          reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, maxDelay) + Math.floor(Math.random() * 50),
        },
      };
      // The publisher fails at once while Redis is down, rather than queueing stale publishes.
      publisher = redis.createClient({ ...clientOptions, disableOfflineQueue: true });
      receiver = publisher.duplicate({ ...clientOptions, disableOfflineQueue: false });
      watch(publisher);
      watch(receiver);
      const connecting = Promise.all([publisher.connect(), receiver.connect()]).then(() => undefined);
      pending = connecting.catch((error: Error) => {
        if (!closed) report(PubSubErrorCode.Unavailable, `Cannot connect to Redis at ${url}: ${error.message}`, error);
      });
    },
    subscribe(topic) {
      queue('subscribe to', topic, (client, channel) =>
        sharded ? client.sSubscribe(channel, onMessage, true) : client.subscribe(channel, onMessage, true));
    },
    unsubscribe(topic) {
      queue('unsubscribe from', topic, (client, channel) =>
        sharded ? client.sUnsubscribe(channel, onMessage, true) : client.unsubscribe(channel, onMessage, true));
    },
    publish(message: PubSubMessage) {
      if (closed || publisher === null) return;
      if (!publisher.isReady) {
        report(PubSubErrorCode.Publish, `Redis at ${url} is not connected: the publish to "${message.topic}" reached this node only`);
        return;
      }
      const channel = prefix + message.topic;
      const bytes = encodeWire(message, origin);
      (sharded ? publisher.sPublish(channel, bytes) : publisher.publish(channel, bytes)).catch((error: Error) =>
        report(PubSubErrorCode.Publish, `Redis refused the publish to "${message.topic}" (${error.message}): it reached this node only`, error),
      );
    },
    synced() {
      return pending;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const client of [receiver, publisher]) {
        if (client === null) continue;
        if (client.isReady) await client.close().catch(() => client.destroy());
        else client.destroy();
      }
    },
  };
}
