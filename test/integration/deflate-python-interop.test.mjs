// permessage-deflate between socketeer and Debian's python3-websockets over
// loopback, both directions, each side asking for the parameters in turn.
//
// Python's zlib refuses to deflate with an 8-bit window ("Invalid
// initialization option"), so combinations in which *python* would compress
// with server_max_window_bits=8 (python server) or client_max_window_bits=8
// (python client) are left out: websockets cannot run them. Combinations in
// which socketeer compresses with 8 bits are kept, and python's inflater then
// holds socketeer to a true 256-byte window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from '../../dist/esm/index.js';
import { closeAll, echo, listen, open, roundTrip } from './deflate-helpers.mjs';

const PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('./deflate-python/peer.py', import.meta.url));
const full = process.env.SOCKETEER_FULL === '1';
const LARGE = full ? 256 * 1024 : 100_000;
const BITS = full ? [undefined, 8, 9, 10, 11, 12, 13, 14, 15] : [undefined, 8, 11, 15];

const probe = spawnSync(PYTHON, ['-c', 'import websockets; print(websockets.__version__)'], { encoding: 'utf8' });
const available = probe.status === 0;
const missing = 'python3-websockets is not importable by /usr/bin/python3; install it with `apt-get install python3-websockets`';
const skip = available ? false : process.env.CI === 'true' ? false : missing;

function requirePython() {
  if (!available) assert.fail(`${missing} (${(probe.stderr || probe.error?.message || '').trim()})`);
}

/** Four parameters; `python` names the side whose zlib compresses with server or client bits. */
function* combos(clientBitsValues) {
  for (const serverNoContextTakeover of [false, true])
    for (const clientNoContextTakeover of [false, true])
      for (const serverMaxWindowBits of BITS)
        for (const clientMaxWindowBits of clientBitsValues)
          yield { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits };
}

const toPython = (c) => {
  const p = {};
  if (c.serverNoContextTakeover) p.server_no_context_takeover = true;
  if (c.clientNoContextTakeover) p.client_no_context_takeover = true;
  if (c.serverMaxWindowBits !== undefined) p.server_max_window_bits = c.serverMaxWindowBits;
  if (c.clientMaxWindowBits !== undefined) p.client_max_window_bits = c.clientMaxWindowBits;
  return p;
};

const toSocketeer = (c) => ({
  threshold: 0,
  serverNoContextTakeover: c.serverNoContextTakeover,
  clientNoContextTakeover: c.clientNoContextTakeover,
  ...(c.serverMaxWindowBits === undefined ? {} : { serverMaxWindowBits: c.serverMaxWindowBits }),
  // A socketeer client offers client_max_window_bits without a value unless told otherwise.
  ...(c.clientMaxWindowBits === undefined ? {} : { clientMaxWindowBits: c.clientMaxWindowBits }),
});

/** Parameters the answer must show, whichever side asked. */
function checkAgreement(header, c, what) {
  assert.match(header, /^permessage-deflate/, what);
  if (c.serverNoContextTakeover) assert.match(header, /server_no_context_takeover/, what);
  if (c.clientNoContextTakeover) assert.match(header, /client_no_context_takeover/, what);
  checkBits(header, 'server_max_window_bits', c.serverMaxWindowBits, what);
}

/** `name=bits` in the answer; 15 is the default, which the answer may leave out. */
function checkBits(header, name, bits, what) {
  if (typeof bits !== 'number') return;
  const found = new RegExp(`${name}=(\\d+)`).exec(header);
  if (bits < 15 || found !== null) assert.equal(Number(found?.[1]), bits, `${what}: ${header}`);
}

