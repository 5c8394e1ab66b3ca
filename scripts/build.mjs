// Builds the ESM output (with declarations), the CommonJS output and the browser
// entry (ESM, lib dom, no Node types: dist/browser) into dist/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

// Overwrite in place: several builds may run at once in one checkout, and a
// delete would pull dist/ from under a test that is running. `--clean` wipes it.
if (process.argv.includes('--clean')) rmSync('dist', { recursive: true, force: true });

let failed = false;
// The WebAssembly modules (src/core/wasm/*.wat) become generated TS first.
{
  const result = spawnSync(process.execPath, ['scripts/build-wasm.mjs'], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('build: assembling src/core/wasm/*.wat failed (is the dev dependency wabt installed?)');
    process.exit(1);
  }
}
for (const project of ['tsconfig.json', 'tsconfig.cjs.json', 'tsconfig.browser.json']) {
  // Both builds run even if the first reports type errors, so dist/ stays whole.
  const result = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
// `require('socketeer')` is the WebSocket class with every export hung on it,
// as `require('ws')` is, so `const WebSocket = require('socketeer')` and
// `const { WebSocketServer } = require('socketeer')` both work.
writeFileSync(
  'dist/cjs/require.js',
  "'use strict';\nconst entry = require('./index.js');\nmodule.exports = Object.assign(entry.WebSocket, entry);\n",
);
if (failed) {
  console.error('build: TypeScript reported errors (see above)');
  process.exit(1);
}
