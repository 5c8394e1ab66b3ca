import type { CloseInfo } from '../index.js';
import { closeCodeName } from '../index.js';
import { describeBinary, printableText } from './format.js';
import type { Style } from './style.js';

export type ServerInitiator = 'client' | 'server' | 'none';

const PREVIEW = 60;

/** `socketeer serve`'s access log: one line (or JSON object) per event. */
export class AccessLog {
  constructor(
    private readonly write: (line: string) => void,
    private readonly json: boolean,
    private readonly quiet: boolean,
    private readonly style: Style,
  ) {}

  listening(url: string, port: number, mode: string): void {
    if (this.json) this.emit({ event: 'listening', url, port, mode });
    else this.line(this.style.yellow('*'), `listening on ${this.style.bold(url)} (${mode})`);
  }

  connected(id: number, remote: string, path: string, protocol: string, extensions: string, userAgent: string | undefined, httpVersion = '1.1'): void {
    if (this.json) {
      this.emit({ event: 'connect', id, remote, path, protocol, extensions, httpVersion, ...(userAgent === undefined ? {} : { userAgent }) });
      return;
    }
    const details = [httpVersion !== '1.1' && `http/${httpVersion}`, protocol && `protocol=${protocol}`, extensions && `extensions=${extensions}`, userAgent && `user-agent="${printableText(userAgent)}"`]
      .filter(Boolean)
      .join(' ');
    this.line(this.style.green(`#${id}`), `connect ${remote} ${printableText(path)}${details ? ' ' + this.style.dim(details) : ''}`);
  }

  message(id: number, direction: 'in' | 'out', data: Buffer, isBinary: boolean): void {
    if (this.quiet) return;
    if (this.json) {
      this.emit({ event: 'message', id, direction, type: isBinary ? 'binary' : 'text', length: data.length });
      return;
    }
    const marker = direction === 'in' ? '<' : '>';
    let text: string;
    if (isBinary) text = describeBinary(data, 16);
    else {
      const full = data.toString('utf8');
      const cut = full.length > PREVIEW ? `${full.slice(0, PREVIEW)}… (${data.length} bytes)` : full;
      text = `text "${printableText(cut)}"`;
    }
    this.line(this.style.cyan(`#${id}`), `${marker} ${text}`);
  }

  closed(id: number, info: CloseInfo, initiator: ServerInitiator, counts: { in: number; out: number }, durationMs: number): void {
    if (this.json) {
      this.emit({
        event: 'close',
        id,
        code: info.code,
        codeName: closeCodeName(info.code),
        reason: info.reason,
        wasClean: info.wasClean,
        initiator,
        messagesIn: counts.in,
        messagesOut: counts.out,
        durationMs,
      });
      return;
    }
    const s = this.style;
    const by = initiator === 'none' ? 'connection lost' : `by ${initiator}`;
    const reason = info.reason === '' ? 'no reason' : `reason "${printableText(info.reason)}"`;
    const clean = info.wasClean ? s.green('clean') : s.red('not clean');
    this.line(
      s.yellow(`#${id}`),
      `close ${info.code} ${closeCodeName(info.code)}, ${reason}, ${clean}, ${by}; messages in ${counts.in}, out ${counts.out}; ${(durationMs / 1000).toFixed(2)}s`,
    );
  }

  note(id: number, text: string): void {
    if (this.json) this.emit({ event: 'note', id, message: text });
    else this.line(this.style.yellow(`#${id}`), text);
  }

  serverError(error: Error): void {
    if (this.json) this.emit({ event: 'error', message: error.message, code: (error as { code?: string }).code });
    else this.line(this.style.red('!'), `server error: ${error.message}`);
  }

  shutdown(signal: string, clients: number): void {
    if (this.json) this.emit({ event: 'shutdown', signal, clients });
    else this.line(this.style.yellow('*'), `${signal}: closing ${clients} connection(s) with 1001 Going Away`);
  }

  stopped(): void {
    if (this.json) this.emit({ event: 'stopped' });
    else this.line(this.style.yellow('*'), 'stopped');
  }

  private emit(fields: Record<string, unknown>): void {
    this.write(JSON.stringify({ time: new Date().toISOString(), ...fields }));
  }

  private line(tag: string, text: string): void {
    this.write(`${this.style.dim(new Date().toISOString())} ${tag} ${text}`);
  }
}
