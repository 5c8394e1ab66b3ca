// glibc's malloc settings in the benches: what a report shows of them, and the
// environment load processes run with (bench/performance-notes.md, rounds 7
// and 8).

/**
 * glibc malloc settings in the environment, which every child inherits, as a
 * command prefix ('' when none): they change the large-message rows, so
 * reports show them.
 */
export function allocatorEnv() {
  return Object.entries(process.env)
    .filter(([k]) => k === 'GLIBC_TUNABLES' || /^MALLOC_[A-Z_]+_$/.test(k))
    .map(([k, v]) => `${k}=${v} `)
    .join('');
}

/**
 * The environment for load processes (load generators, drivers, fixed
 * servers): glibc's malloc thresholds held still, unless the caller set its
 * own. With the default, glibc may start trimming a process's heap after every
 * large message, and a load process in that mode sets the pace for every
 * subject it serves. Subjects keep the default allocator.
 */
export const LOAD_ALLOCATOR = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824';
export function loadEnv() {
  return process.env.GLIBC_TUNABLES ? process.env : { ...process.env, GLIBC_TUNABLES: LOAD_ALLOCATOR };
}

/** The report line on the load processes' allocator, from a run's `command` and `loadAllocator` ([] for runs before it was recorded). */
export function loadAllocatorLines({ command, loadAllocator }) {
  if (!loadAllocator) return [];
  const subjects = /GLIBC_TUNABLES|MALLOC_/.test(command) ? "the command's settings" : 'the default allocator';
  return [`- The load processes (load generators, drivers, the fixed raw server) run with \`GLIBC_TUNABLES=${loadAllocator}\`, glibc's heap thresholds held still so that they keep one pace; the subjects with ${subjects}.`];
}
