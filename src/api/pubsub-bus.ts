/**
 * The plug between a server's topics and other nodes (processes or machines).
 * A server holds one bus; the bus moves publishes to the other nodes and
 * hands theirs back. It never hands a node its own publish back.
 */

/** One publish as it travels between nodes. */
export interface PubSubMessage {
  /** The topic published to. */
  readonly topic: string;
  /** The message bytes (text as UTF-8). */
  readonly data: Buffer;
  /** Whether it goes out as a binary message (else text). */
  readonly binary: boolean;
  /** The publisher asked for permessage-deflate where recipients allow it. */
  readonly compress: boolean;
}

/** What a bus calls back into: the server's topics. */
export interface PubSubNode {
  /** A publish from another node, to write to this node's subscribers. */
  deliver(message: PubSubMessage): void;
  /** Something failed on the way to or from other nodes (errors carry a `code`). */
  error(error: Error & { code?: string }): void;
}

/**
 * Moves publishes between nodes (`WebSocketServer`s): the `pubsub` option.
 * `localPubSub()` (one process), `redisPubSub()`, `clusterPubSub()`, or your own.
 */
export interface PubSubBus {
  /** Called once, by the server that uses this bus. */
  start(node: PubSubNode): void;
  /** Receive this topic from other nodes (called when the first local subscriber arrives). */
  subscribe(topic: string): void;
  /** Stop receiving it (called when the last local subscriber leaves). */
  unsubscribe(topic: string): void;
  /** Send to the other nodes; failures go to `node.error`, never throw. */
  publish(message: PubSubMessage): void;
  /** Resolves once every subscribe and unsubscribe issued so far is in effect. */
  synced(): Promise<void>;
  /** Stop; resolves when the bus holds no connection. */
  close(): Promise<void>;
}
