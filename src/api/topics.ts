import { WebSocketError } from '../core/errors.js';
import { PubSubErrorCode as ErrorCode } from './pubsub-errors.js';
import { isBlob, toPayload } from './outgoing-data.js';
import type { PubSubBus, PubSubMessage, PubSubNode } from './pubsub-bus.js';
import { PublishFrames } from './topic-frame.js';
import { checkTopic } from './topic-name.js';
import { kSendShared, WebSocket } from './websocket.js';

/** Options of `wss.publish()` and `ws.publish()`. */
export interface PublishOptions {
  /** Send as a binary message (default: true for bytes, false for strings). */
  binary?: boolean;
  /** Deflate once for the subscribers that can share it (see docs/pubsub.md); default false. */
  compress?: boolean;
}

export interface TopicLimits {
  maxTopicLength: number;
  maxPayload: number;
  /** Skip a subscriber whose buffered bytes plus the message would pass this (Infinity: never). */
  skipAbove: number;
}

/** What a publish does to a subscriber whose buffer is full: see `slowSubscriberPolicy`. */
export type SlowSubscriberPolicy = 'close' | 'skip';

export type SkipReporter = (ws: WebSocket, topic: string, bytes: number, skipped: number) => void;

const busesInUse = new WeakSet<PubSubBus>();

/**
 * Which of a server's sockets want which topic, and delivery to them: each
 * publish is encoded once and written to every local subscriber through its
 * own ordered write path, then handed to the bus for the other nodes. The bus
 * hears of a topic only while this node has a subscriber of it.
 */
export class TopicRegistry implements PubSubNode {
  private readonly subscribers = new Map<string, Set<WebSocket>>();
  private readonly memberships = new Map<WebSocket, Set<string>>();
  /** Messages left out per slow subscriber ('skip' policy). */
  private readonly skips = new WeakMap<WebSocket, number>();

  constructor(
    private readonly bus: PubSubBus,
    private readonly limits: TopicLimits,
    private readonly reportError: (error: Error & { code?: string }) => void,
    private readonly reportSkip: SkipReporter = () => undefined,
  ) {
    if (busesInUse.has(bus)) {
      throw new WebSocketError(ErrorCode.InUse, 'This pubsub bus already serves another WebSocketServer: create one bus per server', 0);
    }
    busesInUse.add(bus);
    bus.start(this);
  }

  subscribe(ws: WebSocket, topic: string): boolean {
    checkTopic(topic, this.limits.maxTopicLength);
    if (ws.readyState !== WebSocket.OPEN) return false;
    let topics = this.memberships.get(ws);
    if (topics?.has(topic)) return false;
    if (topics === undefined) this.memberships.set(ws, (topics = new Set()));
    topics.add(topic);
    let sockets = this.subscribers.get(topic);
    if (sockets === undefined) {
      this.subscribers.set(topic, (sockets = new Set()));
      this.bus.subscribe(topic);
    }
    sockets.add(ws);
    return true;
  }

  unsubscribe(ws: WebSocket, topic: string): boolean {
    checkTopic(topic, this.limits.maxTopicLength);
    const topics = this.memberships.get(ws);
    if (topics === undefined || !topics.delete(topic)) return false;
    if (topics.size === 0) this.memberships.delete(ws);
    this.leave(ws, topic);
    return true;
  }

  isSubscribed(ws: WebSocket, topic: string): boolean {
    return this.memberships.get(ws)?.has(topic) ?? false;
  }

  topicsOf(ws: WebSocket): readonly string[] {
    const topics = this.memberships.get(ws);
    return Object.freeze(topics === undefined ? [] : [...topics]);
  }

  /** The socket stopped being open: it leaves every topic at once. */
  leaveAll(ws: WebSocket): void {
    const topics = this.memberships.get(ws);
    if (topics === undefined) return;
    this.memberships.delete(ws);
    for (const topic of topics) this.leave(ws, topic);
  }

  subscriberCount(topic: string): number {
    checkTopic(topic, this.limits.maxTopicLength);
    return this.subscribers.get(topic)?.size ?? 0;
  }

  /** Deliver here (skipping `sender`) and to the other nodes; returns the local count. */
  publish(topic: string, data: unknown, options: PublishOptions | undefined, sender: WebSocket | null): number {
    checkTopic(topic, this.limits.maxTopicLength);
    if (isBlob(data)) {
      throw new WebSocketError(ErrorCode.InvalidDataType, 'publish() cannot take a Blob: pass await blob.arrayBuffer() instead', 0);
    }
    const payload = toPayload(data);
    const binary = options?.binary ?? typeof payload !== 'string';
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (bytes.length > this.limits.maxPayload) {
      throw new WebSocketError(
        'WS_ERR_MESSAGE_TOO_BIG',
        `The message is ${bytes.length} bytes: subscribers accept at most ${this.limits.maxPayload} (option maxPayload)`,
        0,
      );
    }
    const compress = options?.compress === true;
    const count = this.deliverLocal(topic, bytes, binary, compress, sender);
    this.bus.publish({ topic, data: bytes, binary, compress });
    return count;
  }

  /** A publish from another node (PubSubNode). */
  deliver(message: PubSubMessage): void {
    this.deliverLocal(message.topic, message.data, message.binary, message.compress, null);
  }

  /** A bus failure (PubSubNode). */
  error(error: Error & { code?: string }): void {
    this.reportError(error);
  }

  synced(): Promise<void> {
    return this.bus.synced();
  }

  close(): Promise<void> {
    return this.bus.close();
  }

  private deliverLocal(topic: string, bytes: Buffer, binary: boolean, compress: boolean, sender: WebSocket | null): number {
    const sockets = this.subscribers.get(topic);
    if (sockets === undefined) return 0;
    const frames = new PublishFrames(bytes, binary, compress);
    let count = 0;
    const skipAbove = this.limits.skipAbove;
    for (const ws of sockets) {
      if (ws === sender) continue;
      if (skipAbove !== Infinity && ws.bufferedAmount + bytes.length > skipAbove) {
        const skipped = (this.skips.get(ws) ?? 0) + 1;
        this.skips.set(ws, skipped);
        this.reportSkip(ws, topic, bytes.length, skipped);
        continue;
      }
      if (ws[kSendShared](frames.frameFor(ws), bytes, binary)) count++;
    }
    return count;
  }

  private leave(ws: WebSocket, topic: string): void {
    const sockets = this.subscribers.get(topic);
    if (sockets === undefined || !sockets.delete(ws) || sockets.size > 0) return;
    this.subscribers.delete(topic);
    this.bus.unsubscribe(topic);
  }
}
