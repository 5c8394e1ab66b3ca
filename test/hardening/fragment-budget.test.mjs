// The fragment byte budget on its own: bytes, not frames, decide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FragmentBudget, FRAME_OVERHEAD_BYTES, FRAGMENT_ALLOWANCE_BYTES } from '../../dist/esm/core/fragment-budget.js';

const MiB = 1024 * 1024;
const DEFAULT_MAX_PAYLOAD = 100 * MiB;

function framesAccepted(budget, payloadLength, frames) {
  for (let i = 0; i < frames; i++) if (!budget.charge(payloadLength)) return i;
  return frames;
}

test('defaults: 4 MiB in 64-byte fragments fits, 1,000,000 one-byte fragments do not', () => {
  assert.equal(framesAccepted(new FragmentBudget(DEFAULT_MAX_PAYLOAD), 64, 65_536), 65_536);
  const refusedAt = framesAccepted(new FragmentBudget(DEFAULT_MAX_PAYLOAD), 1, 1_000_000);
  assert.ok(refusedAt < 1_000_000);
  assert.equal(refusedAt, Math.floor((DEFAULT_MAX_PAYLOAD + FRAGMENT_ALLOWANCE_BYTES) / (1 + FRAME_OVERHEAD_BYTES)));
});

test('a small maxPayload still allows a fragmented message up to its size', () => {
  const budget = new FragmentBudget(1000);
  assert.equal(framesAccepted(budget, 100, 10), 10);
});

test('reset gives the next message a full budget; describe() says what to do', () => {
  const budget = new FragmentBudget(0);
  while (budget.charge(0));
  budget.reset();
  assert.equal(budget.charge(0), true);
  assert.match(budget.describe(), /fewer, larger fragments/);
  assert.ok(Buffer.byteLength(budget.describe()) <= 123, 'fits a Close reason');
});
