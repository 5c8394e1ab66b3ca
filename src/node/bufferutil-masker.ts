import { ErrorCode, WebSocketError } from '../core/errors.js';
import { nativeMasking, setNativeMasker, type NativeMasker } from '../core/mask-native.js';

/** The parts of the `bufferutil` package socketeer uses. */
export interface BufferutilModule {
  mask: NativeMasker['mask'];
  unmask: NativeMasker['unmask'];
}

/**
 * bufferutil falls back to a byte-at-a-time JavaScript loop when its native
 * binding does not load; that is slower than socketeer's own path, so only
 * the native functions are taken.
 */
export function isNativeBufferutil(module: BufferutilModule): boolean {
  const native = (f: unknown) => typeof f === 'function' && /\[native code\]/.test(Function.prototype.toString.call(f));
  return native(module.mask) && native(module.unmask);
}

function envDisabled(): boolean {
  const value = process.env.SOCKETEER_NATIVE;
  return value === '0' || value === 'false' || value === 'off';
}

/**
 * Switch masking to bufferutil's native code (true) or back to socketeer's
 * own WebAssembly/JavaScript path (false). Returns whether native masking is
 * on afterwards: false when asked off, when SOCKETEER_NATIVE=0, or when
 * bufferutil's native binding did not load.
 */
export function switchBufferutil(module: BufferutilModule, enabled: boolean): boolean {
  if (enabled && !envDisabled() && isNativeBufferutil(module)) {
    setNativeMasker({ mask: module.mask, unmask: module.unmask });
  } else {
    setNativeMasker(null);
  }
  return nativeMasking();
}

/** The error `socketeer/bufferutil` throws on import when `bufferutil` cannot be loaded. */
export function missingBufferutil(cause: unknown): WebSocketError {
  const notFound = ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes((cause as { code?: string } | null)?.code ?? '');
  const error = new WebSocketError(
    ErrorCode.MissingPeer,
    notFound
      ? 'socketeer/bufferutil needs the "bufferutil" package (version 4): run npm install bufferutil'
      : `socketeer/bufferutil could not load the "bufferutil" package: ${(cause as Error)?.message ?? String(cause)}`,
    0,
  );
  (error as { cause?: unknown }).cause = cause;
  return error;
}
