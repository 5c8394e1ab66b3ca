// Type-level tests: test/types/cases/*.ts compiled with tsc (strict) against the
// built declarations, through the package's exports, as ESM and CommonJS
// consumers (nodenext) and under bundler resolution. Assignments and
// expectType() calls must compile; every `// @ts-expect-error` line must be an
// error (tsc fails on an unused directive), which the last test checks directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, FLAVOURS, makeConsumer, repo } from './consumer.mjs';

const casesDir = join(repo, 'test/types/cases');
const caseFiles = readdirSync(casesDir).filter((name) => name.endsWith('.ts')).map((name) => join(casesDir, name));

for (const flavour of Object.keys(FLAVOURS)) {
  test(`type assertions compile for a ${flavour} consumer`, () => {
    const consumer = makeConsumer(flavour, caseFiles);
    try {
      const { status, output } = compile(consumer.dir);
      assert.equal(status, 0, output);
    } finally {
      consumer.cleanup();
    }
  });
}

test('every @ts-expect-error line is an error of its own when the directive is removed', () => {
  const expected = [];
  const files = caseFiles.map((path) => {
    const name = path.slice(casesDir.length + 1);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line.trim().startsWith('// @ts-expect-error')) {
        expected.push({ name, line: index + 2, text: lines[index + 1].trim() });
        lines[index] = '// (must be an error)';
      }
    });
    return { [name]: lines.join('\n') };
  });
  assert.ok(expected.length >= 15, `only ${expected.length} @ts-expect-error lines`);
  const consumer = makeConsumer('esm-nodenext', files);
  try {
    const { status, output } = compile(consumer.dir);
    assert.notEqual(status, 0);
    const errorLines = new Set([...output.matchAll(/([\w.-]+\.ts)\((\d+),\d+\): error/g)].map((m) => `${m[1]}:${m[2]}`));
    for (const { name, line, text } of expected) {
      assert.ok(errorLines.has(`${name}:${line}`), `${name}:${line} compiles but must not: ${text}\n${output}`);
    }
    assert.equal(errorLines.size, expected.length, `errors beyond the marked lines:\n${output}`);
  } finally {
    consumer.cleanup();
  }
});