for (const asker of ['python', 'socketeer']) {
  test(`socketeer client <-> python server, every combination websockets supports (${asker} asks)`, { skip }, async (t) => {
    requirePython();
    // The python server compresses with server_max_window_bits.
    const cases = [...combos(BITS)].filter((c) => c.serverMaxWindowBits !== 8);
    const configs = cases.map((c) => (asker === 'python' ? toPython(c) : {}));
    const python = spawn(PYTHON, [PEER, 'server', JSON.stringify(configs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    t.after(() => python.stdin.end());
    const exited = once(python, 'exit');
    let out = '';
    python.stdout.setEncoding('utf8');
    while (!out.includes('\n')) {
      const [chunk] = await Promise.race([once(python.stdout, 'data'), exited.then(() => assert.fail('the python server exited'))]);
      out += chunk;
    }
    const ports = JSON.parse(out);
    for (const [i, c] of cases.entries()) {
      const what = `${asker} asks ${JSON.stringify(c)}`;
      const options = asker === 'socketeer' ? toSocketeer(c) : { threshold: 0 };
      const ws = await open(new WebSocket(`ws://127.0.0.1:${ports[i]}`, { perMessageDeflate: options, maxPayload: 64 << 20 }));
      try {
        checkAgreement(ws.extensions, c, what);
        if (asker === 'python' && typeof c.clientMaxWindowBits === 'number') {
          checkBits(ws.extensions, 'client_max_window_bits', c.clientMaxWindowBits, what);
        }
        await roundTrip(ws, roundTripMessages());
      } finally {
        await closeAll(ws);
      }
    }
    python.stdin.end();
    const [code] = await exited;
    assert.equal(code, 0);
  });

  test(`python client <-> socketeer server, every combination websockets supports (${asker} asks)`, { skip }, async (t) => {
    requirePython();
    // The python client compresses with client_max_window_bits; `true` offers it without a value.
    const cases = [...combos([...BITS, true])].filter(
      (c) => c.clientMaxWindowBits !== 8 && (asker === 'python' || c.clientMaxWindowBits !== true),
    );
    const servers = [];
    t.after(() => closeAll(...servers));
    const specs = [];
    for (const c of cases) {
      const { wss, url } = await listen(WebSocketServer, {
        perMessageDeflate: asker === 'socketeer' ? toSocketeer(c) : { threshold: 0 },
        maxPayload: 64 << 20,
      });
      wss.on('connection', echo);
      servers.push(wss);
      // A client that does not offer client_max_window_bits cannot be limited; socketeer would decline it.
      specs.push({ url, params: asker === 'python' ? toPython(c) : { client_max_window_bits: true } });
    }
    const python = spawn(PYTHON, [PEER, 'client', JSON.stringify(specs), String(LARGE)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    python.stdout.setEncoding('utf8');
    python.stdout.on('data', (chunk) => (out += chunk));
    const [code] = await once(python, 'exit');
    const results = out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
    assert.equal(results.length, cases.length, `python printed ${results.length} of ${cases.length} results (exit ${code})`);
    for (const [i, c] of cases.entries()) {
      const what = `${asker} asks ${JSON.stringify(c)}`;
      assert.ok(results[i].ok, `${what}: ${results[i].error}`);
      checkAgreement(results[i].extensions, c, what);
      if (typeof c.clientMaxWindowBits === 'number' && asker === 'socketeer') {
        checkBits(results[i].extensions, 'client_max_window_bits', c.clientMaxWindowBits, what);
      }
    }
    assert.equal(code, 0);
  });
}

let cached;
function roundTripMessages() {
  cached ??= buildMessages();
  return cached;
}

function buildMessages() {
  const words = '{"id": 7, "name": "socketeer", "ok": [true, false, null], "note": "é€"} ';
  const textOf = (n) => {
    let s = words.repeat(Math.ceil(n / words.length) + 1);
    let b = Buffer.from(s).subarray(0, n);
    s = b.toString().replace(/\uFFFD$/, '');
    return s + 'x'.repeat(n - Buffer.byteLength(s));
  };
  const bytes = (n) => Buffer.from(Array.from({ length: n }, (_, i) => (i % 3 ? (i * 31 + (i >> 7)) % 251 : 65 + (i % 13))));
  return [
    { data: '', binary: false },
    { data: 'hello', binary: false },
    { data: textOf(1023), binary: false },
    { data: textOf(1024), binary: false },
    { data: bytes(1025), binary: true },
    { data: textOf(65536), binary: false },
    { data: bytes(LARGE), binary: true },
  ];
}
