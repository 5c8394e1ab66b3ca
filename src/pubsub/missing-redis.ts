import { pubsubError, PubSubErrorCode } from '../api/pubsub-errors.js';

/** The error `socketeer/redis` throws on import when the `redis` package cannot be loaded. */
export function missingRedis(cause: unknown): Error {
  const notFound = ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes((cause as { code?: string } | null)?.code ?? '');
  return pubsubError(
    PubSubErrorCode.MissingPeer,
    notFound
      ? 'socketeer/redis needs the "redis" package (the official Redis client, version 5 or 6): run npm install redis'
      : `socketeer/redis could not load the "redis" package: ${(cause as Error)?.message ?? String(cause)}`,
    cause,
  );
}
