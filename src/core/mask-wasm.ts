/**
 * XOR masking in WebAssembly with 128-bit SIMD (src/core/wasm/mask.wat),
 * for payloads above a measured length. WebAssembly memory cannot
 * alias a Node Buffer, so each payload is copied into the module's one page
 * of memory in chunks of 16 KiB, masked there sixteen bytes per instruction
 * and copied back (or straight into the target frame). That round trip still
 * beats the JavaScript word loop from 1 KiB up in place, 128 B copying (measurements:
 * docs/performance.md, "WebAssembly masking").
 *
 * The JavaScript path in mask.ts stays the fallback: below the threshold,
 * where WebAssembly or its SIMD proposal is missing (compiling the module
 * fails), when the environment variable SOCKETEER_WASM is "0", or after
 * setWasmMasking(false).
 */
import { MASK_WASM } from './wasm/mask-wasm.generated.js';

/**
 * Ranges this long or longer are masked in place in WebAssembly when it is
 * on (measured crossover: between 512 B and 1 KiB, bench/mask-wasm.mjs).
 */
export const WASM_MASK_THRESHOLD = 1024;
/**
 * Copy-and-mask (the serializer) goes to WebAssembly from this length: the
 * JavaScript copy path costs more per call, so it wins from 64 B measured.
 */
export const WASM_COPY_THRESHOLD = 128;

/** Bytes masked per call (a multiple of 4): 16 KiB measured faster than 32 or 64 KiB (stays in cache). */
const CHUNK = 16384;

interface MaskExports {
  memory: { buffer: ArrayBuffer };
  mask(ptr: number, length: number, key: number): void;
}

// The global WebAssembly namespace, typed just as far as it is used here (the
// core is compiled without DOM or Node types).
interface WasmNamespace {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/**
 * The smallest lengths masked in WebAssembly, in place and copying: the
 * thresholds above when on, Infinity when off or unavailable. mask.ts reads
 * them on every call.
 */
export let wasmMaskMin = Infinity;
export let wasmCopyMin = Infinity;

let exportsOf: MaskExports | null = null;
let memory = new Uint8Array(0);
let chunkView = memory; // memory[0..CHUNK)
let failed = false;

function wasmNamespace(): WasmNamespace | undefined {
  return (globalThis as { WebAssembly?: WasmNamespace }).WebAssembly;
}

function envDisabled(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.SOCKETEER_WASM;
  return value === '0' || value === 'false' || value === 'off';
}

/** Compile and instantiate once (synchronously: the module is 308 bytes). */
function load(): MaskExports | null {
  if (exportsOf !== null || failed) return exportsOf;
  try {
    const wasm = wasmNamespace();
    if (wasm === undefined) throw new Error('no WebAssembly');
    const instance = new wasm.Instance(new wasm.Module(MASK_WASM), {});
    exportsOf = instance.exports as MaskExports;
    memory = new Uint8Array(exportsOf.memory.buffer);
    if (memory.length < CHUNK) throw new Error('memory too small');
    chunkView = memory.subarray(0, CHUNK);
  } catch {
    // No WebAssembly, or no SIMD (the module fails to validate): JavaScript.
    exportsOf = null;
    failed = true;
    wasmMaskMin = Infinity;
    wasmCopyMin = Infinity;
  }
  return exportsOf;
}

/**
 * Turn the WebAssembly path on or off (on by default unless SOCKETEER_WASM=0).
 * Returns whether it is on: false when asked off, or when WebAssembly SIMD is
 * not available here.
 */
export function setWasmMasking(enabled: boolean): boolean {
  const on = enabled && load() !== null;
  wasmMaskMin = on ? WASM_MASK_THRESHOLD : Infinity;
  wasmCopyMin = on ? WASM_COPY_THRESHOLD : Infinity;
  return on;
}

if (!envDisabled() && wasmNamespace() !== undefined) {
  // Compiled on first use.
  wasmMaskMin = WASM_MASK_THRESHOLD;
  wasmCopyMin = WASM_COPY_THRESHOLD;
}

/**
 * The mask bytes that fall on data[from], data[from+1], ... as one
 * little-endian int32: `key` packs the mask big-endian (first byte on top),
 * `phase` is the mask position of data[from].
 */
function wordFor(key: number, phase: number): number {
  const shift = (phase & 3) << 3;
  const rotated = shift === 0 ? key : (key << shift) | (key >>> (32 - shift));
  return ((rotated >>> 24) & 0xff) | ((rotated >>> 8) & 0xff00) | ((rotated << 8) & 0xff0000) | (rotated << 24);
}

/**
 * maskWithKey() in WebAssembly: XOR data[from..to) in place, mask position
 * `offset` on data[from]. Returns false (and does nothing) when the module
 * cannot be used, so the caller falls back to JavaScript.
 */
export function wasmMaskWithKey(data: Uint8Array, from: number, to: number, key: number, offset: number): boolean {
  const wasm = exportsOf ?? load();
  if (wasm === null) return false;
  const word = wordFor(key, offset);
  const mem = memory;
  while (from < to) {
    const n = to - from < CHUNK ? to - from : CHUNK;
    mem.set(data.subarray(from, from + n), 0);
    wasm.mask(0, n, word);
    data.set(n === CHUNK ? chunkView : mem.subarray(0, n), from);
    from += n; // CHUNK is a multiple of 4: the word stays in phase
  }
  return true;
}

/**
 * copyMasked() in WebAssembly: `source` masked from mask position 0 into
 * target[targetOffset..]. Returns false when the module cannot be used.
 */
export function wasmCopyMasked(source: Uint8Array, target: Uint8Array, targetOffset: number, key: number): boolean {
  const wasm = exportsOf ?? load();
  if (wasm === null) return false;
  const word = wordFor(key, 0);
  const mem = memory;
  const length = source.length;
  for (let i = 0; i < length; i += CHUNK) {
    const n = length - i < CHUNK ? length - i : CHUNK;
    mem.set(n === length ? source : source.subarray(i, i + n), 0);
    wasm.mask(0, n, word);
    target.set(n === CHUNK ? chunkView : mem.subarray(0, n), targetOffset + i);
  }
  return true;
}
