import type { PubSubMessage } from '../api/pubsub-bus.js';

/**
 * What workers and the primary say over node:cluster IPC. Bytes travel as
 * base64 so that both 'json' and 'advanced' serialization carry them.
 */
export type ClusterPubSubMessage =
  | { socketeer: 'pubsub'; op: 'hello' | 'welcome' }
  | { socketeer: 'pubsub'; op: 'sub' | 'unsub'; topic: string }
  | { socketeer: 'pubsub'; op: 'sync' | 'synced'; seq: number }
  | { socketeer: 'pubsub'; op: 'pub'; origin: number; topic: string; data: string; binary: boolean; compress: boolean };

export type PublishEnvelope = Extract<ClusterPubSubMessage, { op: 'pub' }>;

export function isClusterPubSubMessage(value: unknown): value is ClusterPubSubMessage {
  return typeof value === 'object' && value !== null && (value as { socketeer?: unknown }).socketeer === 'pubsub';
}

export function toEnvelope(message: PubSubMessage, origin: number): PublishEnvelope {
  return {
    socketeer: 'pubsub',
    op: 'pub',
    origin,
    topic: message.topic,
    data: message.data.toString('base64'),
    binary: message.binary,
    compress: message.compress,
  };
}

/** The publish in an envelope, or null when the envelope is malformed. */
export function fromEnvelope(envelope: PublishEnvelope): PubSubMessage | null {
  if (typeof envelope.topic !== 'string' || envelope.topic === '' || typeof envelope.data !== 'string') return null;
  return {
    topic: envelope.topic,
    data: Buffer.from(envelope.data, 'base64'),
    binary: envelope.binary === true,
    compress: envelope.compress === true,
  };
}
