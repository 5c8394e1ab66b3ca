import cluster, { type Worker } from 'node:cluster';
import type { PubSubBus, PubSubMessage, PubSubNode } from '../api/pubsub-bus.js';
import { pubsubError, PubSubErrorCode } from '../api/pubsub-errors.js';
import { fromEnvelope, isClusterPubSubMessage, toEnvelope, type PublishEnvelope } from './cluster-messages.js';

/**
 * The primary's side of cluster topics: it knows which worker has a
 * subscriber of which topic and passes each publish to those workers (never
 * back to its sender). Installed once per process, by the first
 * clusterPubSub() call in the primary. A server in the primary itself is a
 * node too (negative ids), through the bus clusterPubSub() returns there.
 */
class ClusterRelay {
  private readonly subscribers = new Map<string, Set<number>>();
  private readonly localNodes = new Map<number, PubSubNode>();
  private nextLocalId = -1;

  constructor() {
    cluster.on('message', (worker: Worker, message: unknown) => this.onWorkerMessage(worker, message));
    cluster.on('exit', (worker: Worker) => this.forget(worker.id));
  }

  localBus(): PubSubBus {
    const id = this.nextLocalId--;
    return {
      start: (node) => void this.localNodes.set(id, node),
      subscribe: (topic) => this.add(topic, id),
      unsubscribe: (topic) => this.remove(topic, id),
      publish: (message) => this.route(toEnvelope(message, id), id),
      synced: () => Promise.resolve(),
      close: async () => {
        this.forget(id);
        this.localNodes.delete(id);
      },
    };
  }

  private onWorkerMessage(worker: Worker, message: unknown): void {
    if (!isClusterPubSubMessage(message)) return;
    switch (message.op) {
      case 'hello':
        return this.tell(worker, { socketeer: 'pubsub', op: 'welcome' });
      case 'sub':
        return typeof message.topic === 'string' ? this.add(message.topic, worker.id) : undefined;
      case 'unsub':
        return typeof message.topic === 'string' ? this.remove(message.topic, worker.id) : undefined;
      case 'sync':
        return this.tell(worker, { socketeer: 'pubsub', op: 'synced', seq: message.seq });
      case 'pub':
        return this.route(message, worker.id);
    }
  }

  private route(envelope: PublishEnvelope, from: number): void {
    const ids = this.subscribers.get(envelope.topic);
    if (ids === undefined) return;
    let decoded: PubSubMessage | null | undefined;
    for (const id of ids) {
      if (id === from) continue;
      if (id > 0) {
        const worker = cluster.workers?.[id];
        if (worker !== undefined) this.tell(worker, envelope);
        continue;
      }
      const node = this.localNodes.get(id);
      if (node === undefined) continue;
      decoded ??= fromEnvelope(envelope);
      if (decoded === null) node.error(pubsubError(PubSubErrorCode.BadMessage, `Worker ${from} sent a malformed publish: dropped`));
      else node.deliver(decoded);
    }
  }

  private tell(worker: Worker, message: object): void {
    if (!worker.isConnected()) return;
    try {
      worker.send(message, undefined, () => undefined);
    } catch {
      // The worker is going away; its 'exit' removes its subscriptions.
    }
  }

  private add(topic: string, id: number): void {
    let ids = this.subscribers.get(topic);
    if (ids === undefined) this.subscribers.set(topic, (ids = new Set()));
    ids.add(id);
  }

  private remove(topic: string, id: number): void {
    const ids = this.subscribers.get(topic);
    if (ids === undefined) return;
    ids.delete(id);
    if (ids.size === 0) this.subscribers.delete(topic);
  }

  private forget(id: number): void {
    for (const topic of [...this.subscribers.keys()]) this.remove(topic, id);
  }
}

let relay: ClusterRelay | null = null;

/** Installs the relay (once) and returns a bus for a server running in the primary itself. */
export function primaryBus(): PubSubBus {
  relay ??= new ClusterRelay();
  return relay.localBus();
}
