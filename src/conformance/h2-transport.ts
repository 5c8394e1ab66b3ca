// The tester's client side over HTTP/2 (RFC 8441): one HTTP/2 session per
// case, an extended CONNECT by hand with node:http2 (never socketeer's own
// client), and the stream that carries the frames. END_STREAM plays the part
// of TCP FIN, RST_STREAM that of a reset.
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { ConformanceError } from './errors.js';

export interface H2Target {
  /** http://host:port or https://host:port: what http2.connect takes. */
  authorityUrl: string;
  /** The :authority and :scheme of the CONNECT. */
  authority: string;
  scheme: 'http' | 'https';
  path: string;
}

export interface H2Opened {
  stream: Duplex;
  /** sec-websocket-extensions of the 200 answer ('' when absent). */
  extensions: string;
  /** Ends the case's HTTP/2 session (after the stream closed). */
  close(): void;
  /** True once the stream closed with an RST_STREAM other than NO_ERROR. */
  wasReset(): boolean;
}

/** ws:// and http:// are h2c (prior knowledge); wss:// and https:// are h2 over TLS. */
export function parseH2Target(url: string): H2Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConformanceError('ERR_CONFORMANCE_URL', `"${url}" is not a URL; pass the echo server as https://host:port/path (h2) or http://host:port/path (h2c)`);
  }
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
  if (!secure && parsed.protocol !== 'http:' && parsed.protocol !== 'ws:') {
    throw new ConformanceError('ERR_CONFORMANCE_URL', `--http2 takes https://, wss://, http:// or ws:// URLs (got ${parsed.protocol}//)`);
  }
  const scheme = secure ? 'https' : 'http';
  return { authorityUrl: `${scheme}://${parsed.host}`, authority: parsed.host, scheme, path: `${parsed.pathname || '/'}${parsed.search}` };
}

function connectSession(target: H2Target, timeoutMs: number): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    // The suite judges WebSocket framing, not certificates: test servers are self-signed.
    const session = http2.connect(target.authorityUrl, target.scheme === 'https' ? { rejectUnauthorized: false } : {});
    const timer = setTimeout(() => fail(new Error(`no HTTP/2 SETTINGS within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      session.destroy();
      reject(error);
    };
    session.once('error', fail);
    session.once('remoteSettings', (settings) => {
      clearTimeout(timer);
      session.off('error', fail);
      session.on('error', () => {});
      if (settings.enableConnectProtocol !== true) {
        session.destroy();
        reject(new Error('the server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL: it does not accept WebSocket over HTTP/2'));
        return;
      }
      resolve(session);
    });
  });
}

/** Opens one WebSocket stream: the extended CONNECT and its 200 answer. */
export async function openH2Stream(target: H2Target, timeoutMs: number, extensions: string | undefined): Promise<H2Opened> {
  const session = await connectSession(target, timeoutMs);
  const headers: http2.OutgoingHttpHeaders = {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': target.scheme,
    ':authority': target.authority,
    ':path': target.path,
    'sec-websocket-version': '13',
  };
  if (extensions) headers['sec-websocket-extensions'] = extensions;
  let stream: http2.ClientHttp2Stream;
  try {
    stream = session.request(headers, { endStream: false });
  } catch (error) {
    session.destroy();
    throw error;
  }
  let reset = false;
  stream.on('close', () => {
    if (stream.rstCode !== undefined && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) reset = true;
  });
  const answer = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no answer to the extended CONNECT within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      stream.destroy();
      session.destroy();
      reject(error);
    };
    stream.once('response', (head) => {
      clearTimeout(timer);
      stream.off('error', fail);
      resolve(head);
    });
    stream.once('error', fail);
    stream.once('close', () => fail(new Error(`the stream closed before an answer (RST_STREAM code ${stream.rstCode ?? '?'})`)));
  });
  const status = Number(answer[':status']);
  if (status < 200 || status > 299) {
    stream.destroy();
    session.destroy();
    throw new Error(`the server answered the extended CONNECT with :status ${status}`);
  }
  stream.pause();
  // As a TCP socket without allowHalfOpen answers FIN with FIN: the peer's
  // END_STREAM is answered by ours, so the stream closes.
  stream.on('end', () => stream.end());
  stream.on('close', () => session.close());
  const offered = answer['sec-websocket-extensions'];
  return {
    stream,
    extensions: Array.isArray(offered) ? offered.join(', ') : offered ?? '',
    close: () => session.destroy(),
    wasReset: () => reset,
  };
}
