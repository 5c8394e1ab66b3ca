// Records what crossed the wire during one case: the first bytes each way and
// a readable list of frames and TCP events with their times.
import { performance } from 'node:perf_hooks';
import { opcodeName } from './frames.js';
import type { Trace, TraceEvent } from './types.js';

const HEAD_BYTES = 512;
const MAX_EVENTS = 160;
const MAX_IMPORTANT_EVENTS = 40;

/** The byte count one way and a copy of its first HEAD_BYTES. */
class ByteHead {
  total = 0;
  private parts: Buffer[] = [];
  private kept = 0;

  add(buf: Buffer): void {
    this.total += buf.length;
    if (this.kept < HEAD_BYTES) {
      const part = buf.subarray(0, HEAD_BYTES - this.kept);
      this.parts.push(Buffer.from(part));
      this.kept += part.length;
    }
  }

  toJSON(): Trace['sent'] {
    return { total: this.total, head: Buffer.concat(this.parts).toString('hex') };
  }
}

export class TraceRecorder {
  readonly start = performance.now();
  private sent = new ByteHead();
  private received = new ByteHead();
  private events: TraceEvent[] = [];
  private dropped = 0;
  private important = 0;

  now(): number {
    return Math.round((performance.now() - this.start) * 10) / 10;
  }

  /** `important` events (close frames, TCP teardown) are kept even past the cap. */
  event(dir: TraceEvent['dir'], text: string, important = false): void {
    if (this.events.length < MAX_EVENTS || (important && this.important < MAX_IMPORTANT_EVENTS)) {
      if (this.events.length >= MAX_EVENTS) this.important++;
      this.events.push({ t: this.now(), dir, text });
    } else {
      this.dropped++;
    }
  }

  bytesOut(buf: Buffer): void {
    this.sent.add(buf);
  }

  bytesIn(buf: Buffer): void {
    this.received.add(buf);
  }

  toJSON(): Trace {
    return {
      sent: this.sent.toJSON(),
      received: this.received.toJSON(),
      events: this.events,
      eventsDropped: this.dropped,
    };
  }
}

export function describePayload(payload: Buffer): string {
  if (payload.length === 0) return '';
  const preview = payload.subarray(0, 32);
  const text = preview.toString('utf8');
  const printable = /^[\x20-\x7e]*$/.test(text) && Buffer.from(text, 'utf8').equals(preview);
  const more = payload.length > preview.length ? '...' : '';
  return printable ? ` "${text}${more}"` : ` 0x${preview.toString('hex')}${more}`;
}

export function describeFrame(f: {
  opcode: number;
  fin: boolean;
  rsv: number;
  masked?: boolean;
  payload: Buffer;
}): string {
  const flags = `${f.fin ? 'fin' : 'FIN=0'}${f.rsv ? ` RSV=${f.rsv}` : ''}${f.masked ? ' masked' : ''}`;
  let body = describePayload(f.payload);
  if (f.opcode === 8 && f.payload.length >= 2) {
    body = ` code=${f.payload.readUInt16BE(0)}${describePayload(f.payload.subarray(2))}`;
  }
  return `${opcodeName(f.opcode)} ${flags} len=${f.payload.length}${body}`;
}
