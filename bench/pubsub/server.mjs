// One server process of `npm run bench:pubsub`. cfg: { system, redisUrl }.
//   socketeer  WebSocketServer + redisPubSub; a subscriber joins topic 'fan';
//              a text message from the publisher is wss.publish('fan', data)
//   ws         ws + the relay users write: every message goes to Redis PUBLISH,
//              every message from the Redis subscription to each local client
//   socketio   Socket.IO 4 + @socket.io/redis-adapter: room 'fan',
//              io.to('fan').emit('m', data)
// The publisher is a client whose URL path is /pub (it does not subscribe).
// Also { system: 'local-socketeer' | 'local-ws' } for the in-process case: no
// Redis; on IPC { type: 'publish', count } it publishes `count` 32-byte
// messages to every client and reports the CPU time they took.
import http from 'node:http';
import { createClient } from 'redis';
import { startProfile } from './profile.mjs';

const cfg = JSON.parse(process.argv[2]);
const server = http.createServer();

async function socketeer() {
  const { WebSocketServer } = await import('../../dist/esm/index.js');
  const { redisPubSub } = await import('../../dist/esm/redis.js');
  const wss = new WebSocketServer({ server, perMessageDeflate: false, pubsub: redisPubSub({ url: cfg.redisUrl, prefix: 'bench:' }) });
  wss.on('pubsub-error', (e) => process.send({ type: 'error', message: `${e.code}: ${e.message}` }));
  wss.on('connection', (ws, req) => {
    ws.on('error', () => {});
    if (req.url === '/pub') ws.on('message', (data) => wss.publish('fan', data, { binary: false }));
    else ws.subscribe('fan');
  });
  return () => wss.topicsSynced();
}

async function wsRelay() {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const pub = createClient({ url: cfg.redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const subscribers = new Set();
  await sub.subscribe('bench:fan', (message) => {
    for (const ws of subscribers) ws.send(message);
  });
  wss.on('connection', (ws, req) => {
    ws.on('error', () => {});
    if (req.url === '/pub') ws.on('message', (data) => pub.publish('bench:fan', data.toString()));
    else {
      subscribers.add(ws);
      ws.on('close', () => subscribers.delete(ws));
    }
  });
  return async () => {};
}

async function socketIo() {
  const { Server } = await import('socket.io');
  const { createAdapter } = await import('@socket.io/redis-adapter');
  const pub = createClient({ url: cfg.redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, adapter: createAdapter(pub, sub) });
  io.on('connection', (socket) => {
    if (socket.handshake.query.role === 'pub') socket.on('p', (data) => io.to('fan').emit('m', data));
    else socket.join('fan');
  });
  return async () => {};
}

/** The in-process case: 10,000 local subscribers, publish from this process, CPU time per publish. */
async function local(kind) {
  const payload = Buffer.alloc(32, 0x61).toString();
  let publish;
  let count;
  if (kind === 'socketeer') {
    const { WebSocketServer } = await import('../../dist/esm/index.js');
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    wss.on('connection', (ws) => { ws.on('error', () => {}); ws.subscribe('fan'); });
    publish = () => wss.publish('fan', payload);
    count = () => wss.subscriberCount('fan');
  } else {
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    wss.on('connection', (ws) => ws.on('error', () => {}));
    publish = () => { for (const ws of wss.clients) ws.send(payload); };
    count = () => wss.clients.size;
  }
  process.on('message', (m) => {
    if (m.type === 'count') process.send({ type: 'count', value: count() });
    if (m.type !== 'publish') return;
    // Synchronous CPU of the publish calls (encoding and the socket writes they start),
    // plus what the event loop spends flushing afterwards, until the client says all arrived.
    const before = process.cpuUsage();
    for (let i = 0; i < m.count; i++) publish();
    const sync = process.cpuUsage(before);
    process.once('message', (done) => {
      if (done.type !== 'delivered') return;
      const total = process.cpuUsage(before);
      process.send({ type: 'cpu', syncMicros: sync.user + sync.system, totalMicros: total.user + total.system });
    });
  });
  return async () => {};
}

const ready = cfg.system === 'socketeer' ? await socketeer()
  : cfg.system === 'ws' ? await wsRelay()
  : cfg.system === 'socketio' ? await socketIo()
  : await local(cfg.system.replace('local-', ''));
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
process.on('message', async (m) => {
  if (m.type === 'synced') { await ready(); process.send({ type: 'synced' }); }
  if (m.type === 'stop') process.exit(0);
  if (m.type === 'profile-start') profiler = await startProfile();
  if (m.type === 'profile-stop' && profiler) { await profiler.stop(`${m.dir}/server-${cfg.system}-${m.index}.cpuprofile`); profiler = null; }
});
let profiler = null;
