// The fixed server for client-role metrics (and the raw TCP ceiling), in its
// own process: node:net only, no WebSocket library. argv[2] is a JSON config:
//   { mode: 'ws' | 'tcp', size }
// 'ws' answers the opening handshake (accepting permessage-deflate without
// context takeover when offered) and echoes every frame back unmasked.
// 'tcp' is the ceiling for large messages: it waits until a whole message of
// `size` bytes has arrived, as a library must, and writes it back with one
// writev of the chunks it came in (no copy, no framing, no masking).
import net from 'node:net';
import { FrameEchoer, acceptKey } from './lib/frames.mjs';

const cfg = JSON.parse(process.argv[2]);

function onWsConnection(socket) {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let buf = null;
  const onHead = (chunk) => {
    buf = buf ? Buffer.concat([buf, chunk]) : chunk;
    const end = buf.indexOf('\r\n\r\n');
    if (end === -1) return;
    socket.removeListener('data', onHead);
    const head = buf.subarray(0, end).toString('latin1');
    const key = /\r\nsec-websocket-key:\s*([^\r]+)/i.exec(head)?.[1]?.trim();
    if (!key) { socket.destroy(); return; }
    const deflate = /\r\nsec-websocket-extensions:[^\r]*permessage-deflate/i.test(head);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n` +
      (deflate ? 'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n' : '') +
      '\r\n',
    );
    const echoer = new FrameEchoer(socket);
    socket.on('data', (chunk) => echoer.push(chunk));
    const rest = buf.subarray(end + 4);
    buf = null;
    if (rest.length) echoer.push(rest);
  };
  socket.on('data', onHead);
}

function onTcpConnection(socket) {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  const size = cfg.size;
  let parts = [];
  let held = 0;
  // The load generator's window bounds what can be in flight, so there is no
  // need for pipe()'s flow control.
  socket.on('data', (chunk) => {
    let offset = 0;
    while (held + chunk.length - offset >= size) {
      const take = size - held;
      parts.push(chunk.subarray(offset, offset + take));
      offset += take;
      socket.cork();
      for (const part of parts) socket.write(part);
      socket.uncork();
      parts = [];
      held = 0;
    }
    if (offset < chunk.length) {
      parts.push(offset === 0 ? chunk : chunk.subarray(offset));
      held += chunk.length - offset;
    }
  });
}

const server = net.createServer(cfg.mode === 'tcp' ? onTcpConnection : onWsConnection);
server.maxConnections = 100000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.send({ type: 'ready', port: server.address().port });
});
process.on('message', (m) => {
  if (m.type === 'stop') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
