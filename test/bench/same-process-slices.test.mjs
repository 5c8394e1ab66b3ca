// The same-process bench's slice schedule: the two libraries alternate, the
// order flips every pair, the warm-up quarter is dropped, and the nth figures
// of both lists come from the same pair.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alternate } from '../../bench/same-process/slices.mjs';

describe('same-process bench slices', () => {
  it('flips the order every pair and keeps the figures after the warm-up quarter', async () => {
    const ran = [];
    const figures = await alternate(8, async (lib) => {
      ran.push(lib);
      return ran.length;
    });
    assert.deepEqual(ran, [
      'ws', 'socketeer', 'socketeer', 'ws', 'ws', 'socketeer', 'socketeer', 'ws',
      'ws', 'socketeer', 'socketeer', 'ws', 'ws', 'socketeer', 'socketeer', 'ws',
    ]);
    // Pairs 2-7 (the first two of eight are warm-up); slice numbers from 1.
    assert.deepEqual(figures.ws, [5, 8, 9, 12, 13, 16]);
    assert.deepEqual(figures.socketeer, [6, 7, 10, 11, 14, 15]);
  });

  it('waits for each slice before starting the next', async () => {
    let running = 0;
    let most = 0;
    await alternate(4, async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return 1;
    });
    assert.equal(most, 1);
  });
});
