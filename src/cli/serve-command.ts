// `socketeer serve`: a WebSocket server for testing clients, with an access log.
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type WebSocketServerOptions } from '../index.js';
import { AccessLog } from './access-log.js';
import { ExitCode } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';
import { attachExec } from './serve-exec.js';
import { createOwnServer } from './serve-listen.js';
import cluster from 'node:cluster';
import { BROADCAST_TOPIC, runPrimary, serveBus, STOP_MESSAGE } from './serve-topics.js';
import { colorsWanted, createStyle } from './style.js';
import { flag, integerOption, parseCommandLine, stringList, stringValue, UsageError, type OptionSpecs } from './usage-error.js';

export const SERVE_USAGE = `Usage: socketeer serve [--port 8080] [--echo | --broadcast | --exec CMD] [options]

Run a WebSocket server for testing clients. Every connection, close and message
count goes to the access log on stdout. Ctrl-C closes every client with 1001
Going Away and exits (press it twice to drop them at once).

Modes (pick one; --echo is the default):
      --echo               send every message back to its sender, text as text, binary as binary
      --broadcast          send every message to every connected client, the sender included
      --exec CMD           run CMD (through the shell) per connection: each text message is
                           written to its stdin as a line, binary as raw bytes; each line it
                           prints is sent back as a text message. Its exit closes the
                           connection (1000 when it exits 0, 1011 otherwise); the connection's
                           close ends its stdin. It gets SOCKETEER_REMOTE, SOCKETEER_PATH and
                           SOCKETEER_PROTOCOL in its environment. Lines go out as soon as
                           CMD writes them: make it flush per line (sed -u, python3 -u).

Options:
  -p, --port PORT          port to listen on (default 8080; 0 picks a free one)
      --host HOST          address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
      --path PATH          accept WebSocket upgrades only at PATH (others get 404)
  -s, --subprotocol NAME   accept this subprotocol when a client offers it (repeatable)
      --no-compress        refuse permessage-deflate
      --cert FILE          serve wss:// with this PEM certificate (with --key)
      --key FILE           the PEM private key of --cert
      --http2              also serve WebSocket over HTTP/2 (RFC 8441): with --cert and
                           --key, HTTP/2 and HTTP/1.1 on one TLS port; without, h2c only
      --workers N          run N worker processes on the one port (node:cluster); --broadcast
                           reaches the clients of every worker
      --redis URL          share --broadcast with every server on this Redis (redis://host:port);
                           needs the redis package (npm install redis)
      --json               write the access log as one JSON object per line
  -q, --quiet              log connects and closes only, not each message
  -h, --help               this help

Examples:
  socketeer serve                                  # echo on ws://127.0.0.1:8080
  socketeer serve --port 9000 --broadcast          # a chat room for several clients
  socketeer serve --exec 'sed -u s/^/you:\ /'       # every line comes back prefixed
  socketeer serve --exec 'python3 -u bot.py' -s bot.v1 --host 0.0.0.0
  socketeer serve --port 0 --json | jq 'select(.event == "close")'
  socketeer serve --broadcast --workers 4          # one chat room over 4 processes
  socketeer serve --broadcast --redis redis://127.0.0.1:6379 --port 8081
  socketeer serve --http2 --cert cert.pem --key key.pem --port 8443

Exit status: 0 after Ctrl-C or SIGTERM, 1 when the server cannot listen
(such as a port in use), 2 on a usage error.`;

const OPTIONS: OptionSpecs = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  path: { type: 'string' },
  echo: { type: 'boolean' },
  broadcast: { type: 'boolean' },
  exec: { type: 'string' },
  subprotocol: { type: 'string', short: 's', multiple: true },
  'no-compress': { type: 'boolean' },
  workers: { type: 'string' },
  redis: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  http2: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

export type ServeMode = { kind: 'echo' } | { kind: 'broadcast' } | { kind: 'exec'; command: string };

