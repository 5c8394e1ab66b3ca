import { closeCodeName, type CloseInfo } from '../index.js';
import { clockTime, codeWithName, describeBinary, headerLines, printableText } from './format.js';
import type { Style } from './style.js';

/** Who started the end of a connection, from the CLI's side (the client). */
export type Initiator = 'client' | 'server' | 'none';

export interface OpenInfo {
  url: string;
  protocol: string;
  extensions: string;
  status: number;
  rawHeaders: readonly string[];
  /** '1.1' for an upgrade, '2.0' for an extended CONNECT stream (--http2). */
  httpVersion: string;
}

export interface HandshakeFailure {
  message: string;
  code?: string;
  status?: number;
  statusText?: string;
  rawHeaders?: readonly string[];
  body?: string;
}

export type Frame = 'text' | 'binary' | 'ping' | 'pong';

/** Everything `socketeer connect` reports, in human or JSON form. */
export interface ConnectReporter {
  opened(info: OpenInfo, verbose: boolean): void;
  sent(kind: Frame, data: string | Buffer): void;
  received(kind: Frame, data: string | Buffer, rttMs?: number): void;
  closed(info: CloseInfo, initiator: Initiator): void;
  handshakeFailed(failure: HandshakeFailure): void;
  error(message: string, code?: string): void;
  notice(text: string): void;
}

const initiatorText: Record<Initiator, string> = {
  client: 'by the client (us)',
  server: 'by the server',
  none: 'without a closing handshake (connection lost)',
};

/** Lines for people: time, a direction marker, the content. */
export class HumanReporter implements ConnectReporter {
  constructor(
    private readonly print: (line: string) => void,
    private readonly printError: (line: string) => void,
    private readonly style: Style,
  ) {}

  opened(info: OpenInfo, verbose: boolean): void {
    const s = this.style;
    const details = [`protocol: ${info.protocol || '(none)'}`, `extensions: ${info.extensions || '(none)'}`];
    if (info.httpVersion === '2.0') details.unshift('over HTTP/2');
    this.line(s.yellow('*'), `connected to ${s.bold(info.url)} ${s.dim(`(${details.join(', ')})`)}`);
    if (verbose) {
      this.line(s.yellow('*'), info.httpVersion === '2.0' ? `HTTP/2 ${info.status} (extended CONNECT)` : `HTTP ${info.status} Switching Protocols`);
      for (const header of headerLines(info.rawHeaders)) this.line(s.yellow('*'), s.dim(`  ${header}`));
    }
  }

  sent(kind: Frame, data: string | Buffer): void {
    this.line(this.style.green('>'), this.content(kind, data));
  }

  received(kind: Frame, data: string | Buffer, rttMs?: number): void {
    const rtt = rttMs === undefined ? '' : this.style.dim(` (round trip ${rttMs.toFixed(2)} ms)`);
    this.line(this.style.cyan('<'), this.content(kind, data) + rtt);
  }

  closed(info: CloseInfo, initiator: Initiator): void {
    const s = this.style;
    const reason = info.reason === '' ? 'no reason' : `reason "${printableText(info.reason)}"`;
    const clean = info.wasClean ? s.green('clean') : s.red('not clean');
    this.line(s.yellow('*'), `closed ${initiatorText[initiator]}: ${s.bold(codeWithName(info.code))}, ${reason}, ${clean}`);
  }

  handshakeFailed(failure: HandshakeFailure): void {
    const s = this.style;
    const code = failure.code === undefined ? '' : s.dim(` [${failure.code}]`);
    this.printError(`${s.red('handshake failed:')} ${failure.message}${code}`);
    if (failure.status !== undefined) {
      this.printError(`HTTP ${failure.status} ${failure.statusText ?? ''}`.trimEnd());
      for (const header of headerLines(failure.rawHeaders ?? [])) this.printError(`  ${header}`);
    }
    if (failure.body !== undefined && failure.body !== '') {
      this.printError('');
      this.printError(printableText(failure.body.replace(/\n$/, ''), '  ').replace(/^/, '  '));
    }
  }

  error(message: string, code?: string): void {
    this.line(this.style.red('!'), `${message}${code === undefined ? '' : this.style.dim(` [${code}]`)}`);
  }

  notice(text: string): void {
    this.line(this.style.yellow('*'), text);
  }

  private content(kind: Frame, data: string | Buffer): string {
    const s = this.style;
    const indent = ' '.repeat(15);
    if (kind === 'text') return printableText(String(data), indent);
    if (kind === 'binary') return s.magenta(describeBinary(data as Buffer));
    const payload = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const shown = payload.length === 0 ? '' : ` ${printableText(payload.toString('utf8'))}`;
    return s.magenta(kind) + shown;
  }

  private line(marker: string, text: string): void {
    this.print(`${this.style.dim(clockTime())} ${marker} ${text}`);
  }
}

/** One JSON object a line on stdout, for jq and scripts. */
export class JsonReporter implements ConnectReporter {
  constructor(private readonly write: (line: string) => void) {}

  opened(info: OpenInfo): void {
    this.emit({ event: 'open', url: info.url, protocol: info.protocol, extensions: info.extensions, status: info.status, httpVersion: info.httpVersion, headers: headerObject(info.rawHeaders) });
  }

  sent(kind: Frame, data: string | Buffer): void {
    this.emit({ event: 'sent', type: kind, ...payloadFields(kind, data) });
  }

  received(kind: Frame, data: string | Buffer, rttMs?: number): void {
    const event = kind === 'text' || kind === 'binary' ? 'message' : kind;
    this.emit({ event, type: kind, ...payloadFields(kind, data), ...(rttMs === undefined ? {} : { rttMs: Number(rttMs.toFixed(3)) }) });
  }

  closed(info: CloseInfo, initiator: Initiator): void {
    this.emit({ event: 'close', code: info.code, codeName: closeCodeName(info.code), reason: info.reason, wasClean: info.wasClean, initiator });
  }

  handshakeFailed(failure: HandshakeFailure): void {
    this.emit({
      event: 'handshake-failed',
      message: failure.message,
      ...(failure.code === undefined ? {} : { code: failure.code }),
      ...(failure.status === undefined ? {} : { status: failure.status, statusText: failure.statusText ?? '', headers: headerObject(failure.rawHeaders ?? []) }),
      ...(failure.body === undefined ? {} : { body: failure.body }),
    });
  }

  error(message: string, code?: string): void {
    this.emit({ event: 'error', message, ...(code === undefined ? {} : { code }) });
  }

  notice(): void {
    // Notices are for people; scripts get the structured events.
  }

  private emit(fields: Record<string, unknown>): void {
    this.write(JSON.stringify({ time: new Date().toISOString(), ...fields }));
  }
}

function payloadFields(kind: Frame, data: string | Buffer): Record<string, unknown> {
  if (typeof data === 'string') return { data };
  if (kind !== 'binary') {
    const text = data.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(data)) return { data: text };
  }
  return { length: data.length, base64: data.toString('base64') };
}

/** Headers as an object of lower-case names (repeated ones joined with ", "). */
function headerObject(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    headers[name] = headers[name] === undefined ? rawHeaders[i + 1] : `${headers[name]}, ${rawHeaders[i + 1]}`;
  }
  return headers;
}
