// The opening handshake done by hand on a raw socket, for both roles.
import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_HEAD = 16 * 1024;

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

export interface HttpHead {
  /** First line: "GET /path HTTP/1.1" or "HTTP/1.1 101 Switching Protocols". */
  startLine: string;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Map<string, string>;
  /** Bytes that followed the head (already WebSocket frames). */
  rest: Buffer;
}

/** Reads an HTTP head off the socket; rejects on timeout, close or an oversized head. */
export function readHttpHead(socket: Socket, timeoutMs: number): Promise<HttpHead> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const finish = (error: Error | null, head?: HttpHead) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (error) reject(error);
      else resolve(head!);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) {
        if (buf.length > MAX_HEAD) finish(new Error(`HTTP head larger than ${MAX_HEAD} bytes`));
        return;
      }
      socket.pause();
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
      }
      finish(null, { startLine: lines[0] ?? '', headers, rest: buf.subarray(end + 4) });
    };
    const onClose = () => finish(new Error('connection closed during the opening handshake'));
    const onError = (error: Error) => finish(error);
    const timer = setTimeout(
      () => finish(new Error(`no complete HTTP head within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.resume();
  });
}

export interface ClientHandshakeResult {
  rest: Buffer;
  /** The Sec-WebSocket-Extensions the server accepted, if any. */
  extensions: string;
}

/** Sends the client's upgrade request and checks the server's 101 answer. */
export async function clientHandshake(
  socket: Socket,
  hostHeader: string,
  path: string,
  timeoutMs: number,
  extensions?: string,
): Promise<ClientHandshakeResult> {
  const key = randomBytes(16).toString('base64');
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: ${hostHeader}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    'User-Agent: socketeer-conformance',
  ];
  if (extensions) lines.push(`Sec-WebSocket-Extensions: ${extensions}`);
  socket.write(lines.join('\r\n') + '\r\n\r\n');
  const head = await readHttpHead(socket, timeoutMs);
  const status = /^HTTP\/1\.1 (\d{3})/.exec(head.startLine);
  if (!status || status[1] !== '101') {
    throw new Error(`server answered "${head.startLine}" instead of 101 Switching Protocols`);
  }
  if ((head.headers.get('upgrade') ?? '').toLowerCase() !== 'websocket') {
    throw new Error('101 response without "Upgrade: websocket"');
  }
  if (head.headers.get('sec-websocket-accept') !== acceptKey(key)) {
    throw new Error('101 response with a wrong or missing Sec-WebSocket-Accept');
  }
  return { rest: head.rest, extensions: head.headers.get('sec-websocket-extensions') ?? '' };
}

/** Validates a client's upgrade request; returns the 101 response to send, or an error text. */
export function serverHandshakeResponse(head: HttpHead, extensions?: string): { response: string } | { error: string } {
  if (!/^GET \S+ HTTP\/1\.1$/.test(head.startLine)) return { error: 'not a GET HTTP/1.1 request' };
  if ((head.headers.get('upgrade') ?? '').toLowerCase() !== 'websocket') {
    return { error: 'missing "Upgrade: websocket"' };
  }
  if (!/\bupgrade\b/i.test(head.headers.get('connection') ?? '')) {
    return { error: 'missing "Connection: Upgrade"' };
  }
  if (head.headers.get('sec-websocket-version') !== '13') {
    return { error: 'Sec-WebSocket-Version is not 13' };
  }
  const key = head.headers.get('sec-websocket-key');
  if (!key || Buffer.from(key, 'base64').length !== 16) return { error: 'bad Sec-WebSocket-Key' };
  const response = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(key)}`,
  ];
  if (extensions) response.push(`Sec-WebSocket-Extensions: ${extensions}`);
  return { response: response.join('\r\n') + '\r\n\r\n' };
}

export function requestTarget(head: HttpHead): string {
  return head.startLine.split(' ')[1] ?? '/';
}
