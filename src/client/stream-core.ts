/**
 * WebSocketStream over any carrier (see link.ts): the names, promises,
 * errors and abort rules of the WHATWG explainer as Chromium ships them.
 * Reading pauses the carrier while `readable` holds its high-water mark;
 * a write settles once the frame reached the OS. Portable (no Node types).
 */
import { ErrorCode } from '../core/errors.js';
import { byteLength, type Dial, type Link, type LinkClose, type Outgoing } from './link.js';
import { closedUncleanly, handshakeAborted, handshakeFailed, writeAfterClose } from './stream-errors.js';
import { checkProtocols, parseStreamUrl } from './stream-url.js';

/** What `WebSocketStream.opened` resolves with. */
export interface WebSocketOpenInfo {
  /** Messages: text as strings, binary as ArrayBuffers. */
  readable: ReadableStream<string | ArrayBuffer>;
  /** Writes a string as text, an ArrayBuffer or a view as binary; a write settles when the frame reached the OS. */
  writable: WritableStream<string | ArrayBuffer | ArrayBufferView>;
  /** The subprotocol agreed on ('' when none). */
  protocol: string;
  /** The extensions agreed on ('' when none). */
  extensions: string;
}

/** The argument of `WebSocketStream.close()` (and what `closed` resolves with). */
export interface WebSocketCloseInfo {
  /** 1000 or 3000-4999 (default: 1000 with a reason, else a Close frame without a body). */
  closeCode?: number;
  /** Up to 123 UTF-8 bytes (default ''). */
  reason?: string;
}

/** Options of `WebSocketStream` besides the client options. */
export interface StreamCoreOptions {
  /** Subprotocols to offer. */
  protocols?: string[];
  /** Aborting it before the handshake completed rejects `opened` and `closed` with an `AbortError`; ignored after. */
  signal?: AbortSignal;
  /** Bytes `readable` may hold before socketeer stops reading the network (default 64 KiB). */
  readableHighWaterMark?: number;
}

export const DEFAULT_READABLE_HIGH_WATER_MARK = 64 * 1024;
const MAX_REASON_BYTES = 123;

type State = 'connecting' | 'open' | 'closing' | 'closed';

/** The WHATWG WebSocketStream over any carrier (see `WebSocketStream`). */
export class WebSocketStreamCore {
  /** The URL dialled. */
  readonly url: string;
  /** Resolves once the handshake completed; rejects with a `WebSocketError` (`closeCode` null) if it failed. */
  readonly opened: Promise<WebSocketOpenInfo>;
  /** Resolves after a clean closing handshake; rejects with a `WebSocketError` (1006) otherwise. */
  readonly closed: Promise<{ closeCode: number; reason: string }>;

  private state: State = 'connecting';
  private link: Link | null = null;
  private aborted = false;
  private resolveOpened!: (info: WebSocketOpenInfo) => void;
  private rejectOpened!: (error: unknown) => void;
  private resolveClosed!: (info: { closeCode: number; reason: string }) => void;
  private rejectClosed!: (error: unknown) => void;
  private readController: ReadableStreamDefaultController<string | ArrayBuffer> | null = null;
  private writeController: WritableStreamDefaultController | null = null;
  private readableDone = false;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => this.abortHandshake();

  /** `url` null: adopt a connection that is already open (`dial` ignores its arguments). */
  constructor(url: string | null, options: StreamCoreOptions, dial: Dial) {
    this.url = url === null ? '' : parseStreamUrl(url);
    const protocols = checkProtocols(options.protocols ?? []);
    this.opened = new Promise((resolve, reject) => {
      this.resolveOpened = resolve;
      this.rejectOpened = reject;
    });
    this.closed = new Promise((resolve, reject) => {
      this.resolveClosed = resolve;
      this.rejectClosed = reject;
    });
    // Nobody may be listening to either promise; neither should crash the process.
    this.opened.catch(() => {});
    this.closed.catch(() => {});
    const highWaterMark = options.readableHighWaterMark ?? DEFAULT_READABLE_HIGH_WATER_MARK;
    if (!(highWaterMark >= 0)) {
      throw Object.assign(new TypeError(`readableHighWaterMark must be a number >= 0, got ${String(highWaterMark)}`), { code: ErrorCode.InvalidOption });
    }
    this.signal = options.signal;
    if (this.signal?.aborted) {
      this.abortHandshake();
      return;
    }
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.link = dial(this.url, protocols, {
      open: (protocol, extensions) => this.onOpen(protocol, extensions, highWaterMark),
      message: (data, isBinary) => this.onMessage(data, isBinary),
      close: (info) => this.onClose(info),
    });
  }

