// "Our" side of every interop pair: socketeer's built output. Until the core
// lands (no WebSocketServer export in dist/esm/index.js) the harness runs
// against npm `ws` as a stand-in, saying so loudly; INTEROP_SUBJECT=ws forces
// the stand-in, INTEROP_SUBJECT=socketeer forbids it.
import { readFileSync } from 'node:fs';

const distUrl = new URL('../../../dist/esm/index.js', import.meta.url);

export async function loadSubject() {
  const wanted = process.env.INTEROP_SUBJECT ?? 'auto';
  if (wanted !== 'ws') {
    let mod = null;
    let why = '';
    try {
      mod = await import(distUrl.href);
    } catch (error) {
      why = error.message;
    }
    if (mod?.WebSocket && mod?.WebSocketServer) {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
      return { name: 'socketeer', version: pkg.version, WebSocket: mod.WebSocket, WebSocketServer: mod.WebSocketServer };
    }
    why ||= 'dist/esm/index.js has no WebSocket/WebSocketServer export yet';
    if (wanted === 'socketeer') throw new Error(`socketeer is not usable: ${why} (run npm run build)`);
    console.warn(`# interop: socketeer not usable (${why}); using npm ws as a stand-in`);
  }
  const ws = await import('ws');
  const pkg = JSON.parse(readFileSync(new URL('../../../node_modules/ws/package.json', import.meta.url), 'utf8'));
  return { name: 'ws (stand-in)', version: pkg.version, WebSocket: ws.WebSocket, WebSocketServer: ws.WebSocketServer };
}
