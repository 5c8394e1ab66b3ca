import type { EventEmitter } from 'node:events';
import { DEFAULT_MAX_PAYLOAD } from './options.js';
import type { PubSubBus } from './pubsub-bus.js';
import { localPubSub } from './local-bus.js';
import { DEFAULT_MAX_TOPIC_LENGTH } from './topic-name.js';
import { TopicRegistry } from './topics.js';

export { TopicRegistry, type PublishOptions } from './topics.js';

/**
 * A server's topics on its bus (this process only when none is given). Bus
 * failures become the server's 'pubsub-error' events, counted in
 * `pubsubErrorCount`; they never throw and never crash the process.
 */
export function createServerTopics(
  server: EventEmitter & { pubsubErrorCount: number },
  options: { pubsub?: PubSubBus; maxTopicLength?: number; maxPayload?: number },
): TopicRegistry {
  const limits = {
    maxTopicLength: options.maxTopicLength ?? DEFAULT_MAX_TOPIC_LENGTH,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
  };
  return new TopicRegistry(options.pubsub ?? localPubSub(), limits, (error) => {
    server.pubsubErrorCount++;
    server.emit('pubsub-error', error);
  });
}
