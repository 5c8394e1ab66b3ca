// The fixed server for client-role metrics (and the raw TCP ceiling), in its
// own process: node:net only, no WebSocket library. argv[2] is a JSON config:
//   { mode: 'ws' | 'tcp' }
// 'ws' answers the opening handshake (accepting permessage-deflate without
// context takeover when offered) and echoes every frame back unmasked.
// 'tcp' echoes bytes as they come: the ceiling for large messages.
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
  // Writes every chunk straight back; the load generator's window bounds
  // what can be in flight, so there is no need for pipe()'s flow control.
  socket.on('data', (chunk) => socket.write(chunk));
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
