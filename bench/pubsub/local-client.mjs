// The subscribers of `npm run bench:pubsub`'s in-process case: `conns` raw
// WebSocket connections that only count the bytes they receive (cheap, so
// the server is what is measured). Reports 'connected', then 'delivered' once
// `count` frames of `frameBytes` each arrived on every connection.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

const cfg = JSON.parse(process.argv[2]);
let total = 0;
let target = Infinity;
let reported = false;

function open() {
  return new Promise((resolve, reject) => {
    const socket = net.connect(cfg.port, '127.0.0.1');
    let head = true;
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      if (head) {
        const end = chunk.indexOf('\r\n\r\n');
        if (end === -1) return;
        head = false;
        chunk = chunk.subarray(end + 4);
        resolve(socket);
      }
      total += chunk.length;
      if (!reported && total >= target) {
        reported = true;
        process.send({ type: 'delivered' });
      }
    });
  });
}

for (let i = 0; i < cfg.conns; i += 200) {
  const batch = [];
  for (let j = i; j < Math.min(cfg.conns, i + 200); j++) batch.push(open());
  await Promise.all(batch);
}
process.on('message', (m) => {
  if (m.type === 'expect') {
    total = 0;
    reported = false;
    target = cfg.conns * m.count * cfg.frameBytes;
    process.send({ type: 'expecting' });
  } else if (m.type === 'stop') process.exit(0);
});
process.send({ type: 'connected' });
