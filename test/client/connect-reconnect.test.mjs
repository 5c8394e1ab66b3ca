// `socketeer connect --reconnect`: the command survives a dropped connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, withTimeout } from './lib.mjs';

test('connect --reconnect reconnects after the server drops it and keeps receiving', async (t) => {
  const server = await startServer((ws, _req, n) => {
    ws.send(`connection ${n}`);
    ws.on('message', (data) => String(data) === 'drop' && ws.terminate());
  });
  t.after(() => server.close());
  const child = spawn(process.execPath, ['bin/socketeer.js', 'connect', server.url, '--reconnect', '--reconnect-delay', '20ms', '-x', 'drop', '-n', '2'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await withTimeout(new Promise((r) => child.once('close', r)), 10000, 'the command to exit').catch((e) => { child.kill(); throw e; });
  assert.match(out, /connection 1/);
  assert.match(out, /reconnect attempt 1/);
  assert.match(out, /reconnected/);
  assert.match(out, /connection 2/);
  assert.equal(code, 0, out);
  assert.equal(server.connections, 2);
});

test('connect --reconnect-delay rejects a bad duration as a usage error', async () => {
  const child = spawn(process.execPath, ['bin/socketeer.js', 'connect', 'ws://127.0.0.1:9/', '--reconnect', '--reconnect-delay', 'soon'], { stdio: 'ignore' });
  assert.equal(await withTimeout(new Promise((r) => child.once('close', r)), 10000, 'exit'), 2);
});
