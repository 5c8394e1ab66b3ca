import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { WebSocket, type WebSocketOptions } from '../index.js';
import { HumanReporter, JsonReporter, type ConnectReporter, type HandshakeFailure, type Initiator } from './connect-reporter.js';
import { runReconnecting } from './connect-reconnect.js';
import { ExitCode } from './exit-codes.js';
import { codeWithName } from './format.js';
import type { CliIo } from './io.js';
import { historyPath, interactiveInput, pipedInput, type LineInput } from './line-input.js';
import { parseLine, SLASH_HELP } from './slash-commands.js';
import { colorsWanted, createStyle } from './style.js';
import { UsageError } from './usage-error.js';

export interface ConnectConfig {
  url: string;
  headers: Record<string, string>;
  subprotocols: string[];
  origin?: string;
  insecure: boolean;
  proxy?: string;
  compress: boolean;
  followRedirects: boolean;
  execute: string[];
  waitMs: number;
  /** Close once this many messages have arrived (null: no limit). */
  count: number | null;
  json: boolean;
  verbose: boolean;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  /** --reconnect: run over a ReconnectingWebSocket (see connect-reconnect.ts). */
  reconnect?: boolean;
  reconnectMinDelayMs?: number;
  /** --http2 (true) or --http2-auto ('auto'); absent: HTTP/1.1. */
  http2?: true | 'auto';
}

const BODY_LIMIT = 4096;

/**
 * One `socketeer connect` session: open the connection, feed it lines (typed,
 * piped, or from --execute), report every event, and resolve with the exit
 * status once the connection is closed.
 */
