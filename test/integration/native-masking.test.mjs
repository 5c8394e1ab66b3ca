// socketeer/bufferutil: the optional native masker, from both module systems,
// its switches, the coded error without the package, and real loopback
// traffic with it on: socketeer with socketeer and with ws in both
// directions, every size class across the thresholds up to 1 MiB, byte-exact,
// ending in a clean close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket as WsClient, WebSocketServer as WsServer } from 'ws';
import { WebSocket, WebSocketServer } from 'socketeer';
import { useBufferutil } from 'socketeer/bufferutil';
import { nativeMasking } from '../../dist/esm/core/mask-native.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = (cwd, args, env = process.env) => spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 20_000 });

test('socketeer/bufferutil loads from ESM and CommonJS and switches native masking on and off', () => {
  const script = (load) => `${load}; const on = m.useBufferutil(); const off = m.useBufferutil(false); console.log(on, off, m.useBufferutil(true))`;
  const esm = run(REPO, ['--input-type=module', '-e', script("const m = await import('socketeer/bufferutil')")]);
  assert.equal(esm.stdout.trim(), 'true false true', esm.stderr);
  const cjs = run(REPO, ['-e', script("const m = require('socketeer/bufferutil')")]);
  assert.equal(cjs.stdout.trim(), 'true false true', cjs.stderr);
  const envOff = run(REPO, ['--input-type=module', '-e', script("const m = await import('socketeer/bufferutil')")], { ...process.env, SOCKETEER_NATIVE: '0' });
  assert.equal(envOff.stdout.trim(), 'false false false', envOff.stderr);
});

test('without the bufferutil package, importing socketeer/bufferutil says what to install; the main entry needs nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'socketeer-nobufferutil-'));
  try {
    const home = join(dir, 'node_modules', 'socketeer');
    cpSync(join(REPO, 'dist'), join(home, 'dist'), { recursive: true });
    cpSync(join(REPO, 'package.json'), join(home, 'package.json'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const esm = run(dir, ['--input-type=module', '-e', "try { await import('socketeer/bufferutil') } catch (e) { console.log(e.code, e.message) }"]);
    assert.match(esm.stdout, /^WS_ERR_MISSING_PEER .*npm install bufferutil/, esm.stderr);
    const cjs = run(dir, ['-e', "try { require('socketeer/bufferutil') } catch (e) { console.log(e.code, e.message) }"]);
    assert.match(cjs.stdout, /^WS_ERR_MISSING_PEER .*npm install bufferutil/, cjs.stderr);
    const main = run(dir, ['--input-type=module', '-e', "const m = await import('socketeer'); console.log(typeof m.WebSocketServer)"]);
    assert.equal(main.stdout.trim(), 'function', main.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Lengths on both sides of the native thresholds (128 copying, 512 in place),
// of the 16-bit length field, of a socket read, and a large message.
const SIZES = [0, 1, 127, 128, 129, 511, 512, 513, 4099, 65535, 65536, 70000, (1 << 20) + 3];

async function listen(Server) {
  const wss = new Server({ host: '127.0.0.1', port: 0, maxPayload: 8 << 20 });
  await new Promise((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  return wss;
}

/** Sends every payload (binary, and text for the smaller ones) and checks each echo byte for byte. */
async function echoAll(Client, port) {
  const ws = new Client(`ws://127.0.0.1:${port}`, { maxPayload: 8 << 20 });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const sent = [];
  for (const size of SIZES) {
    sent.push({ data: randomBytes(size), binary: true });
    if (size <= 70000) sent.push({ data: Buffer.from('é'.repeat(size >> 1) + 'x'.repeat(size & 1)), binary: false });
  }
  const received = [];
  const done = new Promise((resolve, reject) => {
    ws.on('message', (data, isBinary) => {
      received.push({ data: Buffer.from(data), binary: isBinary });
      if (received.length === sent.length) resolve();
    });
    ws.once('close', () => reject(new Error('closed before every echo came back')));
  });
  for (const m of sent) ws.send(m.data, { binary: m.binary });
  await done;
  for (let i = 0; i < sent.length; i++) {
    assert.equal(received[i].binary, sent[i].binary, `message ${i}`);
    assert.ok(received[i].data.equals(sent[i].data), `message ${i}: ${sent[i].data.length} bytes came back different`);
  }
  const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  ws.close(1000);
  assert.equal(await closed, 1000);
}

for (const [name, Server, Client] of [
  ['socketeer server, socketeer client', WebSocketServer, WebSocket],
  ['socketeer server, ws client', WebSocketServer, WsClient],
  ['ws server, socketeer client', WsServer, WebSocket],
]) {
  test(`native masking on, loopback echo, ${name}: every size byte-exact, clean close`, async () => {
    assert.equal(useBufferutil(), true);
    assert.equal(nativeMasking(), true);
    const wss = await listen(Server);
    try {
      await echoAll(Client, wss.address().port);
    } finally {
      await new Promise((resolve) => wss.close(resolve));
      useBufferutil(false);
    }
    assert.equal(nativeMasking(), false);
  });
}
