// `socketeer/cluster`: topics across the workers of one node:cluster primary.
import cluster from 'node:cluster';
import type { PubSubBus } from './api/pubsub-bus.js';
import { createClusterWorkerBus } from './pubsub/cluster-worker-bus.js';
import { primaryBus } from './pubsub/cluster-relay.js';

/**
 * Call it in the primary (it installs the relay that passes publishes between
 * workers) and in each worker, where it returns the bus for
 * `new WebSocketServer({ pubsub: clusterPubSub() })`. See docs/pubsub.md.
 */
export function clusterPubSub(): PubSubBus {
  return cluster.isPrimary ? primaryBus() : createClusterWorkerBus(cluster.worker!.id);
}
