import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
const expected = ['WebSocket', 'WebSocketServer', 'CloseEvent', 'MessageEvent', 'ErrorEvent', 'CloseCode', 'closeCodeName', 'WebSocketError'];

test('the ESM entry exports the public API by package name', async () => {
  const esm = await import('socketeer');
  for (const name of expected) assert.ok(esm[name] !== undefined, name);
  assert.equal(esm.CloseCode.Normal, 1000);
  assert.equal(esm.WebSocket.OPEN, 1);
  assert.equal(new esm.CloseEvent('close', { code: 4000, wasClean: true }).code, 4000);
});

test('the CommonJS entry exports the same API', () => {
  const cjs = require('socketeer');
  for (const name of expected) assert.ok(cjs[name] !== undefined, name);
  assert.equal(typeof cjs.WebSocket, 'function');
});

test('type declarations ship with both builds and the package has no runtime dependencies', () => {
  assert.ok(existsSync('dist/esm/index.d.ts'));
  assert.ok(existsSync('dist/cjs/index.d.ts'));
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  assert.equal(pkg.dependencies, undefined);
  assert.ok(pkg.engines.node.includes('20'));
});
