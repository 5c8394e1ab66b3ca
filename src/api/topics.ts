import { WebSocketError } from '../core/errors.js';
import { frameHeaderSize, writeFrameHeader } from '../core/frame-serializer.js';
import { Opcode } from '../core/opcodes.js';
import { PubSubErrorCode as ErrorCode } from './pubsub-errors.js';
import { isBlob, toPayload } from './outgoing-data.js';
import type { PubSubBus, PubSubMessage, PubSubNode } from './pubsub-bus.js';
import type { SharedFrame } from './broadcast.js';
import type { SharedDeflateSettings } from '../node/shared-deflate.js';
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

export interface TopicSettings {
  maxTopicLength: number;
  maxPayload: number;
  /** Skip a subscriber whose buffered bytes plus the message would pass this (Infinity: never). */
  skipAbove: number;
  /** How `compress: true` publishes are deflated (the server's perMessageDeflate); null: never. */
  deflate: SharedDeflateSettings | null;
}

/** What a publish does to a subscriber whose buffer is full: see `slowSubscriberPolicy`. */
export type SlowSubscriberPolicy = 'close' | 'skip';

export type SkipReporter = (ws: WebSocket, topic: string, bytes: number, skipped: number) => void;

const busesInUse = new WeakSet<PubSubBus>();

/** Publishes from other nodes that arrive in one turn are joined into one write per subscriber up to this many bytes. */
const COALESCE_MAX_BYTES = 64 * 1024;

