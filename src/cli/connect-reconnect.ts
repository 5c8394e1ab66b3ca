// `socketeer connect --reconnect`: the session over a ReconnectingWebSocket.
// Lines typed or piped while the connection is down are queued and sent after
// the reconnect; /close and /quit end it for good. Pings are not offered (the
// reconnecting client has no ping()).
import { ReconnectingWebSocket, type ReconnectingWebSocketOptions } from '../index.js';
import { HumanReporter, JsonReporter, type ConnectReporter } from './connect-reporter.js';
import type { ConnectConfig } from './connect-session.js';
import { ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';
import { pipedInput, type LineInput } from './line-input.js';
import { parseLine } from './slash-commands.js';
import { colorsWanted, createStyle } from './style.js';
import { UsageError } from './usage-error.js';

export async function runReconnecting(config: ConnectConfig, io: CliIo): Promise<number> {
  const options: ReconnectingWebSocketOptions = {
    headers: config.headers,
    perMessageDeflate: config.compress,
    handshakeTimeout: config.connectTimeoutMs,
    closeTimeout: config.closeTimeoutMs,
    followRedirects: config.followRedirects,
    reconnect: { minDelay: config.reconnectMinDelayMs ?? 500 },
  };
  if (config.origin !== undefined) options.origin = config.origin;
  if (config.proxy !== undefined) options.proxy = config.proxy;
  if (config.insecure) options.rejectUnauthorized = false;
  if (config.http2 !== undefined) options.http2 = config.http2;
  let rws: ReconnectingWebSocket;
  try {
    rws = new ReconnectingWebSocket(config.url, config.subprotocols, options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const reporter: ConnectReporter = config.json
    ? new JsonReporter((line) => io.stdout.write(line + '\n'))
    : new HumanReporter((line) => io.stdout.write(line + '\n'), (line) => io.stderr.write(line + '\n'), createStyle(colorsWanted(io.stdout, io.env)));
  let input: LineInput | null = null;
  let received = 0;
  let opened = false;
  const end = (code = 1000, reason?: string) => rws.close(code, reason);
  const handleLine = (line: string): void => {
    const action = parseLine(line);
    try {
      if (action.kind === 'text') {
        rws.send(action.data);
        reporter.sent('text', action.data);
      } else if (action.kind === 'binary') {
        rws.send(action.data, { binary: true });
        reporter.sent('binary', action.data);
      } else if (action.kind === 'close') end(action.code ?? 1000, action.reason);
      else if (action.kind === 'quit') end();
      else if (action.kind === 'invalid') reporter.error(action.message);
      else reporter.error('This command is not available with --reconnect');
    } catch (error) {
      reporter.error((error as Error).message, (error as { code?: string }).code);
    }
  };
  const afterInput = (): void => {
    if (config.count !== null && received >= config.count) end();
    else if (config.waitMs > 0) setTimeout(() => end(), config.waitMs).unref();
    else if (config.count === null) end();
  };
  rws.on('open', () => {
    opened = true;
    reporter.opened({ url: rws.url, protocol: rws.protocol, extensions: rws.extensions, status: 101, rawHeaders: [], httpVersion: config.http2 === true ? '2.0' : '1.1' }, false);
  });
  rws.on('reconnecting', (event: { attempt: number; delay: number; code: number }) => {
    reporter.notice(`connection lost (${event.code}); reconnect attempt ${event.attempt} in ${event.delay} ms`);
  });
  rws.on('reconnected', () => reporter.notice(`reconnected to ${rws.url}`));
  rws.on('error', (error: Error & { code?: string }) => reporter.error(error.message, error.code));
  rws.on('message', (data: Buffer, isBinary: boolean) => {
    reporter.received(isBinary ? 'binary' : 'text', isBinary ? data : data.toString('utf8'));
    received++;
    if (config.count !== null && received === config.count) end();
  });
  if (config.execute.length > 0) {
    for (const message of config.execute) handleLine(message);
    afterInput();
  } else {
    input = pipedInput(io.stdin, io.stdout, { onLine: handleLine, onEnd: afterInput });
  }
  const interrupt = () => end();
  process.on('SIGINT', interrupt);
  const closed = await rws.closed;
  process.removeListener('SIGINT', interrupt);
  (input as LineInput | null)?.close();
  if (!opened) {
    reporter.handshakeFailed({ message: 'could not connect (gave up reconnecting)' });
    return ExitCode.HandshakeFailed;
  }
  reporter.closed(closed, 'client');
  return closed.wasClean ? ExitCode.Ok : ExitCode.UncleanClose;
}
