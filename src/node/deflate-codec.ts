/**
 * MessageCodec over node:zlib for permessage-deflate (RFC 7692).
 *
 * One raw deflate and one raw inflate stream per connection, created lazily
 * and kept between messages for context takeover (reset after each message
 * when no_context_takeover applies). Operations of one direction run one at a
 * time in call order; each holds a slot of the process-wide ZlibLimiter while
 * zlib works. The inflater counts its output against the caller's budget as
 * it is produced and is destroyed the moment the budget is exceeded, so a
 * decompression bomb costs at most the budget plus one zlib chunk.
 */
import * as zlib from 'node:zlib';
import type { MessageCodec } from '../core/message-codec.js';
import type { DeflateCodecConfig } from '../core/extensions/permessage-deflate.js';
import { type Release, type ZlibLimiter, zlibLimiter } from './zlib-limiter.js';

type CodecError = Error & { code?: string };
type DecompressCallback = (error: CodecError | null, chunks: Buffer[], length: number) => void;
type CompressCallback = (error: Error | null, result: Buffer) => void;

/** RFC 7692 §7.2.1/§7.2.2: the end of a sync flush, removed by the sender and restored by the receiver. */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
/**
 * An empty message (or one whose deflate output is empty) is sent as one 0x00
 * byte: with the tail restored it is an empty stored block (RFC 7692 §7.2.3.6).
 * A fresh buffer each time: the core may mask payloads in place.
 */
const emptyMessage = (): Buffer => Buffer.from([0x00]);

/**
 * The inflater's output buffer. zlib's default (16 KiB) splits a 64 KiB
 * message into four thread-pool round trips and a concatenation; at 64 KiB
 * it is one round trip and the message is zlib's own buffer, not a copy
 * (permessage-deflate 64 KB server echo: 0.92-1.00x ws at 16 KiB, 1.07x at
 * 32 KiB, 1.12x at 64 KiB; docs/performance.md, round 7). The cost is this
 * buffer per connection that has inflated a message: 48 KiB more than the
 * default, next to the 32 KiB window zlib holds anyway.
 * `zlibInflateOptions.chunkSize` sets another size.
 */
export const INFLATE_CHUNK_SIZE = 64 * 1024;

/** The settings a raw deflater is made with, for one connection or for a message shared by many. */
export type DeflaterSettings = Pick<DeflateCodecConfig, 'level' | 'memLevel' | 'strategy' | 'deflateChunkSize'>;

/** zlib's options for a raw deflater with `settings` and a window of `windowBits`. */
export function deflaterOptions(settings: DeflaterSettings, windowBits: number): zlib.ZlibOptions {
  // See permessage-deflate.ts: an 8-bit limit is met by emitting no back-references.
  const huffmanOnly = windowBits < 9;
  const strategy = huffmanOnly ? zlib.constants.Z_HUFFMAN_ONLY : settings.strategy;
  return {
    windowBits: huffmanOnly ? 9 : windowBits,
    level: settings.level,
    memLevel: settings.memLevel,
    ...(settings.deflateChunkSize === undefined ? {} : { chunkSize: settings.deflateChunkSize }),
    ...(strategy === undefined ? {} : { strategy }),
  };
}

function codecError(code: string, message: string, cause?: unknown): CodecError {
  const error: CodecError = new Error(message, cause === undefined ? undefined : { cause });
  error.code = code;
  return error;
}

/** Runs tasks of one direction one after another, each inside a limiter slot. */
class Lane {
  private readonly tasks: Array<(finish: () => void) => void> = [];
  private busy = false;
  private release: Release | null = null;
  private closed = false;

  constructor(private readonly limiter: ZlibLimiter) {}

  push(task: (finish: () => void) => void): void {
    this.tasks.push(task);
    if (!this.busy) this.next();
  }

  close(): void {
    this.closed = true;
    this.tasks.length = 0;
    const release = this.release;
    this.release = null;
    release?.();
  }

  private next(): void {
    const task = this.tasks.shift();
    if (task === undefined) return;
    this.busy = true;
    this.limiter.run((release) => {
      if (this.closed) {
        release();
        return;
      }
      this.release = release;
      task(() => {
        if (this.release !== release) return; // closed meanwhile: slot already given back
        this.release = null;
        release();
        this.busy = false;
        if (!this.closed) this.next();
      });
    });
  }
}

export class DeflateCodec implements MessageCodec {
  private closed = false;
  private readonly inflateLane: Lane;
  private readonly deflateLane: Lane;

  private inflater: zlib.InflateRaw | null = null;
  /** Receives the inflater's output for the operation in progress. */
  private inflateSink: ((chunk: Buffer) => void) | null = null;
  private inflateFailure: ((error: CodecError) => void) | null = null;
  private inflaterEnded = false;
  /** Set once the inflate side has failed for good (bomb or corrupt data). */
  private inflateBroken: CodecError | null = null;

  private deflater: zlib.DeflateRaw | null = null;
  private deflateChunks: Buffer[] | null = null;
  private deflateFailure: ((error: Error) => void) | null = null;

  constructor(private readonly config: DeflateCodecConfig) {
    const limiter = zlibLimiter(config.concurrencyLimit);
    this.inflateLane = new Lane(limiter);
    this.deflateLane = new Lane(limiter);
  }

  decompress(data: Buffer, fin: boolean, maxBytes: number, callback: DecompressCallback): void {
    if (this.closed) return;
    this.inflateLane.push((finish) => {
      this.inflate(data, fin, maxBytes, (error, chunks, length) => {
        finish();
        if (!this.closed) callback(error, chunks, length);
      });
    });
  }