/** Publishes of one topic that arrived from the bus one after the other in the current turn. */
interface Arrived {
  topic: string;
  messages: PubSubMessage[];
  /** Their plain frames' bytes, all together. */
  bytes: number;
  /** One of them asked for compression (a subscriber with permessage-deflate may get another frame). */
  compress: boolean;
}

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
  /** Publishes from other nodes waiting for the end of this turn, in order, in runs of one topic (null: none). */
  private arrived: Arrived[] | null = null;
  private readonly flushArrived = () => this.deliverArrived();

  constructor(
    private readonly bus: PubSubBus,
    private readonly settings: TopicSettings,
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
    checkTopic(topic, this.settings.maxTopicLength);
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
    checkTopic(topic, this.settings.maxTopicLength);
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
    checkTopic(topic, this.settings.maxTopicLength);
    return this.subscribers.get(topic)?.size ?? 0;
  }

  /** Deliver here (skipping `sender`) and to the other nodes; returns the local count. */
  publish(topic: string, data: unknown, options: PublishOptions | undefined, sender: WebSocket | null): number {
    checkTopic(topic, this.settings.maxTopicLength);
    if (isBlob(data)) {
      throw new WebSocketError(ErrorCode.InvalidDataType, 'publish() cannot take a Blob: pass await blob.arrayBuffer() instead', 0);
    }
    const payload = toPayload(data);
    const binary = options?.binary ?? typeof payload !== 'string';
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (bytes.length > this.settings.maxPayload) {
      throw new WebSocketError(
        'WS_ERR_MESSAGE_TOO_BIG',
        `The message is ${bytes.length} bytes: subscribers accept at most ${this.settings.maxPayload} (option maxPayload)`,
        0,
      );
    }
    const compress = options?.compress === true;
    const count = this.deliverLocal(topic, bytes, binary, compress, sender);
    this.bus.publish({ topic, data: bytes, binary, compress });
    return count;
  }

  /**
   * A publish from another node (PubSubNode). A bus often hands over several
   * at once (Redis passes on what queued up in one read); they are written
   * at the end of the current turn (a microtask), in the order they came,
   * and a run of publishes to one topic in one write per subscriber instead
   * of one write (and one system call) per publish and subscriber.
   */
  deliver(message: PubSubMessage): void {
    if (!this.subscribers.has(message.topic)) return;
    if (this.arrived === null) {
      this.arrived = [];
      queueMicrotask(this.flushArrived);
    }
    const bytes = frameHeaderSize(message.data.length, false) + message.data.length;
    const arrived = this.arrived.at(-1);
    if (arrived === undefined || arrived.topic !== message.topic) {
      this.arrived.push({ topic: message.topic, messages: [message], bytes, compress: message.compress });
    } else {
      arrived.messages.push(message);
      arrived.bytes += bytes;
      arrived.compress ||= message.compress;
    }
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
    const frames = new PublishFrames(bytes, binary, compress, this.settings.deflate);
    let count = 0;
    for (const ws of sockets) {
      if (ws !== sender && this.sendOne(ws, topic, frames)) count++;
    }
    return count;
  }

  /**
   * One publish to one subscriber, unless the 'skip' policy leaves it out:
   * the frame it would get (header included, deflated or not) is what must
   * fit under the cap, as for a joined run.
   */
  private sendOne(ws: WebSocket, topic: string, frames: PublishFrames): boolean {
    const bytes = frames.payload;
    const frame = frames.frameFor(ws);
    const skipAbove = this.settings.skipAbove;
    if (skipAbove !== Infinity && ws.bufferedAmount + frame.head.length + (frame.tail?.length ?? 0) > skipAbove) {
      const skipped = (this.skips.get(ws) ?? 0) + 1;
      this.skips.set(ws, skipped);
      this.reportSkip(ws, topic, bytes.length, skipped);
      return false;
    }
    return ws[kSendShared](frame, bytes, frames.binary);
  }

  /**
   * The end of a turn in which publishes arrived from the bus. A run of one
   * publish goes out as a local publish does. With several, every subscriber
   * gets their plain frames joined in one buffer (one write, one system
   * call), written as a shared frame: topics live only on server sockets,
   * which write shared bytes as they are. A subscriber with
   * permessage-deflate when one of them asked for compression, or one that
   * the joined bytes would take past the 'skip' cap, gets them one by one
   * instead, exactly as a local publish would (each checked on its own);
   * so does every subscriber when the join would pass COALESCE_MAX_BYTES.
   */
  private deliverArrived(): void {
    const arrived = this.arrived!;
    this.arrived = null;
    for (const { topic, messages, bytes, compress } of arrived) {
      if (messages.length === 1 || bytes > COALESCE_MAX_BYTES) {
        for (const m of messages) this.deliverLocal(topic, m.data, m.binary, m.compress, null);
        continue;
      }
      const sockets = this.subscribers.get(topic);
      if (sockets === undefined) continue;
      const skipAbove = this.settings.skipAbove;
      let joined: SharedFrame | null = null;
      let frames: PublishFrames[] | null = null;
      for (const ws of sockets) {
        if ((compress && ws.extensions !== '') || (skipAbove !== Infinity && ws.bufferedAmount + bytes > skipAbove)) {
          frames ??= messages.map((m) => new PublishFrames(m.data, m.binary, m.compress, this.settings.deflate));
          for (const f of frames) this.sendOne(ws, topic, f);
          continue;
        }
        joined ??= joinFrames(messages, bytes);
        ws[kSendShared](joined, joined.head, true);
      }
    }
  }

  private leave(ws: WebSocket, topic: string): void {
    const sockets = this.subscribers.get(topic);
    if (sockets === undefined || !sockets.delete(ws) || sockets.size > 0) return;
    this.subscribers.delete(topic);
    this.bus.unsubscribe(topic);
  }
}

/** The plain (unmasked, uncompressed) frames of several publishes, back to back in one buffer. */
function joinFrames(messages: readonly PubSubMessage[], bytes: number): SharedFrame {
  const head = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const m of messages) {
    at += writeFrameHeader(head.subarray(at), true, false, m.binary ? Opcode.Binary : Opcode.Text, m.data.length, null);
    at += m.data.copy(head, at);
  }
  return { head, tail: null };
}
