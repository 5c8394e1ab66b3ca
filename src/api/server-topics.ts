import type { EventEmitter } from 'node:events';
import { WebSocketError } from '../core/errors.js';
import { sharedDeflateSettings } from '../node/extensions.js';
import { DEFAULT_MAX_BUFFERED_AMOUNT } from '../node/outgoing-limit.js';
import { DEFAULT_MAX_PAYLOAD } from './options.js';
import type { PubSubBus } from './pubsub-bus.js';
import { localPubSub } from './local-bus.js';
import { DEFAULT_MAX_TOPIC_LENGTH } from './topic-name.js';
import { TopicRegistry, type SlowSubscriberPolicy } from './topics.js';

export { TopicRegistry, type PublishOptions, type SlowSubscriberPolicy } from './topics.js';

/**
 * A server's topics on its bus (this process only when none is given). Bus
 * failures become the server's 'pubsub-error' events, counted in
 * `pubsubErrorCount`; they never throw and never crash the process.
 */
export function createServerTopics(
  server: EventEmitter & { pubsubErrorCount: number },
  options: {
    pubsub?: PubSubBus;
    maxTopicLength?: number;
    maxPayload?: number;
    maxBufferedAmount?: number;
    slowSubscriberPolicy?: SlowSubscriberPolicy;
    perMessageDeflate?: unknown;
  },
): TopicRegistry {
  const policy = options.slowSubscriberPolicy ?? 'close';
  if (policy !== 'close' && policy !== 'skip') {
    throw new WebSocketError('WS_ERR_INVALID_OPTION', `slowSubscriberPolicy must be 'close' or 'skip' (got ${String(policy)})`, 0);
  }
  const settings = {
    maxTopicLength: options.maxTopicLength ?? DEFAULT_MAX_TOPIC_LENGTH,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    // 'skip' keeps every subscriber's buffer under the cap the 'close' policy enforces.
    skipAbove: policy === 'skip' ? options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT : Infinity,
    deflate: sharedDeflateSettings(options.perMessageDeflate),
  };
  return new TopicRegistry(
    options.pubsub ?? localPubSub(),
    settings,
    (error) => {
      server.pubsubErrorCount++;
      server.emit('pubsub-error', error);
    },
    (ws, topic, bytes, skipped) => server.emit('publish-skipped', ws, { topic, bytes, skipped }),
  );
}