  compress(data: Buffer, fin: boolean, callback: CompressCallback): void {
    if (this.closed) return;
    this.deflateLane.push((finish) => {
      this.deflate(data, fin, (error, result) => {
        finish();
        if (!this.closed) callback(error, result);
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inflateLane.close();
    this.deflateLane.close();
    this.dropInflater();
    this.dropDeflater();
  }

  private createInflater(): zlib.InflateRaw {
    // zlib inflates an 8-bit peer fine with a 9-bit window; the extra 256
    // bytes also tolerate peers whose zlib rounds 8 up to 9 when deflating.
    const inflater = zlib.createInflateRaw({
      windowBits: Math.max(9, this.config.inflateWindowBits),
      chunkSize: this.config.inflateChunkSize ?? INFLATE_CHUNK_SIZE,
      // Every write flushes: a write's callback means its output is out, without
      // a separate flush() costing another threadpool round trip.
      flush: zlib.constants.Z_SYNC_FLUSH,
    });
    inflater.on('data', (chunk: Buffer) => this.inflateSink?.(chunk));
    inflater.on('error', (error: Error) => this.inflateFailure?.(error));
    inflater.on('end', () => {
      if (this.inflater === inflater) this.inflaterEnded = true;
    });
    this.inflaterEnded = false;
    return inflater;
  }

  private dropInflater(): void {
    const inflater = this.inflater;
    this.inflater = null;
    this.inflateSink = null;
    this.inflateFailure = null;
    // destroy() also stops zlib from processing the rest of a pending write.
    inflater?.destroy();
  }

  private inflate(data: Buffer, fin: boolean, maxBytes: number, done: DecompressCallback): void {
    if (this.inflateBroken !== null) {
      done(this.inflateBroken, [], 0);
      return;
    }
    if (this.inflaterEnded && this.inflater !== null) {
      // The peer ended its deflate stream (BFINAL) before the end of the message.
      if (data.length > 0) {
        this.failInflate(
          codecError('WS_ERR_INVALID_COMPRESSED_DATA', 'Compressed data continues after the final deflate block.'),
          done,
        );
        return;
      }
    } else if (this.inflater === null) {
      this.inflater = this.createInflater();
    }
    const inflater = this.inflater!;
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;

    this.inflateSink = (chunk) => {
      if (settled) return;
      length += chunk.length;
      if (length > maxBytes) {
        settled = true;
        this.failInflate(
          codecError(
            'WS_ERR_MESSAGE_TOO_BIG',
            `The decompressed message exceeds the limit of ${maxBytes} bytes; raise maxPayload to accept larger messages.`,
          ),
          done,
        );
        return;
      }
      chunks.push(chunk);
    };
    this.inflateFailure = (error) => {
      if (settled) return;
      settled = true;
      this.failInflate(
        codecError('WS_ERR_INVALID_COMPRESSED_DATA', `Invalid compressed data: ${error.message}`, error),
        done,
      );
    };

    const afterWrite = (error?: Error | null): void => {
      if (error) {
        // The write callback can see a zlib error before the 'error' event does.
        this.inflateFailure?.(error);
        return;
      }
      if (settled || this.closed) return;
      settled = true;
      this.inflateSink = null;
      this.inflateFailure = null;
      if (fin) {
        if (this.inflaterEnded) this.dropInflater();
        else if (this.config.inflateNoContextTakeover) inflater.reset();
      }
      done(null, chunks, length);
    };
    if (this.inflaterEnded) process.nextTick(afterWrite);
    // One write per frame: the tail is appended here rather than written on its own.
    else inflater.write(fin ? Buffer.concat([data, TAIL]) : data, afterWrite);
  }

  private failInflate(error: CodecError, done: DecompressCallback): void {
    this.inflateBroken = error;
    this.dropInflater();
    done(error, [], 0);
  }

  private createDeflater(): zlib.DeflateRaw {
    const deflater = zlib.createDeflateRaw({
      ...deflaterOptions(this.config, this.config.deflateWindowBits),
      // Every write ends with a sync flush (RFC 7692 §7.2.1), in the same threadpool round trip.
      flush: zlib.constants.Z_SYNC_FLUSH,
    });
    deflater.on('data', (chunk: Buffer) => this.deflateChunks?.push(chunk));
    deflater.on('error', (error: Error) => this.deflateFailure?.(error));
    return deflater;
  }

  private dropDeflater(): void {
    const deflater = this.deflater;
    this.deflater = null;
    this.deflateChunks = null;
    this.deflateFailure = null;
    deflater?.destroy();
  }

  private deflate(data: Buffer, fin: boolean, done: CompressCallback): void {
    const deflater = (this.deflater ??= this.createDeflater());
    const chunks: Buffer[] = [];
    let settled = false;
    this.deflateChunks = chunks;
    this.deflateFailure = (error) => {
      if (settled) return;
      settled = true;
      this.dropDeflater();
      done(error, Buffer.alloc(0));
    };
    const complete = (): void => {
      if (settled || this.closed) return;
      settled = true;
      this.deflateChunks = null;
      this.deflateFailure = null;
      let result = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (fin) {
        if (result.length >= 4 && result.subarray(result.length - 4).equals(TAIL)) {
          result = result.subarray(0, result.length - 4);
        }
        if (result.length === 0) result = emptyMessage();
        if (this.config.deflateNoContextTakeover) deflater.reset();
      }
      done(null, result);
    };
    if (data.length > 0) deflater.write(data, complete);
    else if (fin) deflater.flush(zlib.constants.Z_SYNC_FLUSH, complete);
    else process.nextTick(complete);
  }
}

/** A codec for one side of a connection with permessage-deflate negotiated. */
export function createDeflateCodec(config: DeflateCodecConfig): MessageCodec {
  return new DeflateCodec(config);
}
