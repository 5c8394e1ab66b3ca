// A ws server and a socketeer server in this one process, both echoing every
// message (bench/same-process.mjs). The driver loads one of them at a time
// and brackets each slice with IPC: 'start' takes this process's CPU time and
// message counts, 'stop' answers with what each server handled since and the
// CPU time used. argv[2]: {}
import { loadAdapter } from '../lib/adapters.mjs';
import { LIBS } from './slices.mjs';

const handled = { ws: 0, socketeer: 0 };
const ports = {};
for (const lib of LIBS) {
  const { server, port } = await (await loadAdapter(lib)).createServer({});
  ports[lib] = port;
  server.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      handled[lib]++;
      ws.send(data, { binary: isBinary });
    });
  });
}

let cpu = process.cpuUsage();
let counted = { ...handled };
process.on('message', (m) => {
  if (m.type === 'start') {
    cpu = process.cpuUsage();
    counted = { ...handled };
    process.send({ type: 'started' });
  } else if (m.type === 'stop') {
    const used = process.cpuUsage(cpu);
    process.send({ type: 'stopped', cpuSeconds: (used.user + used.system) / 1e6, ws: handled.ws - counted.ws, socketeer: handled.socketeer - counted.socketeer });
  } else if (m.type === 'exit') {
    process.exit(0);
  }
});
// The driver gone (killed, crashed): nothing is left to serve.
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ports', ports });
