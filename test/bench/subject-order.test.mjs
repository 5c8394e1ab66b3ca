// The interleaved bench's subject orders: within an epoch (rotatingOrder) and
// from one epoch to the next (rotated), every subject takes every place.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rotated, rotatingOrder } from '../../bench/lib/driver.mjs';

describe('interleaved bench subject order', () => {
  it('rotated turns the list left and wraps around', () => {
    const names = ['tcp', 'ws', 'ws-aa', 'socketeer'];
    assert.deepEqual(rotated(names, 0), names);
    assert.deepEqual(rotated(names, 1), ['ws', 'ws-aa', 'socketeer', 'tcp']);
    assert.deepEqual(rotated(names, 3), ['socketeer', 'tcp', 'ws', 'ws-aa']);
    assert.deepEqual(rotated(names, 5), rotated(names, 1));
    assert.deepEqual(names, ['tcp', 'ws', 'ws-aa', 'socketeer'], 'the input is left as it was');
  });

  it('over as many epochs as subjects, each subject starts in each place once', () => {
    const names = ['tcp', 'ws', 'ws-aa', 'socketeer'];
    for (let place = 0; place < names.length; place++) {
      const there = names.map((_, epoch) => rotated(names, epoch)[place]);
      assert.deepEqual([...there].sort(), [...names].sort());
    }
  });

  it('rotatingOrder visits every item once per cycle, one further along each cycle', () => {
    const order = [...rotatingOrder(3, ['a', 'b', 'c'])];
    assert.deepEqual(order.map((o) => o.cycle), [0, 0, 0, 1, 1, 1, 2, 2, 2]);
    assert.deepEqual(order.map((o) => o.item).join(''), 'abcbcacab');
  });
});
