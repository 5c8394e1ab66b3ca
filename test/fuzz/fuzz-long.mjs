// Long-running fuzzing of the core: `npm run fuzz:full [-- --seconds N]`.
// Runs every property in rounds with fresh seeds until the time is up. A
// failing input is shrunk by fast-check and kept in regressions/ as
// { property, seed, path }, which fuzz.test.mjs replays in every `npm test`.
import { mkdirSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { asProperty, PROPERTIES } from './properties.mjs';

const arg = process.argv.lastIndexOf('--seconds');
const seconds = Number(arg === -1 ? (process.env.FUZZ_SECONDS ?? 300) : process.argv[arg + 1]);
const deadline = Date.now() + seconds * 1000;
const dir = new URL('./regressions/', import.meta.url);
mkdirSync(dir, { recursive: true });

let rounds = 0;
let runs = 0;
let failures = 0;
while (Date.now() < deadline) {
  for (const property of PROPERTIES) {
    const seed = (Math.random() * 2 ** 31) | 0;
    const details = await fc.check(asProperty(property), {
      seed,
      numRuns: property.async ? 300 : 2000,
      interruptAfterTimeLimit: Math.max(1000, deadline - Date.now()),
    });
    runs += details.numRuns;
    if (details.failed) {
      failures++;
      const slug = property.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      const file = new URL(`${slug}-${seed}.json`, dir);
      const counterexample = JSON.stringify(details.counterexample, (_k, v) => (v instanceof Uint8Array ? [...v] : v)).slice(0, 4000);
      writeFileSync(file, JSON.stringify({ property: property.name, seed, path: details.counterexamplePath, counterexample }, null, 2) + '\n');
      console.error(`FAIL ${property.name}\n  kept as ${file.pathname}\n  ${details.errorInstance?.message ?? details.error}`);
    }
  }
  rounds++;
}
console.log(`fuzz: ${runs} runs in ${rounds} rounds over ${seconds} s, ${failures} failing seeds kept`);
process.exit(failures > 0 ? 1 : 0);
