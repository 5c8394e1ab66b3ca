// `socketeer/redis` (ES module): topics across processes and machines through Redis.
// The CommonJS build uses redis-require.ts instead (no top-level await there).
import type { PubSubBus } from './api/pubsub-bus.js';
import { missingRedis } from './pubsub/missing-redis.js';
import { createRedisBus, type RedisModuleLike, type RedisPubSubOptions } from './pubsub/redis-bus.js';

export type { RedisPubSubOptions } from './pubsub/redis-bus.js';

let redis: RedisModuleLike;
try {
  redis = (await import('redis')) as unknown as RedisModuleLike;
} catch (error) {
  throw missingRedis(error);
}

/** A bus for `new WebSocketServer({ pubsub: redisPubSub({ url }) })`; see docs/pubsub.md. */
export function redisPubSub(options: RedisPubSubOptions = {}): PubSubBus {
  return createRedisBus(redis, options);
}
