// Peer driver: Python websockets (Debian's python3-websockets), as a client
// and as a server. One /usr/bin/python3 child (python_peer.py) serves every
// connection of the file; it is told what to do over JSON lines.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AsyncQueue, Rendezvous, connectionId, withTimeout } from '../lib/async-queue.mjs';
import { PYTHON } from '../lib/availability.mjs';
import { WAIT_MS } from '../matrix.mjs';

const SCRIPT = fileURLToPath(new URL('./python_peer.py', import.meta.url));

class PythonPeer {
  constructor() {
    this.child = spawn(PYTHON, ['-u', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.nextId = 0;
    this.pending = new Map();
    this.conns = new Map();
    this.accepted = new Rendezvous();
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.exited.then(({ code, signal }) => {
      const gone = new Error(`the Python peer exited (code ${code}, signal ${signal})`);
      for (const { reject } of this.pending.values()) reject(gone);
      this.pending.clear();
    });
    this.ready = new Promise((resolve, reject) => {
      this.onReady = resolve;
      this.exited.then(() => reject(new Error('the Python peer exited before it was ready')));
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
  }

  onLine(line) {
    let msg;
    try { msg = JSON.parse(line); } catch { return; }
    if (msg.reply !== undefined) {
      const waiter = this.pending.get(msg.reply);
      this.pending.delete(msg.reply);
      if (msg.error) waiter?.reject(new Error(`Python peer: ${msg.error}`));
      else waiter?.resolve(msg);
      return;
    }
    if (msg.event === 'ready') return this.onReady(msg);
    if (msg.event === 'accepted') {
      this.accepted.put(msg.conn, this.handle(msg.conn, msg));
      return;
    }
    const conn = this.conns.get(msg.conn);
    if (conn === undefined) return;
    if (msg.event === 'message') conn.messages.push({ isBinary: msg.isBinary, length: msg.length, sha256: msg.sha256 });
    else if (msg.event === 'closed') {
      conn.messages.end(new Error('connection closed'));
      conn.resolveClosed({ code: msg.code, reason: msg.reason, wasClean: msg.wasClean });
    }
  }

  call(op, args = {}, ms = WAIT_MS) {
    const id = ++this.nextId;
    const reply = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.child.stdin.write(JSON.stringify({ id, op, ...args }) + '\n');
    return withTimeout(reply, ms, `the Python peer to answer ${op}`);
  }

  /** The handle (lib/node-endpoint.mjs shape) of one Python-side connection. */
  handle(conn, info) {
    const state = { messages: new AsyncQueue() };
    const closed = new Promise((resolve) => { state.resolveClosed = resolve; });
    this.conns.set(conn, state);
    const peer = this;
    return {
      caps: { ping: true, terminate: true },
      protocol: info.protocol,
      extensions: info.extensions,
      send(specs) { peer.call('send', { conn, specs: [specs].flat() }).catch(() => {}); },
      nextMessage: (ms = WAIT_MS) => state.messages.shift(ms, 'a message'),
      close(code, reason) { peer.call('close', { conn, code, reason }).catch(() => {}); },
      terminate() { peer.call('terminate', { conn }).catch(() => {}); },
      async ping(hex) { return (await peer.call('ping', { conn, hex })).hex; },
      nextPing() { throw new Error('the Python peer does not report received pings'); },
      closed: () => withTimeout(closed, WAIT_MS, 'the close event'),
      dispose() { peer.call('terminate', { conn }).catch(() => {}); },
    };
  }
}

export async function start() {
  const peer = new PythonPeer();
  const ready = await withTimeout(peer.ready, 10_000, 'the Python peer to start');
  return {
    versions: { websockets: ready.version, python: ready.python },
    async connect(url, { protocols = [], deflate = false } = {}) {
      const conn = connectionId(url);
      const res = await peer.call('connect', { conn, url, protocols, deflate });
      if (!res.ok) return { ok: false, errored: true, message: res.message, status: res.status, close: res.close };
      return { ok: true, handle: peer.handle(conn, res) };
    },
    async startServer() {
      const { urls } = await peer.call('serve');
      return {
        urls,
        accept: (id) => peer.accepted.take(id, WAIT_MS, `the Python server side of connection ${id}`),
        async close() {},
      };
    },
    async close() {
      await peer.call('shutdown').catch(() => {});
      peer.child.stdin.end();
      const exited = await withTimeout(peer.exited, 5_000, 'the Python peer to exit').catch(() => null);
      if (exited === null) peer.child.kill('SIGKILL');
    },
  };
}
