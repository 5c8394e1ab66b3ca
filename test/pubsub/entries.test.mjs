// socketeer/redis and socketeer/cluster from both module systems, with types;
// without the redis package installed, socketeer/redis fails on import with
// a coded error that says what to install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = (cwd, args) => spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 20_000 });

test('the subpath exports load from ESM and CommonJS, with declarations', () => {
  const esm = run(REPO, ['--input-type=module', '-e', "const r = await import('socketeer/redis'); const c = await import('socketeer/cluster'); console.log(typeof r.redisPubSub, typeof c.clusterPubSub)"]);
  assert.equal(esm.stdout.trim(), 'function function', esm.stderr);
  const cjs = run(REPO, ['-e', "const r = require('socketeer/redis'); const c = require('socketeer/cluster'); console.log(typeof r.redisPubSub, typeof c.clusterPubSub)"]);
  assert.equal(cjs.stdout.trim(), 'function function', cjs.stderr);
  const pkg = JSON.parse(spawnSync('cat', [join(REPO, 'package.json')], { encoding: 'utf8' }).stdout);
  for (const entry of ['./redis', './cluster']) {
    for (const condition of ['import', 'require']) {
      for (const file of Object.values(pkg.exports[entry][condition])) assert.ok(existsSync(join(REPO, file)), `${entry} ${condition}: ${file}`);
    }
  }
  assert.equal(pkg.peerDependenciesMeta.redis.optional, true);
  assert.equal(pkg.dependencies, undefined, 'the library has no runtime dependencies');
});

test('without the redis package, importing socketeer/redis says what to install', () => {
  const dir = mkdtempSync(join(tmpdir(), 'socketeer-noredis-'));
  try {
    const home = join(dir, 'node_modules', 'socketeer');
    cpSync(join(REPO, 'dist'), join(home, 'dist'), { recursive: true });
    cpSync(join(REPO, 'package.json'), join(home, 'package.json'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const esm = run(dir, ['--input-type=module', '-e', "try { await import('socketeer/redis') } catch (e) { console.log(e.code, e.message) }"]);
    assert.match(esm.stdout, /^WS_ERR_PUBSUB_MISSING_PEER .*npm install redis/, esm.stderr);
    const cjs = run(dir, ['-e', "try { require('socketeer/redis') } catch (e) { console.log(e.code, e.message) }"]);
    assert.match(cjs.stdout, /^WS_ERR_PUBSUB_MISSING_PEER .*npm install redis/, cjs.stderr);
    // The main entry and socketeer/cluster need nothing.
    const main = run(dir, ['--input-type=module', '-e', "const m = await import('socketeer'); const c = await import('socketeer/cluster'); console.log(typeof m.WebSocketServer, typeof c.clusterPubSub)"]);
    assert.equal(main.stdout.trim(), 'function function', main.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
