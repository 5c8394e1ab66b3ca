// `socketeer connect <url>`: command line to ConnectConfig, then the session.
import { DEFAULT_CLOSE_TIMEOUT, DEFAULT_HANDSHAKE_TIMEOUT } from '../index.js';
import { runConnect, type ConnectConfig } from './connect-session.js';
import { processIo, type CliIo } from './io.js';
import { durationOption, flag, headerOptions, integerOption, parseCommandLine, stringList, stringValue, urlArgument, UsageError, type OptionSpecs } from './usage-error.js';

export const CONNECT_USAGE = `Usage: socketeer connect <ws[s]://host[:port][/path]> [options]

Open a WebSocket and talk to it. On a terminal, lines you type are sent as text
messages (with history and line editing); from a pipe, each input line is one
message. Every event prints with a time and a marker: > sent, < received,
* connection events, ! errors. Binary messages show their length and first bytes.

Options:
  -H, --header "Name: value"   add a request header (repeatable)
  -s, --subprotocol NAME       offer a subprotocol (repeatable, in preference order)
      --origin URL             send this Origin header
  -k, --insecure               accept any TLS certificate (self-signed test servers)
      --proxy http://HOST:PORT tunnel through an HTTP proxy (CONNECT)
      --http2                  open the WebSocket over HTTP/2 (RFC 8441): h2 on wss://,
                               h2c on ws://; fails when the server does not offer it
      --http2-auto             HTTP/2 when the wss:// server offers it, else HTTP/1.1
      --compress               offer permessage-deflate (the default)
      --no-compress            do not offer permessage-deflate
  -L, --location               follow HTTP redirects during the handshake
  -x, --execute MESSAGE        send MESSAGE, then close (repeatable; slash commands work)
  -w, --wait DURATION          after --execute or the end of piped input, wait this
                               long for replies before closing (500ms, 2s, 1m; bare = ms)
  -n, --count N                close once N messages have arrived (with --wait: at most
                               that long; without: as long as it takes)
      --json                   print one JSON object per event (for jq and scripts)
  -v, --verbose                show the server's handshake response headers
      --connect-timeout DUR    give up on the opening handshake after DUR (default ${DEFAULT_HANDSHAKE_TIMEOUT / 1000}s)
      --close-timeout DUR      wait this long for the server during the close (default ${DEFAULT_CLOSE_TIMEOUT / 1000}s)
      --reconnect              reconnect with backoff when the connection drops; lines sent while
                               down are queued (piped or --execute input; no /ping)
      --reconnect-delay DUR    the smallest wait before a reconnect (default 500ms)
  -h, --help                   this help

Slash commands (typed, piped or in --execute):
  /ping [data]             send a ping; the pong shows the round trip
  /close [code] [reason]   start the closing handshake (default 1000)
  /binary <hex|@file>      send binary: "/binary 01 ff 7a" or "/binary @photo.png"
  /quit                    close with 1000 and exit (Ctrl-D too; Ctrl-C twice drops)
  //text                   send "/text" as text

Examples:
  socketeer connect ws://127.0.0.1:8080
  socketeer connect wss://echo.example.com -H "Authorization: Bearer $TOKEN" -s chat.v2
  socketeer connect ws://localhost:8080 -x hello -x "/binary 00 01 02" --wait 1s
  socketeer connect ws://localhost:8080/api -x '{"op":"time"}' -n 1 --json | jq -r .data
  echo '{"op":"subscribe"}' | socketeer connect ws://localhost:8080/feed --wait 5s --json | jq .
  socketeer connect wss://localhost:8443 --insecure --no-compress --proxy http://127.0.0.1:3128
  socketeer connect wss://localhost:8443 --http2 --insecure -x hello --wait 1s

Exit status: 0 after a clean close, 1 on a run-time error, 2 on a usage error,
3 when the handshake failed, 4 when the connection ended without a clean close.`;

const OPTIONS: OptionSpecs = {
  header: { type: 'string', short: 'H', multiple: true },
  subprotocol: { type: 'string', short: 's', multiple: true },
  origin: { type: 'string' },
  insecure: { type: 'boolean', short: 'k' },
  proxy: { type: 'string' },
  compress: { type: 'boolean' },
  'no-compress': { type: 'boolean' },
  location: { type: 'boolean', short: 'L' },
  execute: { type: 'string', short: 'x', multiple: true },
  wait: { type: 'string', short: 'w' },
  count: { type: 'string', short: 'n' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  'connect-timeout': { type: 'string' },
  'close-timeout': { type: 'string' },
  reconnect: { type: 'boolean' },
  'reconnect-delay': { type: 'string' },
  http2: { type: 'boolean' },
  'http2-auto': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** Parse `connect`'s arguments; null means --help was asked for. */
export function parseConnectArgs(argv: string[]): ConnectConfig | null {
  const parsed = parseCommandLine(argv, OPTIONS, 1);
  if (flag(parsed, 'help')) return null;
  const url = urlArgument(parsed, 'connect');
  if (flag(parsed, 'compress') && flag(parsed, 'no-compress')) {
    throw new UsageError('--compress and --no-compress contradict each other: pick one');
  }
  const headers = headerOptions(parsed);
  const proxy = stringValue(parsed, 'proxy');
  if (proxy !== undefined && !/^https?:\/\//i.test(proxy)) {
    throw new UsageError(`--proxy wants an http:// URL such as http://127.0.0.1:3128, got "${proxy}"`);
  }
  const config: ConnectConfig = {
    url,
    headers,
    subprotocols: stringList(parsed, 'subprotocol'),
    insecure: flag(parsed, 'insecure'),
    compress: !flag(parsed, 'no-compress'),
    followRedirects: flag(parsed, 'location'),
    execute: stringList(parsed, 'execute'),
    waitMs: durationOption('wait', stringValue(parsed, 'wait'), 0, 'ms'),
    count: stringValue(parsed, 'count') === undefined ? null : integerOption('count', stringValue(parsed, 'count'), 0, 1),
    json: flag(parsed, 'json'),
    verbose: flag(parsed, 'verbose'),
    connectTimeoutMs: durationOption('connect-timeout', stringValue(parsed, 'connect-timeout'), DEFAULT_HANDSHAKE_TIMEOUT, 'ms'),
    closeTimeoutMs: durationOption('close-timeout', stringValue(parsed, 'close-timeout'), DEFAULT_CLOSE_TIMEOUT, 'ms'),
  };
  if (flag(parsed, 'reconnect')) {
    config.reconnect = true;
    config.reconnectMinDelayMs = durationOption('reconnect-delay', stringValue(parsed, 'reconnect-delay'), 500, 'ms');
  }
  if (flag(parsed, 'http2') && flag(parsed, 'http2-auto')) {
    throw new UsageError('--http2 and --http2-auto contradict each other: --http2 insists on HTTP/2, --http2-auto falls back to HTTP/1.1');
  }
  if (flag(parsed, 'http2')) config.http2 = true;
  if (flag(parsed, 'http2-auto')) config.http2 = 'auto';
  if (config.http2 === true && proxy !== undefined) {
    throw new UsageError('--http2 cannot go through --proxy: use --http2-auto (HTTP/1.1 through the proxy) or drop --proxy');
  }
  const origin = stringValue(parsed, 'origin');
  if (origin !== undefined) config.origin = origin;
  if (proxy !== undefined) config.proxy = proxy;
  return config;
}

export async function connectCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const config = parseConnectArgs(argv);
  if (config === null) {
    io.stdout.write(CONNECT_USAGE + '\n');
    return 0;
  }
  return runConnect(config, io);
}