export async function runConnect(config: ConnectConfig, io: CliIo): Promise<number> {
  if (config.reconnect === true) return runReconnecting(config, io);
  const options: WebSocketOptions = {
    headers: config.headers,
    perMessageDeflate: config.compress,
    handshakeTimeout: config.connectTimeoutMs,
    closeTimeout: config.closeTimeoutMs,
    followRedirects: config.followRedirects,
  };
  if (config.origin !== undefined) options.origin = config.origin;
  if (config.proxy !== undefined) options.proxy = config.proxy;
  if (config.insecure) options.rejectUnauthorized = false;
  if (config.http2 !== undefined) options.http2 = config.http2;

  let ws: WebSocket;
  try {
    ws = new WebSocket(config.url, config.subprotocols, options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  // The prompt and line editing need a terminal on both ends; `connect url > log` reads lines plainly.
  const terminal = io.stdin.isTTY === true && io.stdout.isTTY === true;
  const mode = config.execute.length > 0 ? 'execute' : !config.json && terminal ? 'interactive' : 'piped';
  let input: LineInput | null = null;
  const reporter: ConnectReporter = config.json
    ? new JsonReporter((line) => io.stdout.write(line + '\n'))
    : new HumanReporter(
        (line) => (input === null ? io.stdout.write(line + '\n') : input.print(line)),
        (line) => io.stderr.write(line + '\n'),
        createStyle(colorsWanted(io.stdout, io.env)),
      );

  let opened = false;
  let initiator: Initiator | null = null;
  let failure: HandshakeFailure | null = null;
  let upgrade: { statusCode: number; rawHeaders: string[]; httpVersion: string } | null = null;
  let waitTimer: NodeJS.Timeout | null = null;
  let interrupts = 0;
  let messagesReceived = 0;
  const pings: Array<{ data: Buffer; at: number }> = [];

  const requestClose = (code = 1000, reason?: string): void => {
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
    } else if (ws.readyState === WebSocket.OPEN) {
      ws.close(code, reason);
      initiator ??= 'client';
    }
  };

  const interrupt = (): void => {
    interrupts++;
    if (interrupts === 1 && ws.readyState === WebSocket.OPEN) {
      reporter.notice('closing (press Ctrl-C again to drop the connection)');
      requestClose();
    } else {
      initiator ??= 'client';
      ws.terminate();
    }
  };

  const handleLine = (line: string): void => {
    if (mode === 'interactive' && line === '') return;
    const action = parseLine(line);
    if (action.kind === 'help') {
      for (const text of SLASH_HELP.split('\n')) reporter.notice(text);
      return;
    }
    if (action.kind === 'invalid') {
      reporter.error(action.message);
      return;
    }
    if (action.kind === 'quit') {
      requestClose();
      return;
    }
    if (ws.readyState !== WebSocket.OPEN) {
      reporter.error('The connection is closing: nothing more can be sent');
      return;
    }
    try {
      if (action.kind === 'text') {
        ws.send(action.data);
        reporter.sent('text', action.data);
      } else if (action.kind === 'binary') {
        ws.send(action.data, { binary: true });
        reporter.sent('binary', action.data);
      } else if (action.kind === 'ping') {
        ws.ping(action.data);
        pings.push({ data: action.data, at: performance.now() });
        reporter.sent('ping', action.data);
      } else {
        const code = action.code ?? 1000;
        requestClose(code, action.reason);
        reporter.notice(`closing with ${codeWithName(code)}${action.reason === undefined ? '' : ` "${action.reason}"`}`);
      }
    } catch (error) {
      // DOMExceptions carry a numeric legacy code; their name is what people recognise.
      const code = (error as { code?: unknown }).code;
      reporter.error((error as Error).message, typeof code === 'string' ? code : (error as Error).name);
    }
  };

  // After the last scripted message: close now, after --wait, or once --count replies came.
  const afterInput = (): void => {
    if (config.count !== null && messagesReceived >= config.count) requestClose();
    else if (config.waitMs > 0) waitTimer = setTimeout(() => requestClose(), config.waitMs);
    else if (config.count === null) requestClose();
  };

  const startInput = (): void => {
    if (mode === 'execute') {
      for (const message of config.execute) handleLine(message);
      afterInput();
    } else if (mode === 'interactive') {
      reporter.notice('type a message and press Enter; /help lists commands; Ctrl-D or /quit leaves');
      input = interactiveInput(io.stdin, io.stdout, '> ', historyPath(io.env), { onLine: handleLine, onEnd: () => requestClose(), onInterrupt: interrupt });
    } else {
      input = pipedInput(io.stdin, io.stdout, {
        onLine: handleLine,
        onEnd: afterInput,
      });
    }
  };

  ws.on('upgrade', (response: { statusCode?: number; rawHeaders?: string[]; headers: IncomingHttpHeaders; httpVersion: string }) => {
    // An HTTP/2 answer has header fields but no rawHeaders.
    const rawHeaders = response.rawHeaders ?? Object.entries(response.headers).flatMap(([name, value]) => [name, String(value)]);
    upgrade = { statusCode: response.statusCode ?? 101, rawHeaders, httpVersion: response.httpVersion };
  });
  ws.on('unexpected-response', (_request: unknown, response: IncomingMessage) => {
    const status = response.statusCode ?? 0;
    const current: HandshakeFailure = {
      message: `the server answered ${status} ${response.statusMessage ?? ''} instead of 101 Switching Protocols`.replace(/ +instead/, ' instead') + redirectHint(status, response.headers.location),
      code: 'WS_ERR_UNEXPECTED_RESPONSE',
      status,
      statusText: response.statusMessage ?? '',
      rawHeaders: response.rawHeaders,
      body: '',
    };
    failure = current;
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size < BODY_LIMIT) chunks.push(chunk.subarray(0, BODY_LIMIT - size));
      size += chunk.length;
      current.body = Buffer.concat(chunks).toString('utf8') + (size > BODY_LIMIT ? `\n… (${size} bytes in all)` : '');
    });
  });
  ws.on('open', () => {
    opened = true;
    reporter.opened(
      { url: ws.url, protocol: ws.protocol, extensions: ws.extensions, status: upgrade?.statusCode ?? 101, rawHeaders: upgrade?.rawHeaders ?? [], httpVersion: upgrade?.httpVersion ?? '1.1' },
      config.verbose,
    );
    startInput();
  });
  ws.on('error', (error: Error & { code?: string; statusCode?: number; headers?: IncomingHttpHeaders }) => {
    if (!opened) {
      failure ??= {
        message: error.message,
        code: error.code,
        status: error.statusCode,
        rawHeaders: error.headers === undefined ? undefined : rawFromHeaders(error.headers),
      };
      return;
    }
    initiator ??= 'client';
    reporter.error(error.message, error.code);
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) reporter.received('binary', data);
    else reporter.received('text', data.toString('utf8'));
    messagesReceived++;
    if (config.count !== null && messagesReceived === config.count) requestClose();
  });
  ws.on('ping', (data: Buffer) => reporter.received('ping', data));
  ws.on('pong', (data: Buffer) => {
    const index = pings.findIndex((ping) => ping.data.equals(data));
    const rtt = index === -1 ? undefined : performance.now() - pings[index].at;
    if (index !== -1) pings.splice(index, 1);
    reporter.received('pong', data, rtt);
  });

  process.on('SIGINT', interrupt);
  const status = await new Promise<number>((resolve) => {
    ws.once('close', (code: number, reason: Buffer) => {
      if (!opened) {
        reporter.handshakeFailed(failure ?? { message: interrupts > 0 ? 'interrupted before the connection opened' : 'the connection closed before the handshake completed' });
        resolve(ExitCode.HandshakeFailed);
        return;
      }
      const wasClean = ws.closeWasClean;
      const who: Initiator = initiator ?? (wasClean || code !== 1006 ? 'server' : 'none');
      reporter.closed({ code, reason: reason.toString('utf8'), wasClean }, who);
      resolve(wasClean ? ExitCode.Ok : ExitCode.UncleanClose);
    });
  });
  process.removeListener('SIGINT', interrupt);
  if (waitTimer !== null) clearTimeout(waitTimer);
  (input as LineInput | null)?.close();
  return status;
}

function rawFromHeaders(headers: IncomingHttpHeaders): string[] {
  const raw: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) raw.push(name, one);
  }
  return raw;
}

function redirectHint(status: number, location: string | undefined): string {
  if (status < 300 || status > 399 || location === undefined) return '';
  return `: it redirects to ${location} (add -L to follow redirects)`;
}