export interface ServeConfig {
  port: number;
  host: string;
  path?: string;
  mode: ServeMode;
  subprotocols: string[];
  compress: boolean;
  json: boolean;
  quiet: boolean;
  /** Worker processes (0: serve in this process). */
  workers: number;
  redis?: string;
  cert?: string;
  key?: string;
  http2: boolean;
}

export function parseServeArgs(argv: string[]): ServeConfig | null {
  const parsed = parseCommandLine(argv, OPTIONS, 0);
  if (flag(parsed, 'help')) return null;
  const exec = stringValue(parsed, 'exec');
  const modes = [flag(parsed, 'echo'), flag(parsed, 'broadcast'), exec !== undefined].filter(Boolean).length;
  if (modes > 1) throw new UsageError('--echo, --broadcast and --exec are alternatives: pick one');
  if (exec !== undefined && exec.trim() === '') throw new UsageError('--exec wants a command, such as --exec "cat"');
  const path = stringValue(parsed, 'path');
  if (path !== undefined && !path.startsWith('/')) throw new UsageError(`--path wants a path starting with "/", got "${path}"`);
  const mode: ServeMode = exec !== undefined ? { kind: 'exec', command: exec } : flag(parsed, 'broadcast') ? { kind: 'broadcast' } : { kind: 'echo' };
  const config: ServeConfig = {
    port: integerOption('port', stringValue(parsed, 'port'), 8080, 0, 65535),
    host: stringValue(parsed, 'host') ?? '127.0.0.1',
    mode,
    subprotocols: stringList(parsed, 'subprotocol'),
    compress: !flag(parsed, 'no-compress'),
    json: flag(parsed, 'json'),
    quiet: flag(parsed, 'quiet'),
    workers: integerOption('workers', stringValue(parsed, 'workers'), 0, 1, 256),
    http2: flag(parsed, 'http2'),
  };
  const cert = stringValue(parsed, 'cert');
  const key = stringValue(parsed, 'key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError('--cert and --key go together: give both PEM files (certificate and private key)');
  }
  if (cert !== undefined) config.cert = cert;
  if (key !== undefined) config.key = key;
  if (path !== undefined) config.path = path;
  const redis = stringValue(parsed, 'redis');
  if (redis !== undefined && !/^rediss?:\/\//.test(redis)) throw new UsageError(`--redis wants a URL such as redis://127.0.0.1:6379, got "${redis}"`);
  if (redis !== undefined) config.redis = redis;
  return config;
}

export async function serveCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const config = parseServeArgs(argv);
  if (config === null) {
    io.stdout.write(SERVE_USAGE + '\n');
    return ExitCode.Ok;
  }
  return runServe(config, io);
}

