// `socketeer serve --cert --key [--http2]`: the HTTP server the WebSocketServer
// is attached to when serve needs TLS or HTTP/2 (plain ws:// lets the
// WebSocketServer make its own).
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type http from 'node:http';
import https from 'node:https';
import { UsageError } from './usage-error.js';

export interface TransportConfig {
  /** PEM files for wss:// (both or neither). */
  cert?: string;
  key?: string;
  /** Serve WebSocket over HTTP/2 (RFC 8441): h2 with TLS (HTTP/1.1 too), h2c without. */
  http2: boolean;
}

export interface OwnServer {
  server: https.Server | http2.Http2Server | http2.Http2SecureServer;
  scheme: 'ws' | 'wss';
  /** What the listening line says beside the mode. */
  label: string;
  /** Close the server and every HTTP/2 session still open on it. */
  close(): Promise<void>;
}

const NOT_WEBSOCKET = 'This is a WebSocket server (socketeer serve): connect with a WebSocket client.\n';

function readPem(option: 'cert' | 'key', file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`--${option} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a PEM file`);
  }
}

/** Ordinary requests get 426: the server only speaks WebSocket. */
function refuse(_request: unknown, response: http.ServerResponse | http2.Http2ServerResponse): void {
  response.writeHead(426, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(NOT_WEBSOCKET);
}

/**
 * The server serve listens with, or null when the WebSocketServer's own
 * HTTP/1.1 server will do. Reads the PEM files now, so a bad path is a usage
 * error before anything listens.
 */
export function createOwnServer(config: TransportConfig): OwnServer | null {
  if ((config.cert === undefined) !== (config.key === undefined)) {
    throw new UsageError('--cert and --key go together: give both PEM files (certificate and private key)');
  }
  const tls = config.cert !== undefined && config.key !== undefined ? { cert: readPem('cert', config.cert), key: readPem('key', config.key) } : null;
  if (tls === null && !config.http2) return null;
  let server: OwnServer['server'];
  let label: string;
  if (config.http2) {
    server = tls !== null ? http2.createSecureServer({ ...tls, allowHTTP1: true }, refuse) : http2.createServer(refuse);
    label = tls !== null ? 'HTTP/2 and HTTP/1.1' : 'HTTP/2 cleartext, prior knowledge';
  } else {
    server = https.createServer(tls!, refuse);
    label = 'TLS';
  }
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  return {
    server,
    scheme: tls !== null ? 'wss' : 'ws',
    label,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.close();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
