import { WebSocketError } from '../core/errors.js';

/** The stable `code` strings of topic and bus errors. */
export const PubSubErrorCode = {
  /** A topic is not a non-empty string within maxTopicLength (a TypeError). */
  InvalidTopic: 'WS_ERR_INVALID_TOPIC',
  /** publish() got a value it cannot send. */
  InvalidDataType: 'WS_ERR_INVALID_DATA_TYPE',
  /** subscribe()/publish() on a client connection: topics live on servers. */
  NoTopics: 'WS_ERR_NO_TOPICS',
  /** A bus cannot reach the other nodes (Redis down, no relay in the cluster primary). */
  Unavailable: 'WS_ERR_PUBSUB_UNAVAILABLE',
  /** A publish did not reach the other nodes. */
  Publish: 'WS_ERR_PUBSUB_PUBLISH',
  /** Subscribing or unsubscribing a topic on the bus failed. */
  Subscribe: 'WS_ERR_PUBSUB_SUBSCRIBE',
  /** Another node sent something that is not a socketeer publish; it was dropped. */
  BadMessage: 'WS_ERR_PUBSUB_BAD_MESSAGE',
  /** One bus was given to two servers. */
  InUse: 'WS_ERR_PUBSUB_IN_USE',
  /** The bus's client library is not installed. */
  MissingPeer: 'WS_ERR_PUBSUB_MISSING_PEER',
} as const;

/** A coded bus error, optionally wrapping what the bus's client reported. */
export function pubsubError(code: string, message: string, cause?: unknown): WebSocketError {
  const error = new WebSocketError(code, message, 0);
  if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
  return error;
}
