// Reduced property-based run for `npm test`: a fixed number of runs per
// property, plus every counterexample kept in regressions/ by the long run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { asProperty, PROPERTIES } from './properties.mjs';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const regressionsDir = new URL('./regressions/', import.meta.url);

for (const property of PROPERTIES) {
  test(property.name, async () => {
    await fc.assert(asProperty(property), { numRuns: property.async ? Math.ceil(RUNS / 3) : RUNS });
  });
}

test('kept counterexamples still pass', async () => {
  const files = readdirSync(regressionsDir).filter((f) => f.endsWith('.json'));
  for (const file of files) {
    const { property: name, seed, path } = JSON.parse(readFileSync(new URL(file, regressionsDir), 'utf8'));
    const property = PROPERTIES.find((p) => p.name === name);
    assert.ok(property, `${file}: unknown property ${name}`);
    await fc.assert(asProperty(property), { seed, path, endOnFailure: true });
  }
});
