// `socketeer/bufferutil` (CommonJS): the same entry as bufferutil.ts, loading `bufferutil` with require().
import { missingBufferutil, switchBufferutil, type BufferutilModule } from './node/bufferutil-masker.js';

let bufferutil: BufferutilModule;
try {
  bufferutil = require('bufferutil') as BufferutilModule;
} catch (error) {
  throw missingBufferutil(error);
}

/** See bufferutil.ts: native masking on (or off with false); returns whether it is on. */
export function useBufferutil(enabled = true): boolean {
  return switchBufferutil(bufferutil, enabled);
}
