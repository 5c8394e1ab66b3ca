import type { PubSubBus, PubSubNode } from '../api/pubsub-bus.js';
import { pubsubError, PubSubErrorCode } from '../api/pubsub-errors.js';
import { fromEnvelope, isClusterPubSubMessage, toEnvelope, type ClusterPubSubMessage } from './cluster-messages.js';

/** How long a worker waits for the primary's relay to answer before reporting it missing. */
const RELAY_ANSWER_MS = 5000;

/**
 * The bus of one node:cluster worker: subscriptions and publishes go to the
 * primary over IPC, which passes each publish to the other workers with a
 * subscriber of its topic. IPC keeps order, so a sync answer means every
 * earlier subscribe is in effect.
 */
export function createClusterWorkerBus(workerId: number): PubSubBus {
  let node: PubSubNode | null = null;
  let closed = false;
  let seq = 0;
  const waiting = new Map<number, () => void>();
  let relayTimer: NodeJS.Timeout | null = null;

  const report = (code: string, message: string, cause?: unknown) => node?.error(pubsubError(code, message, cause));
  const send = (message: ClusterPubSubMessage): boolean => {
    const failed = (error: unknown) =>
      report(PubSubErrorCode.Publish, `The cluster primary cannot be reached over IPC (${(error as Error).message}): "${message.op}" reached this worker only`, error);
    if (process.send === undefined || !process.connected) {
      failed(new Error('the IPC channel is closed'));
      return false;
    }
    try {
      process.send(message, undefined, {}, (error) => (error ? failed(error) : undefined));
      return true;
    } catch (error) {
      failed(error);
      return false;
    }
  };
  const onMessage = (message: unknown) => {
    if (closed || !isClusterPubSubMessage(message)) return;
    if (message.op === 'welcome') {
      if (relayTimer !== null) clearTimeout(relayTimer);
      relayTimer = null;
    } else if (message.op === 'synced') {
      waiting.get(message.seq)?.();
      waiting.delete(message.seq);
    } else if (message.op === 'pub') {
      const publish = fromEnvelope(message);
      if (publish === null) report(PubSubErrorCode.BadMessage, 'The cluster primary relayed a malformed publish: dropped');
      else if (message.origin !== workerId) node?.deliver(publish);
    }
  };

  return {
    start(target) {
      node = target;
      process.on('message', onMessage);
      relayTimer = setTimeout(() => {
        report(PubSubErrorCode.Unavailable, 'No socketeer relay answered in the cluster primary: call clusterPubSub() in the primary too, or publishes reach this worker only');
      }, RELAY_ANSWER_MS);
      relayTimer.unref();
      send({ socketeer: 'pubsub', op: 'hello' });
    },
    subscribe: (topic) => void send({ socketeer: 'pubsub', op: 'sub', topic }),
    unsubscribe: (topic) => void send({ socketeer: 'pubsub', op: 'unsub', topic }),
    publish: (message) => void send(toEnvelope(message, workerId)),
    synced() {
      if (closed) return Promise.resolve();
      const id = ++seq;
      return new Promise<void>((resolve) => {
        waiting.set(id, resolve);
        if (!send({ socketeer: 'pubsub', op: 'sync', seq: id })) {
          waiting.delete(id);
          resolve();
        }
      });
    },
    async close() {
      closed = true;
      if (relayTimer !== null) clearTimeout(relayTimer);
      process.removeListener('message', onMessage);
      for (const resolve of waiting.values()) resolve();
      waiting.clear();
    },
  };
}
