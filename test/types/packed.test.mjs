// The package the way users get it: `npm pack` (the built dist/, as npm test
// builds it first), the tarball installed into a fresh project (offline: the
// package has no runtime dependencies, and redis and bufferutil are optional
// peers npm does not install), TypeScript compiled against it under nodenext (an .mts and a
// .cts file) and bundler resolution, then plain `require()` and `import` and
// the compiled programs run against a loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo } from './consumer.mjs';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function sh(command, args, cwd, timeout = 90_000) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout, shell: process.platform === 'win32' });
  return { status: result.status, signal: result.signal, output: `${result.stdout}${result.stderr}${result.error ?? ''}` };
}

// One program per module flavour; each starts a server on port 0, echoes one
// message and exits 0 only if the echo came back and the close was clean.
const program = (imports) => `${imports}

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', (ws, request) => {
  const from: string | undefined = request.socket.remoteAddress;
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  void from;
});
wss.on('listening', () => {
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const ws = new WebSocket(\`ws://127.0.0.1:\${address.port}\`);
  ws.on('open', () => ws.send('packed'));
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary || data.toString() !== 'packed') process.exit(2);
    ws.close(1000, 'done');
  });
  ws.on('close', (code: number, reason: Buffer) => {
    console.log(\`echo ok \${code} \${reason.toString()}\`);
    wss.close();
  });
});
`;

test('the packed tarball installs, compiles (nodenext, bundler), requires, imports and runs', () => {
  assert.ok(existsSync(join(repo, 'dist/esm/index.d.ts')), 'run npm run build first (npm test does)');
  const dir = mkdtempSync(join(tmpdir(), 'socketeer-packed-'));
  try {
    // npm pack: the tarball holds dist, bin, demo and the package files, no sources or tests.
    const pack = sh(npm, ['pack', '--pack-destination', dir, '--silent', '--ignore-scripts'], repo);
    assert.equal(pack.status, 0, pack.output);
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball, pack.output);
    const list = sh('tar', ['tzf', join(dir, tarball)], dir);
    assert.equal(list.status, 0, list.output);
    const entries = list.output.trim().split('\n');
    assert.ok(entries.includes('package/dist/esm/index.d.ts') && entries.includes('package/dist/cjs/require.js'), 'dist is packed');
    assert.deepEqual(entries.filter((e) => /^package\/(src|test|scripts|bench)\//.test(e)), [], 'no sources or tests in the tarball');

    // A fresh project installs the tarball, offline.
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'packed-consumer', private: true, type: 'module' }));
    const install = sh(npm, ['install', join(dir, tarball), '--no-audit', '--no-fund', '--ignore-scripts', '--offline', '--omit=peer', '--no-package-lock'], app);
    assert.equal(install.status, 0, install.output);
    assert.ok(existsSync(join(app, 'node_modules/socketeer/package.json')));
    // Types for node come from our dev dependencies (linked after the install, which would prune them).
    mkdirSync(join(app, 'node_modules/@types'), { recursive: true });
    symlinkSync(join(repo, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'), 'dir');

    const esm = program(`import { WebSocket, WebSocketServer, type RawData } from 'socketeer';`);
    writeFileSync(join(app, 'app.mts'), esm);
    writeFileSync(join(app, 'app.cts'), program(`import { WebSocket, WebSocketServer, type RawData } from 'socketeer';`));
    writeFileSync(join(app, 'bundler.ts'), program(`import WebSocketDefault, { WebSocket, WebSocketServer, type RawData } from 'socketeer';\nconst same: typeof WebSocket = WebSocketDefault;\nvoid same;`));
    const base = { target: 'ES2022', lib: ['ES2022'], types: ['node'], strict: true, skipLibCheck: false, esModuleInterop: true };
    writeFileSync(join(app, 'tsconfig.nodenext.json'), JSON.stringify({
      compilerOptions: { ...base, module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'out' },
      files: ['app.mts', 'app.cts'],
    }));
    writeFileSync(join(app, 'tsconfig.bundler.json'), JSON.stringify({
      compilerOptions: { ...base, module: 'ESNext', moduleResolution: 'Bundler', outDir: 'out-bundler' },
      files: ['bundler.ts'],
    }));
    for (const config of ['tsconfig.nodenext.json', 'tsconfig.bundler.json']) {
      const result = sh(process.execPath, [tsc, '-p', config, '--pretty', 'false'], app);
      assert.equal(result.status, 0, `${config}:\n${result.output}`);
    }

    // The compiled programs run: ESM (import), CommonJS (require) and the bundler build (ESM).
    for (const file of ['out/app.mjs', 'out/app.cjs', 'out-bundler/bundler.js']) {
      const run = sh(process.execPath, [file], app, 20_000);
      assert.equal(run.signal, null, `${file} did not exit by itself`);
      assert.equal(run.status, 0, `${file}:\n${run.output}`);
      assert.match(run.output, /echo ok 1000 done/, file);
    }

    // Plain require() and import of every entry, the ws-style default included.
    writeFileSync(join(app, 'plain.cjs'), `
      const assert = require('node:assert/strict');
      const WebSocket = require('socketeer');
      assert.equal(typeof WebSocket, 'function');
      assert.equal(WebSocket.WebSocket, WebSocket);
      assert.equal(typeof WebSocket.WebSocketServer, 'function');
      // redis is an optional peer, not installed here: socketeer/redis says so by code.
      assert.throws(() => require('socketeer/redis'), { code: 'WS_ERR_PUBSUB_MISSING_PEER' });
      // So is bufferutil (native masking, socketeer/bufferutil).
      assert.throws(() => require('socketeer/bufferutil'), { code: 'WS_ERR_MISSING_PEER' });
      assert.equal(typeof require('socketeer/cluster').clusterPubSub, 'function');
      assert.equal(require('socketeer/package.json').name, 'socketeer');
      console.log('require ok');
    `);
    writeFileSync(join(app, 'plain.mjs'), `
      import assert from 'node:assert/strict';
      import WebSocket, { WebSocketServer, WebSocketStream, ReconnectingWebSocket } from 'socketeer';
      import { clusterPubSub } from 'socketeer/cluster';
      import * as browser from 'socketeer/browser';
      await assert.rejects(import('socketeer/redis'), { code: 'WS_ERR_PUBSUB_MISSING_PEER' });
      await assert.rejects(import('socketeer/bufferutil'), { code: 'WS_ERR_MISSING_PEER' });
      for (const value of [WebSocket, WebSocketServer, WebSocketStream, ReconnectingWebSocket, clusterPubSub]) {
        assert.equal(typeof value, 'function');
      }
      assert.equal(typeof browser.ReconnectingWebSocket, 'function');
      console.log('import ok');
    `);
    for (const [file, expected] of [['plain.cjs', 'require ok'], ['plain.mjs', 'import ok']]) {
      const run = sh(process.execPath, [file], app, 20_000);
      assert.equal(run.status, 0, `${file}:\n${run.output}`);
      assert.match(run.output, new RegExp(expected));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
