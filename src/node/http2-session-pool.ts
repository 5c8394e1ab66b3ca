import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';

/**
 * One HTTP/2 session per origin (and TLS options), shared by every WebSocket
 * the client opens to it over HTTP/2 and by nothing else. A session is
 * opened on first use, counts its WebSocket streams, stops holding the
 * process open while it has none, and closes (GOAWAY) after `idleTimeout` ms
 * without streams. A session that goes away leaves the pool at once, so the
 * next WebSocket opens a new one while the old streams finish.
 */

export interface Http2Target {
  secure: boolean;
  host: string;
  port: number;
  /** TLS options for wss (ca, rejectUnauthorized, servername, cert...). */
  tls: tls.ConnectionOptions;
  /** Close the session this many ms after its last WebSocket is gone. */
  idleTimeout: number;
}

/** A WebSocket's hold on a session; release() once its stream is closed. */
export interface Http2Lease {
  session: http2.ClientHttp2Session;
  release(): void;
}

/** The server does not do WebSocket over HTTP/2: say why (HTTP/1.1 can still work). */
export interface Http2Unavailable {
  unavailable: string;
}

interface Entry {
  ready: Promise<http2.ClientHttp2Session | Http2Unavailable>;
  session: http2.ClientHttp2Session | null;
  streams: number;
  idleTimer: NodeJS.Timeout | null;
  idleTimeout: number;
}

const pool = new Map<string, Entry>();

/** Sessions currently pooled (tests and diagnostics). */
export function pooledHttp2Sessions(): number {
  return pool.size;
}

export async function acquireHttp2Session(target: Http2Target): Promise<Http2Lease | Http2Unavailable> {
  const key = poolKey(target);
  let entry = pool.get(key);
  if (entry === undefined) {
    const created: Entry = { ready: null!, session: null, streams: 0, idleTimer: null, idleTimeout: target.idleTimeout };
    created.ready = openSession(target).then((result) => {
      if ('unavailable' in result) {
        if (pool.get(key) === created) pool.delete(key);
        return result;
      }
      created.session = result;
      const leave = () => {
        if (pool.get(key) === created) pool.delete(key);
      };
      result.on('goaway', leave);
      result.on('close', leave);
      result.on('error', leave);
      if (created.streams === 0) idle(created);
      return result;
    }, (error) => {
      if (pool.get(key) === created) pool.delete(key);
      throw error;
    });
    pool.set(key, created);
    entry = created;
  }
  entry.idleTimeout = target.idleTimeout;
  entry.streams++;
  busy(entry);
  let result: http2.ClientHttp2Session | Http2Unavailable;
  try {
    result = await entry.ready;
  } catch (error) {
    entry.streams--;
    throw error;
  }
  if ('unavailable' in result) return result;
  if (result.closed || result.destroyed) {
    entry.streams--;
    return acquireHttp2Session(target);
  }
  const held = entry;
  let released = false;
  return {
    session: result,
    release() {
      if (released) return;
      released = true;
      held.streams--;
      if (held.streams === 0) idle(held);
    },
  };
}

function busy(entry: Entry): void {
  if (entry.idleTimer !== null) clearTimeout(entry.idleTimer);
  entry.idleTimer = null;
  entry.session?.ref();
}

function idle(entry: Entry): void {
  const session = entry.session;
  if (session === null || session.closed || session.destroyed) return;
  // An idle session must not keep the process alive.
  session.unref();
  if (entry.idleTimer !== null) clearTimeout(entry.idleTimer);
  const close = () => {
    entry.idleTimer = null;
    for (const [key, value] of pool) if (value === entry) pool.delete(key);
    session.close();
  };
  if (entry.idleTimeout <= 0) close();
  else entry.idleTimer = setTimeout(close, entry.idleTimeout).unref();
}

/**
 * Connects, agrees on h2 (ALPN for TLS, prior knowledge for h2c) and waits
 * for the server's first SETTINGS: WebSocket over HTTP/2 needs
 * SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 there (RFC 8441 §3).
 */
function openSession(target: Http2Target): Promise<http2.ClientHttp2Session | Http2Unavailable> {
  return new Promise((resolve, reject) => {
    const authority = `${target.secure ? 'https' : 'http'}://${net.isIPv6(target.host) ? `[${target.host}]` : target.host}:${target.port}`;
    let settled = false;
    const done = (value: http2.ClientHttp2Session | Http2Unavailable | Error) => {
      if (settled) return;
      settled = true;
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    const start = (socket: net.Socket | tls.TLSSocket | null) => {
      const session = http2.connect(authority, {
        settings: { enablePush: false },
        ...(socket === null ? {} : { createConnection: () => socket }),
      });
      session.once('remoteSettings', (settings) => {
        if (settings.enableConnectProtocol === true) {
          done(session);
          return;
        }
        session.close();
        done({ unavailable: `${authority} speaks HTTP/2 but did not enable extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441)` });
      });
      session.once('error', (error: NodeJS.ErrnoException) => {
        // h2c to a server that only speaks HTTP/1.1 fails the connection preface.
        if (!target.secure && (error.code === 'ERR_HTTP2_ERROR' || error.code === 'ERR_HTTP2_SESSION_ERROR')) {
          done({ unavailable: `${authority} did not answer the HTTP/2 connection preface (${error.message})` });
        } else done(error);
      });
      session.once('close', () => done({ unavailable: `${authority} closed the connection before its HTTP/2 SETTINGS arrived` }));
    };
    if (!target.secure) {
      start(null);
      return;
    }
    const servername = target.tls.servername ?? (net.isIP(target.host) ? undefined : target.host);
    const socket = tls.connect({ ...target.tls, host: target.host, port: target.port, servername, ALPNProtocols: ['h2', 'http/1.1'] });
    socket.once('error', done);
    socket.once('secureConnect', () => {
      socket.removeListener('error', done);
      if (socket.alpnProtocol !== 'h2') {
        socket.destroy();
        done({ unavailable: `${authority} did not agree to HTTP/2 in TLS ALPN (it chose ${socket.alpnProtocol || 'nothing'})` });
        return;
      }
      start(socket);
    });
  });
}

// Sessions are shared only between connections with the same TLS options:
// objects (CA lists, keys, checkServerIdentity) compare by identity.
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

function poolKey(target: Http2Target): string {
  const parts = [target.secure ? 'https' : 'http', target.host, String(target.port)];
  for (const name of Object.keys(target.tls).sort()) {
    const value = (target.tls as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
      let id = objectIds.get(value);
      if (id === undefined) objectIds.set(value, (id = nextObjectId++));
      parts.push(`${name}=#${id}`);
    } else parts.push(`${name}=${String(value)}`);
  }
  return parts.join('|');
}
