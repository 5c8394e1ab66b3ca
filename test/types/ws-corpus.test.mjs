// Typical ws programs (test/types/ws-corpus: handleUpgrade with authentication,
// a client with headers and 'unexpected-response', broadcast, the isAlive
// heartbeat) compile under strict against @types/ws and, with only
// `from 'ws'` changed to `from 'socketeer'`, against socketeer's declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, makeConsumer, repo } from './consumer.mjs';

const corpusDir = join(repo, 'test/types/ws-corpus');
const corpus = readdirSync(corpusDir).filter((name) => name.endsWith('.ts'));

function compileCorpus(flavour, moduleName) {
  const files = corpus.map((name) => {
    const source = readFileSync(join(corpusDir, name), 'utf8');
    assert.ok(source.includes("from 'ws';"), `${name} imports ws`);
    return { [name]: source.replaceAll("from 'ws';", `from '${moduleName}';`) };
  });
  const consumer = makeConsumer(flavour, files);
  try {
    return compile(consumer.dir);
  } finally {
    consumer.cleanup();
  }
}

for (const flavour of ['esm-nodenext', 'cjs-nodenext']) {
  test(`the ws corpus compiles against @types/ws (${flavour}): the corpus is valid ws code`, () => {
    const { status, output } = compileCorpus(flavour, 'ws');
    assert.equal(status, 0, output);
  });

  test(`the ws corpus compiles against socketeer with only the import changed (${flavour})`, () => {
    const { status, output } = compileCorpus(flavour, 'socketeer');
    assert.equal(status, 0, output);
  });
}
