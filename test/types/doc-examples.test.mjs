// The runnable examples of README.md and docs/*.md cannot drift from the
// library. A code block is runnable when the line right before its fence is
//
//   <!-- runnable -->                     or   <!-- runnable stdout="hello" -->
//
// (stdout: text the program must print). Each such block is extracted into a
// consumer project that installs socketeer (consumer.mjs: `socketeer`
// resolves through the package's exports); ```ts blocks are compiled with tsc
// (strict, nodenext) and must have no error, ```js blocks run as ES modules.
// Every example listens on and dials port 8080 in the text; the test replaces
// 8080 with a free loopback port, runs the program with a time bound and
// requires it to exit 0 by itself (so an example must close what it opens).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { compile, makeConsumer, repo } from './consumer.mjs';

const RUN_TIMEOUT_MS = 20_000;
const MARKER = /^<!--\s*runnable(?<options>[^>]*?)\s*-->\r?\n```(?<lang>\w+)[^\n]*\n(?<code>[\s\S]*?)\n```/gm;

/** Every runnable block of README.md and docs/*.md, with where it is. */
export function runnableBlocks() {
  const docs = ['README.md', ...readdirSync(join(repo, 'docs')).filter((n) => n.endsWith('.md')).sort().map((n) => `docs/${n}`)];
  const blocks = [];
  for (const doc of docs) {
    const text = readFileSync(join(repo, doc), 'utf8');
    for (const match of text.matchAll(MARKER)) {
      const line = text.slice(0, match.index).split('\n').length + 1;
      const { options, lang, code } = match.groups;
      const stdout = /stdout="([^"]*)"/.exec(options)?.[1];
      const base = `${doc.replace(/[/.]/g, '-')}-L${line}`;
      blocks.push({ doc, line, lang, code, stdout, base });
    }
  }
  return blocks;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(file, cwd) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

test('the runnable examples of README.md and docs/*.md compile and run against a loopback server', async (t) => {
  const blocks = runnableBlocks();
  assert.ok(blocks.length >= 5, `only ${blocks.length} runnable blocks`);
  assert.ok(blocks.some((b) => b.doc === 'README.md' && b.lang === 'js'), 'the README usage example is runnable');
  assert.ok(blocks.some((b) => b.lang === 'ts'), 'at least one TypeScript block');
  for (const block of blocks) assert.ok(['js', 'ts'].includes(block.lang), `${block.doc}:${block.line}: runnable blocks are js or ts`);
  for (const block of blocks) assert.match(block.code, /8080/, `${block.doc}:${block.line}: an example uses port 8080`);

  const ports = [];
  for (const block of blocks) ports.push(await freePort());
  const files = blocks.map((block, i) => ({
    [`${block.base}.${block.lang === 'ts' ? 'ts' : 'mjs'}`]: block.code.replace(/\b8080\b/g, String(ports[i])),
  }));
  const consumer = makeConsumer('esm-nodenext', files, { noEmit: false, outDir: 'out', allowJs: true, checkJs: false });
  try {
    const { status, output } = compile(consumer.dir);
    assert.equal(status, 0, `the TypeScript examples must compile:\n${output}`);
    for (const block of blocks) {
      await t.test(`${block.doc}:${block.line} (${block.lang})`, async () => {
        const file = block.lang === 'ts' ? join('out', `${block.base}.js`) : `${block.base}.mjs`;
        const result = await run(file, consumer.dir);
        const shown = `${block.doc}:${block.line}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
        assert.equal(result.signal, null, `did not exit by itself within ${RUN_TIMEOUT_MS} ms\n${shown}`);
        assert.equal(result.status, 0, shown);
        if (block.stdout !== undefined) assert.ok(result.stdout.includes(block.stdout), `expected "${block.stdout}" in stdout\n${shown}`);
      });
    }
  } finally {
    consumer.cleanup();
  }
});

test('the marker is found only right before a fence', () => {
  const sample = '<!-- runnable stdout="x" -->\n```js\nconsole.log(8080)\n```\n\n<!-- runnable -->\n\n```js\nnot me\n```\n';
  const found = [...sample.matchAll(MARKER)].map((m) => m.groups.code);
  assert.deepEqual(found, ['console.log(8080)']);
});
