// Real-client traffic against ws's and socketeer's servers hosted in one
// process (./servers.mjs, on the CPU under test), in alternating slices
// (bench/same-process.mjs). This process is the ws client: `conns`
// connections to each server, each keeping `window` 32-byte messages in
// flight, one per send(), the next sent when a reply arrives. Only one
// server's connections send in a slice; the figure is the messages that
// server handled per CPU second of the server process.
// argv[2]: { conns, window, kind, slices, sliceMs, pin, subjectCpu, subjectTunables }
//   subjectTunables: GLIBC_TUNABLES for the servers, or null for none (this
//   process's own holds the load processes' settings, bench/lib/allocator.mjs).
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { configureChildren, spawnNode, waitFor } from '../lib/children.mjs';
import { connectMany } from '../lib/driver.mjs';
import { LIBS, alternate } from './slices.mjs';

const cfg = JSON.parse(process.argv[2]);
configureChildren({ pin: cfg.pin, raiseNofileTo: 0 });
const subjectEnv = { ...process.env };
if (cfg.subjectTunables === null) delete subjectEnv.GLIBC_TUNABLES;
else subjectEnv.GLIBC_TUNABLES = cfg.subjectTunables;
const servers = spawnNode(new URL('./servers.mjs', import.meta.url).pathname, {}, { cpu: cfg.subjectCpu, env: subjectEnv });
// Asked to stop before the end (the parent's time limit): exiting kills the servers too.
process.on('message', (m) => { if (m && m.type === 'stop') process.exit(1); });
const { ports } = await waitFor(servers, 'ports', 15000);
const payload = cfg.kind === 'binary' ? Buffer.alloc(32, 0x5a) : 'a'.repeat(32);

/** One library's connections: sending while `active`, counting replies still owed. */
class Load {
  active = false;
  inFlight = 0;
  constructor(sockets) {
    this.sockets = sockets;
    for (const ws of sockets) {
      ws.on('message', () => {
        if (this.active) ws.send(payload);
        else this.inFlight--;
      });
    }
  }
  start() {
    this.active = true;
    this.inFlight = this.sockets.length * cfg.window;
    for (const ws of this.sockets) for (let i = 0; i < cfg.window; i++) ws.send(payload);
  }
}

const open = (port) => new Promise((resolve, reject) => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  ws.once('error', reject);
  ws.on('open', () => resolve(ws));
});
const loads = {};
for (const lib of LIBS) loads[lib] = new Load(await connectMany(cfg.conns, () => open(ports[lib])));

async function slice(lib) {
  // The previous slice's replies come back first, so no slice pays for another's.
  while (LIBS.some((l) => loads[l].inFlight > 0)) await sleep(2);
  servers.send({ type: 'start' });
  await waitFor(servers, 'started', 5000);
  loads[lib].start();
  await sleep(cfg.sliceMs);
  servers.send({ type: 'stop' });
  const stopped = await waitFor(servers, 'stopped', 5000);
  loads[lib].active = false;
  return stopped[lib] / stopped.cpuSeconds;
}

const figures = await alternate(cfg.slices, slice);
servers.send({ type: 'exit' });
process.send({ type: 'result', result: figures }, () => process.exit(0));
