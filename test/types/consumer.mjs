// A throwaway consumer project: package.json, tsconfig.json and node_modules
// links (socketeer -> this repository, as installed; ws and @types from our
// dev dependencies), so files compile against the built declarations through
// the package's "exports", the way a user's project sees them.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The module settings of each consumer flavour. */
export const FLAVOURS = {
  'esm-nodenext': { type: 'module', compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } },
  'cjs-nodenext': { type: 'commonjs', compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } },
  'esm-bundler': { type: 'module', compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } },
};

/**
 * Makes a consumer project of `flavour` holding `files` (paths, copied by
 * name, or { name: source } entries). Returns its directory and a cleanup.
 */
export function makeConsumer(flavour, files, extraOptions = {}) {
  const settings = FLAVOURS[flavour];
  const dir = mkdtempSync(join(tmpdir(), `socketeer-types-${flavour}-`));
  mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
  symlinkSync(repo, join(dir, 'node_modules/socketeer'), 'dir');
  symlinkSync(join(repo, 'node_modules/ws'), join(dir, 'node_modules/ws'), 'dir');
  symlinkSync(join(repo, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'), 'dir');
  symlinkSync(join(repo, 'node_modules/@types/ws'), join(dir, 'node_modules/@types/ws'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${flavour}`, private: true, type: settings.type }));
  const names = [];
  for (const file of files) {
    if (typeof file === 'string') {
      cpSync(file, join(dir, basename(file)));
      names.push(basename(file));
    } else {
      for (const [name, source] of Object.entries(file)) {
        writeFileSync(join(dir, name), source);
        names.push(name);
      }
    }
  }
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2022'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    esModuleInterop: true,
    ...settings.compilerOptions,
    ...extraOptions,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: names }, null, 2));
  return { dir, names, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs tsc in a consumer project; returns { status, output } (diagnostics as text). */
export function compile(dir) {
  const result = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], {
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
