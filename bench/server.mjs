// The server under test, in its own process. argv[2] is a JSON config:
//   { lib, mode: 'echo' | 'broadcast', deflate }
// Talks to the orchestrator over IPC: sends { type: 'ready', port }, answers
// { type: 'mem' } with a memory sample taken after garbage collection.
import { loadAdapter } from './lib/adapters.mjs';
import { memorySample } from './lib/mem.mjs';

const cfg = JSON.parse(process.argv[2]);
const lib = await loadAdapter(cfg.lib);
const { server, port, close } = await lib.createServer({ perMessageDeflate: cfg.deflate });
const errors = [];

server.on('connection', (ws) => {
  ws.on('error', (e) => { if (errors.length < 5) errors.push(String(e.code || e.message)); });
  if (cfg.mode === 'echo') {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  } else if (cfg.mode === 'broadcast') {
    // Any message from a client is the trigger: send it to every client.
    ws.on('message', (data, isBinary) => lib.broadcast(server, data, isBinary));
  }
});

process.on('message', async (msg) => {
  if (msg.type === 'mem') process.send({ type: 'mem', ...(await memorySample()), clients: server.clients.size });
  else if (msg.type === 'stop') {
    const t = setTimeout(() => process.exit(0), 1000);
    for (const c of server.clients) c.terminate();
    await close();
    clearTimeout(t);
    process.send({ type: 'stopped', errors });
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', port, version: lib.version });
