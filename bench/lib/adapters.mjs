// One adapter per library, with the same small surface, so that both go
// through identical benchmark code:
//   createServer({ perMessageDeflate }) -> Promise<{ server, port, close() }>
//   createClient(url, { perMessageDeflate }) -> ws-compatible client
//   broadcast(server, data, isBinary) -> sends one message to every client
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../', import.meta.url));

// The same permessage-deflate parameters for both libraries: zlib defaults
// (level 6, memLevel 8, 15-bit windows), every message compressed (threshold 0).
// The client side offers no context takeover in both directions (the load
// generator offers the same); servers accept what is offered.
export const DEFLATE_SERVER = { threshold: 0 };
export const DEFLATE_CLIENT = { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true };

function make(name, mod, version, fanOut = null) {
  const { WebSocket, WebSocketServer } = mod;
  return {
    name,
    version,
    WebSocket,
    async createServer({ perMessageDeflate = false, maxPayload = 64 * 1024 * 1024 } = {}) {
      const server = new WebSocketServer({
        host: '127.0.0.1', port: 0, maxPayload,
        perMessageDeflate: perMessageDeflate ? DEFLATE_SERVER : false,
      });
      await new Promise((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
      return { server, port: server.address().port, close: () => new Promise((r) => server.close(() => r())) };
    },
    createClient(url, { perMessageDeflate = false, maxPayload = 64 * 1024 * 1024 } = {}) {
      return new WebSocket(url, { perMessageDeflate: perMessageDeflate ? DEFLATE_CLIENT : false, maxPayload });
    },
    broadcast(server, data, isBinary) {
      // A library's own fan-out primitive, when it offers one, is what its
      // users would call; otherwise the idiomatic loop over clients.
      if (fanOut !== null) return fanOut(server.clients, data, { binary: isBinary });
      if (typeof server.broadcast === 'function') return server.broadcast(data, { binary: isBinary });
      for (const client of server.clients) client.send(data, { binary: isBinary });
    },
  };
}

/**
 * socketeer's side of the native helper ws gets: masking through
 * `socketeer/bufferutil` (the same bufferutil package ws loads by itself),
 * unless BENCH_SOCKETEER_NATIVE=0 asks for socketeer's built-in masking.
 * Returns whether native masking is on.
 */
export async function useSocketeerNative(wanted = process.env.BENCH_SOCKETEER_NATIVE !== '0') {
  if (!wanted) return false;
  const { useBufferutil } = await import(new URL('../../dist/esm/bufferutil.js', import.meta.url).href);
  return useBufferutil();
}

export async function loadAdapter(name) {
  if (name === 'ws') {
    return make('ws', await import('ws'), require('ws/package.json').version);
  }
  if (name === 'socketeer') {
    if (process.env.BENCH_SOCKETEER_STANDIN === 'ws') {
      return make('socketeer', await import('ws'), `stand-in: ws ${require('ws/package.json').version}`);
    }
    const mod = await import(new URL('../../dist/esm/index.js', import.meta.url).href);
    await useSocketeerNative();
    const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8'));
    // socketeer's encode-once fan-out, `broadcast(clients, data, options)`
    // from the package index (older builds: by path, or none).
    let fanOut = typeof mod.broadcast === 'function' ? mod.broadcast : null;
    if (fanOut === null && process.env.BENCH_NO_FANOUT !== '1') {
      try { fanOut = (await import(new URL('../../dist/esm/broadcast.js', import.meta.url).href)).broadcast; } catch { /* older build */ }
    }
    return make('socketeer', mod, pkg.version, fanOut);
  }
  throw new Error(`unknown library ${name}`);
}

/** How ws loads its optional native helpers, checked rather than assumed. */
export function wsNativeReport() {
  const wsRequire = createRequire(require.resolve('ws'));
  const report = { ws: require('ws/package.json').version };
  try {
    const path = wsRequire.resolve('bufferutil');
    const dir = path.replace(/[/\\]index\.js$/, '');
    const native = wsRequire('node-gyp-build')(dir);
    const loaded = wsRequire('bufferutil');
    report.bufferutil = {
      resolved: path,
      version: wsRequire('bufferutil/package.json').version,
      nativeBindingLoads: typeof native.mask === 'function',
      wsGetsNative: loaded.mask === native.mask,
    };
  } catch (e) {
    report.bufferutil = { error: String(e.message || e) };
  }
  try {
    const path = wsRequire.resolve('utf-8-validate');
    const dir = path.replace(/[/\\]index\.js$/, '');
    const native = wsRequire('node-gyp-build')(dir);
    report.utf8Validate = {
      resolved: path,
      version: wsRequire('utf-8-validate/package.json').version,
      nativeBindingLoads: typeof native === 'function',
      // ws 8.x prefers Node's own native buffer.isUtf8 when it exists, and
      // only falls back to utf-8-validate otherwise.
      usedByWs: typeof require('node:buffer').isUtf8 !== 'function',
      wsUses: typeof require('node:buffer').isUtf8 === 'function' ? 'node:buffer isUtf8 (native)' : 'utf-8-validate',
    };
  } catch (e) {
    report.utf8Validate = { error: String(e.message || e) };
  }
  report.wsNoBufferUtilEnv = Boolean(process.env.WS_NO_BUFFER_UTIL);
  return report;
}
