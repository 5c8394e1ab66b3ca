// `socketeer/bufferutil` (ES module): masking through the native `bufferutil`
// package, an optional peer. The CommonJS build uses bufferutil-require.ts.
import { missingBufferutil, switchBufferutil, type BufferutilModule } from './node/bufferutil-masker.js';

// A variable specifier: bufferutil ships no type declarations.
const specifier = 'bufferutil';
let bufferutil: BufferutilModule;
try {
  const loaded = (await import(specifier)) as unknown as BufferutilModule & { default?: BufferutilModule };
  bufferutil = loaded.default ?? loaded;
} catch (error) {
  throw missingBufferutil(error);
}

/**
 * Mask and unmask payloads with bufferutil's native code (one in-place pass;
 * it pays from about 128 bytes up), or go back to the built-in path with
 * `useBufferutil(false)`. Applies to every connection in this process.
 * Returns whether native masking is on: false when bufferutil's native
 * binding did not load (its JavaScript fallback is not used) or when the
 * environment variable SOCKETEER_NATIVE is 0.
 */
export function useBufferutil(enabled = true): boolean {
  return switchBufferutil(bufferutil, enabled);
}
