// Unit checks of the reconnect arithmetic and option checks (no network).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, retryAfterMs } from '../../dist/esm/client/backoff.js';
import { resolveReconnectOptions } from '../../dist/esm/client/reconnect-options.js';
import { decide } from '../../dist/esm/client/reconnect-policy.js';
import { ReconnectingWebSocket } from 'socketeer';

const opts = { minDelay: 100, maxDelay: 5000, factor: 2, jitter: 1 };

test('full jitter stays between minDelay and the growing cap, which stops at maxDelay', () => {
  for (let attempt = 1; attempt <= 20; attempt++) {
    const cap = Math.min(5000, 100 * 2 ** (attempt - 1));
    assert.equal(backoffDelay(attempt, opts, () => 0), cap, 'random 0 gives the cap');
    assert.equal(backoffDelay(attempt, opts, () => 0.999999), Math.round(cap - (cap - 100) * 0.999999));
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(attempt, opts);
      assert.ok(d >= 100 && d <= cap, `attempt ${attempt}: ${d} outside [100, ${cap}]`);
    }
  }
  assert.equal(backoffDelay(5000, opts, () => 0), 5000, 'huge attempt numbers do not overflow');
  assert.equal(backoffDelay(3, { ...opts, jitter: 0 }, () => 0.7), 400, 'no jitter: deterministic');
});

test('Retry-After in seconds or as an HTTP date', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(undefined), undefined);
  assert.equal(retryAfterMs('soon'), undefined);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:02 GMT', now), 2000);
});

test('invalid reconnect options throw TypeError with WS_ERR_INVALID_OPTION, before dialling', () => {
  const bad = [
    { minDelay: -1 }, { minDelay: 'x' }, { maxDelay: 0 }, { minDelay: 500, maxDelay: 100 }, { factor: 0.5 },
    { jitter: 2 }, { retries: -1 }, { retries: 1.5 }, { finalCodes: 1008 }, { finalCodes: [99] },
    { shouldReconnect: 'yes' }, { replay: 1 }, { maxQueuedMessages: -1 }, { maxQueuedBytes: NaN },
  ];
  for (const reconnect of bad) {
    assert.throws(() => resolveReconnectOptions(reconnect), (e) => e instanceof TypeError && e.code === 'WS_ERR_INVALID_OPTION' && /reconnect/.test(e.message), JSON.stringify(reconnect));
    assert.throws(() => new ReconnectingWebSocket('ws://127.0.0.1:9/', { reconnect }), (e) => e instanceof TypeError && e.code === 'WS_ERR_INVALID_OPTION');
  }
  assert.throws(() => resolveReconnectOptions(5), { code: 'WS_ERR_INVALID_OPTION' });
  assert.throws(() => new ReconnectingWebSocket('ws://127.0.0.1:9/', { signal: {} }), { code: 'WS_ERR_INVALID_OPTION' });
  assert.equal(resolveReconnectOptions(true).retries, Infinity);
});

test('policy: final codes and 4xx stop; 408/429 honour Retry-After; 5xx and drops retry; retries bound', () => {
  const o = resolveReconnectOptions({ minDelay: 10, maxDelay: 20, retries: 3 });
  const drop = { code: 1006, reason: '', wasClean: false, opened: true };
  assert.deepEqual(decide(drop, 1, o, () => 0), { retry: true, delay: 10 });
  assert.equal(decide(drop, 4, o).retry, false, 'retries spent');
  assert.equal(decide({ ...drop, code: 1008, wasClean: true }, 1, o).retry, false, '1008 is final');
  assert.equal(decide({ ...drop, code: 1001, wasClean: true }, 1, o).retry, true, '1001 (going away) retries');
  assert.equal(decide({ ...drop, opened: false, status: 403 }, 1, o).retry, false);
  assert.equal(decide({ ...drop, opened: false, status: 503 }, 1, o).retry, true);
  assert.deepEqual(decide({ ...drop, opened: false, status: 429, retryAfter: '2' }, 1, o, () => 0), { retry: true, delay: 2000 });
  assert.deepEqual(decide({ ...drop, opened: false, status: 408 }, 1, o, () => 0), { retry: true, delay: 10 });
  const custom = resolveReconnectOptions({ finalCodes: [4000, 4001] });
  assert.equal(decide({ ...drop, code: 4001 }, 1, custom).retry, false);
  assert.equal(decide({ ...drop, code: 1008 }, 1, custom).retry, true, 'finalCodes replaces the default list');
  const seen = [];
  const judged = resolveReconnectOptions({ shouldReconnect: (info) => (seen.push(info), info.code !== 4100) });
  assert.equal(decide({ ...drop, code: 4100 }, 2, judged).retry, false);
  assert.equal(seen[0].attempt, 2);
});
