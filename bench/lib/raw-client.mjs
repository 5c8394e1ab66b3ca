// Raw WebSocket connections for the load processes: node:net and a
// hand-written opening handshake, so the load side is the same program for
// every server under test.
import net from 'node:net';
import { upgradeRequest } from './frames.mjs';

export function connectTcp(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
    s.once('connect', () => { s.removeListener('error', reject); resolve(s); });
    s.once('error', reject);
  });
}

/** Raw WebSocket opening handshake. Resolves with the socket and any bytes after the response head. */
export async function connectWs(port, extensions) {
  const s = await connectTcp(port);
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      s.removeListener('data', onData);
      s.removeListener('error', reject);
      const head = buf.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) {
        s.destroy();
        reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
        return;
      }
      resolve({ socket: s, rest: buf.subarray(end + 4), head });
    };
    s.on('data', onData);
    s.once('error', reject);
    s.write(upgradeRequest(port, extensions));
  });
}
