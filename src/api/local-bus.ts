import type { PubSubBus } from './pubsub-bus.js';

/**
 * The default bus: this process is the only node, so there is nothing to
 * move. Topics still work for every socket of the server that holds it.
 */
export function localPubSub(): PubSubBus {
  return {
    start: () => undefined,
    subscribe: () => undefined,
    unsubscribe: () => undefined,
    publish: () => undefined,
    synced: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
