// Intervals for figures measured in interleaved cycles (bench/interleaved.mjs):
// the cycles are resampled with replacement, the same cycles for every
// subject, so a ratio keeps the pairing of slices that ran side by side.
// Cycles come in epochs, each with freshly started processes: a process can
// stay faster or slower than another of the same program for its whole life
// (where its memory landed, which page-fault pattern it fell into), so the
// epochs are resampled first and then the cycles within each.
import { quantile } from './stats.mjs';

/** A small deterministic generator, so that a report can be recomputed exactly. */
function generator(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `statistic(cycleIndices)` computed on the cycles as measured, and its
 * bootstrap interval at `level` (0.9: the 5th to 95th percentile of `reps`
 * resamples). `epochs` is an array of arrays of cycle indices (a plain count
 * n stands for one epoch of cycles 0..n-1).
 */
export function bootstrapOverCycles(epochs, statistic, { reps = 1000, level = 0.9, seed = 1 } = {}) {
  const groups = typeof epochs === 'number' ? [Array.from({ length: epochs }, (_, i) => i)] : epochs;
  const point = statistic(groups.flat());
  const random = generator(seed);
  const any = (list) => list[Math.floor(random() * list.length)];
  const values = [];
  for (let r = 0; r < reps; r++) {
    const pick = [];
    for (let e = 0; e < groups.length; e++) {
      const epoch = groups.length === 1 ? groups[0] : any(groups);
      for (let c = 0; c < epoch.length; c++) pick.push(any(epoch));
    }
    const v = statistic(pick);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { point, low: quantile(values, tail), high: quantile(values, 1 - tail), level };
}

/**
 * Where a ratio stands against its goal: 'met' when the whole interval is on
 * the goal's side, 'not met' when the whole interval is on the other side,
 * and otherwise which side the measured ratio is on, "within noise".
 */
export function goalVerdict({ point, low, high }, goal, better) {
  const good = (x) => (better === 'higher' ? x >= goal : x <= goal);
  if (good(low) && good(high)) return 'met';
  if (!good(low) && !good(high)) return 'not met';
  return good(point) ? 'met within noise' : 'not met, within noise';
}