  /**
   * Start the closing handshake: `closeCode` 1000 or 3000-4999, `reason` up
   * to 123 UTF-8 bytes (a reason alone means 1000). Before the handshake
   * completed, abandon it.
   */
  close(closeInfo?: WebSocketCloseInfo): void {
    let code = closeInfo?.closeCode;
    const reason = closeInfo?.reason ?? '';
    if (code !== undefined && !(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
      throw new DOMException(`The close code must be 1000 or from 3000 to 4999; ${code} is neither`, 'InvalidAccessError');
    }
    if (byteLength(String(reason)) > MAX_REASON_BYTES) {
      throw new DOMException(`The close reason must not be longer than ${MAX_REASON_BYTES} UTF-8 bytes`, 'SyntaxError');
    }
    if (code === undefined && reason !== '') code = 1000;
    this.startClose(code, String(reason));
  }

  /** `fromWritable`: the writable itself is closing or aborting, so it is not errored here. */
  private startClose(code: number | undefined, reason: string, fromWritable = false): void {
    if (this.link === null || this.state === 'closing' || this.state === 'closed') return;
    if (this.state === 'open') {
      this.state = 'closing';
      if (!fromWritable) this.writeController?.error(writeAfterClose());
    }
    // While connecting, the carrier abandons the handshake (and reports a close).
    this.link.close(code, reason);
  }

  private abortHandshake(): void {
    if (this.state !== 'connecting') return;
    this.aborted = true;
    this.state = 'closed';
    const error = handshakeAborted();
    this.rejectOpened(error);
    this.rejectClosed(error);
    this.link?.close();
  }

  private onOpen(protocol: string, extensions: string, highWaterMark: number): void {
    if (this.state !== 'connecting' || this.link === null) return;
    const link = this.link;
    this.state = 'open';
    this.signal?.removeEventListener('abort', this.onAbort);
    const readable = new ReadableStream<string | ArrayBuffer>(
      {
        start: (controller) => {
          this.readController = controller;
        },
        pull: () => link.resume(),
        cancel: (reason) => {
          this.readableDone = true;
          this.closeFor(reason);
        },
      },
      { highWaterMark, size: (chunk) => (typeof chunk === 'string' ? chunk.length : chunk.byteLength) },
    );
    const writable = new WritableStream<string | ArrayBuffer | ArrayBufferView>({
      start: (controller) => {
        this.writeController = controller;
      },
      write: (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (this.state !== 'open' || !link.isOpen) {
            reject(writeAfterClose());
            return;
          }
          const data: Outgoing = typeof chunk === 'string' || chunk instanceof ArrayBuffer || ArrayBuffer.isView(chunk) ? chunk : String(chunk);
          link.send(data, typeof data !== 'string', (error) => (error === undefined ? resolve() : reject(error)));
        }),
      close: () => this.closeFor(undefined, true),
      abort: (reason) => this.closeFor(reason, true),
    });
    this.resolveOpened({ readable, writable, protocol, extensions });
  }

  /** readable.cancel(reason) / writable.abort(reason): a WebSocketError-like reason picks the close code. */
  private closeFor(reason: unknown, fromWritable = false): void {
    const code = (reason as { closeCode?: unknown } | null)?.closeCode;
    if (typeof code === 'number' && (code === 1000 || (code >= 3000 && code <= 4999))) {
      const text = (reason as { reason?: unknown }).reason;
      this.startClose(code, typeof text === 'string' && byteLength(text) <= MAX_REASON_BYTES ? text : '', fromWritable);
    } else this.startClose(undefined, '', fromWritable);
  }

  private onMessage(data: unknown, isBinary: boolean): void {
    const controller = this.readController;
    if (controller === null || this.readableDone) return;
    const chunk = isBinary ? toArrayBuffer(data) : typeof data === 'string' ? data : decoder.decode(data as Uint8Array);
    controller.enqueue(chunk);
    // Nobody reads fast enough: stop taking bytes off the network until pull().
    if ((controller.desiredSize ?? 0) <= 0) this.link?.pause();
  }

  private onClose(info: LinkClose): void {
    if (this.aborted) return;
    const wasOpen = this.state === 'open' || this.state === 'closing';
    this.state = 'closed';
    this.signal?.removeEventListener('abort', this.onAbort);
    if (!wasOpen) {
      this.rejectOpened(handshakeFailed(info.error));
      this.rejectClosed(closedUncleanly(1006, ''));
      return;
    }
    if (info.wasClean) {
      if (!this.readableDone) {
        this.readableDone = true;
        this.readController?.close();
      }
      this.writeController?.error(writeAfterClose());
      this.resolveClosed({ closeCode: info.code, reason: info.reason });
      return;
    }
    const error = closedUncleanly(info.code, info.reason);
    if (!this.readableDone) {
      this.readableDone = true;
      this.readController?.error(error);
    }
    this.writeController?.error(error);
    this.rejectClosed(error);
  }
}

const decoder = new TextDecoder();

function toArrayBuffer(data: unknown): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  const view = data as ArrayBufferView;
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice().buffer;
}