/** Serve until SIGINT or SIGTERM; resolves with the exit status. */
export async function runServe(config: ServeConfig, io: CliIo): Promise<number> {
  if (config.workers > 0 && cluster.isPrimary) return runPrimary(config.workers, config.redis !== undefined, io);
  const pubsub = await serveBus(config.redis, io);
  if (pubsub instanceof Error) return ExitCode.Failure;
  const log = new AccessLog((line) => io.stdout.write(line + '\n'), config.json, config.quiet, createStyle(colorsWanted(io.stdout, io.env)));
  const own = createOwnServer(config);
  const options: WebSocketServerOptions = own === null
    ? { port: config.port, host: config.host, perMessageDeflate: config.compress }
    : { server: own.server, perMessageDeflate: config.compress };
  if (config.path !== undefined) options.path = config.path;
  if (config.subprotocols.length > 0) {
    const accepted = config.subprotocols;
    options.handleProtocols = (offered) => accepted.find((p) => offered.has(p)) ?? false;
  }
  if (pubsub !== undefined) options.pubsub = pubsub;
  const wss = new WebSocketServer(options);
  wss.on('pubsub-error', (error: Error) => log.serverError(error));
  own?.server.listen(config.port, config.host);

  const listening = await new Promise<Error | null>((resolve) => {
    wss.once('listening', () => resolve(null));
    wss.once('error', (error: Error) => resolve(error));
  });
  if (listening !== null) {
    const code = (listening as { code?: string }).code;
    const hint = code === 'EADDRINUSE' ? ` (port ${config.port} is taken: try another --port, or --port 0 for a free one)` : '';
    io.stderr.write(`socketeer serve: cannot listen on ${config.host}:${config.port}: ${listening.message}${hint}\n`);
    await wss.close().catch(() => undefined);
    await own?.close();
    return ExitCode.Failure;
  }
  wss.on('error', (error: Error) => log.serverError(error));
  const address = wss.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const modeText = (config.mode.kind === 'exec' ? `exec: ${config.mode.command}` : config.mode.kind) + (own === null ? '' : `, ${own.label}`);
  log.listening(`${own?.scheme ?? 'ws'}://${host}:${address.port}${config.path ?? '/'}`, address.port, modeText);

  let nextId = 1;
  const closedByUs = new WeakSet<WebSocket>();
  const outCounts = new Map<WebSocket, { in: number; out: number }>();
  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    const id = nextId++;
    const started = Date.now();
    const counts = { in: 0, out: 0 };
    const remote = `${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? '?'}`;
    log.connected(id, remote, request.url ?? '/', ws.protocol, ws.extensions, request.headers['user-agent'], request.httpVersion);
    const send = (target: WebSocket, data: Buffer | string, binary: boolean): void => {
      if (target.readyState !== WebSocket.OPEN) return;
      target.send(data, { binary });
      if (target === ws) counts.out++;
      else outCounts.get(target)!.out++;
    };
    outCounts.set(ws, counts);

    ws.on('error', () => undefined); // reported through the close event
    ws.on('close', (code: number, reason: Buffer) => {
      outCounts.delete(ws);
      const initiator = closedByUs.has(ws) ? 'server' : ws.closeWasClean ? 'client' : 'none';
      log.closed(id, { code, reason: reason.toString('utf8'), wasClean: ws.closeWasClean }, initiator, counts, Date.now() - started);
    });

    if (config.mode.kind === 'exec') {
      attachExec(ws, config.mode.command, { remote, path: request.url ?? '/', protocol: ws.protocol }, {
        sent: () => counts.out++,
        received: (data, isBinary) => {
          counts.in++;
          log.message(id, 'in', data, isBinary);
        },
        closing: () => closedByUs.add(ws),
        failed: (message) => log.note(id, message),
      });
      return;
    }
    if (config.mode.kind === 'broadcast') ws.subscribe(BROADCAST_TOPIC);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      counts.in++;
      log.message(id, 'in', data, isBinary);
      if (config.mode.kind === 'echo') send(ws, data, isBinary);
      else {
        wss.publish(BROADCAST_TOPIC, data, { binary: isBinary });
        for (const client of wss.clients) if (client.isSubscribed(BROADCAST_TOPIC)) outCounts.get(client)!.out++;
      }
    });
  });

  await new Promise<void>((resolve) => {
    let signals = 0;
    const stop = (signal: string): void => {
      signals++;
      if (signals === 1) {
        log.shutdown(signal, wss.clients.size);
        for (const client of wss.clients) closedByUs.add(client);
        void wss.close().then(() => resolve());
      } else {
        for (const client of wss.clients) client.terminate();
      }
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    // A worker of --workers: the primary asks it to stop (once, however many signals came).
    const onStop = (message: { socketeer?: string; signal?: string } | null) => {
      if (message?.socketeer === STOP_MESSAGE && signals === 0) stop(message.signal ?? 'SIGTERM');
    };
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    if (cluster.isWorker) process.on('message', onStop);
    wss.once('close', () => {
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
      process.removeListener('message', onStop);
    });
  });
  await own?.close();
  log.stopped();
  if (cluster.isWorker) process.disconnect(); // lets a worker of --workers exit
  return ExitCode.Ok;
}
