// `socketeer/redis` (CommonJS): the same entry as redis.ts, loading `redis` with require().
import type { PubSubBus } from './api/pubsub-bus.js';
import { missingRedis } from './pubsub/missing-redis.js';
import { createRedisBus, type RedisModuleLike, type RedisPubSubOptions } from './pubsub/redis-bus.js';

export type { RedisPubSubOptions } from './pubsub/redis-bus.js';

let redis: RedisModuleLike;
try {
  redis = require('redis') as RedisModuleLike;
} catch (error) {
  throw missingRedis(error);
}

/** A bus for `new WebSocketServer({ pubsub: redisPubSub({ url }) })`; see docs/pubsub.md. */
export function redisPubSub(options: RedisPubSubOptions = {}): PubSubBus {
  return createRedisBus(redis, options);
}
