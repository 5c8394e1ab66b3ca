// examples/*.ts are compiled with tsc (strict) in a consumer project that
// installs socketeer, then each is run: it starts a loopback server, talks to
// it and exits 0 only when it saw what it expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compile, makeConsumer, repo } from './consumer.mjs';

const examples = readdirSync(join(repo, 'examples')).filter((name) => name.endsWith('.ts'));

test('examples/*.ts compile and run against a loopback server', async (t) => {
  assert.ok(examples.length >= 3);
  const consumer = makeConsumer('esm-nodenext', examples.map((name) => join(repo, 'examples', name)), { noEmit: false, outDir: 'out' });
  try {
    const { status, output } = compile(consumer.dir);
    assert.equal(status, 0, output);
    for (const name of examples) {
      await t.test(name, () => {
        const run = spawnSync(process.execPath, [join('out', name.replace(/\.ts$/, '.js'))], {
          cwd: consumer.dir,
          encoding: 'utf8',
          timeout: 20_000,
        });
        assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
        assert.ok(run.stdout.length > 0);
      });
    }
  } finally {
    consumer.cleanup();
  }
});
