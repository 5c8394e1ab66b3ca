// The statistics of bench/interleaved.mjs: intervals over resampled cycles and
// the verdict a ratio gets against its goal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootstrapOverCycles, goalVerdict } from '../../bench/lib/cycle-bootstrap.mjs';

/** Ratio of sums over the picked cycles, as the real-client rows compute it. */
function ratioOfSums(a, b) {
  return (picks) => {
    let x = 0;
    let y = 0;
    for (const i of picks) { x += a[i]; y += b[i]; }
    return x / y;
  };
}

describe('bootstrapOverCycles', () => {
  it('gives the statistic of all cycles as the point, inside its interval', () => {
    const a = [10, 12, 11, 9, 13, 10, 12, 11];
    const b = [10, 10, 10, 10, 10, 10, 10, 10];
    const r = bootstrapOverCycles(a.length, ratioOfSums(a, b));
    assert.equal(r.point, a.reduce((s, v) => s + v, 0) / 80);
    assert.ok(r.low <= r.point && r.point <= r.high, JSON.stringify(r));
    assert.ok(r.low >= 0.9 && r.high <= 1.3, JSON.stringify(r));
  });

  it('has an interval of zero width when every cycle agrees', () => {
    const r = bootstrapOverCycles(6, ratioOfSums([2, 4, 6, 8, 10, 12], [1, 2, 3, 4, 5, 6]));
    assert.deepEqual([r.point, r.low, r.high], [2, 2, 2]);
  });

  it('is wider when the cycles disagree more', () => {
    const base = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const calm = bootstrapOverCycles(10, ratioOfSums([1.02, 0.98, 1.01, 0.99, 1, 1.02, 0.98, 1.01, 0.99, 1], base));
    const rough = bootstrapOverCycles(10, ratioOfSums([1.4, 0.6, 1.2, 0.8, 1, 1.4, 0.6, 1.2, 0.8, 1], base));
    assert.ok(rough.high - rough.low > 5 * (calm.high - calm.low), JSON.stringify({ calm, rough }));
  });

  it('widens the interval when whole epochs disagree, not only cycles', () => {
    // Two epochs of four cycles: each epoch steady, the epochs 1.2 and 0.8.
    const a = [1.2, 1.2, 1.2, 1.2, 0.8, 0.8, 0.8, 0.8];
    const b = [1, 1, 1, 1, 1, 1, 1, 1];
    const asCycles = bootstrapOverCycles(8, ratioOfSums(a, b));
    const asEpochs = bootstrapOverCycles([[0, 1, 2, 3], [4, 5, 6, 7]], ratioOfSums(a, b));
    assert.ok(Math.abs(asEpochs.point - 1) < 1e-12);
    // Resampling epochs can draw the same epoch twice: the interval reaches both.
    assert.ok(asEpochs.low <= 0.8 + 1e-9 && asEpochs.high >= 1.2 - 1e-9, JSON.stringify(asEpochs));
    assert.ok(asEpochs.high - asEpochs.low > asCycles.high - asCycles.low, JSON.stringify({ asCycles, asEpochs }));
  });

  it('gives the same interval for the same seed', () => {
    const a = [3, 1, 4, 1, 5, 9, 2, 6];
    const b = [2, 7, 1, 8, 2, 8, 1, 8];
    assert.deepEqual(bootstrapOverCycles(8, ratioOfSums(a, b)), bootstrapOverCycles(8, ratioOfSums(a, b)));
  });
});

describe('goalVerdict', () => {
  it('reads a higher-is-better goal', () => {
    assert.equal(goalVerdict({ point: 1.1, low: 1.02, high: 1.2 }, 1, 'higher'), 'met');
    assert.equal(goalVerdict({ point: 1.03, low: 0.97, high: 1.1 }, 1, 'higher'), 'met within noise');
    assert.equal(goalVerdict({ point: 0.98, low: 0.9, high: 1.05 }, 1, 'higher'), 'not met, within noise');
    assert.equal(goalVerdict({ point: 0.85, low: 0.8, high: 0.89 }, 0.9, 'higher'), 'not met');
  });

  it('reads a lower-is-better goal', () => {
    assert.equal(goalVerdict({ point: 0.8, low: 0.7, high: 0.95 }, 1, 'lower'), 'met');
    assert.equal(goalVerdict({ point: 0.95, low: 0.7, high: 1.2 }, 1, 'lower'), 'met within noise');
    assert.equal(goalVerdict({ point: 1.1, low: 0.9, high: 1.3 }, 1, 'lower'), 'not met, within noise');
    assert.equal(goalVerdict({ point: 1.5, low: 1.2, high: 1.9 }, 1, 'lower'), 'not met');
  });
});
