import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, exponentialBackoff } from './backoff.js';

describe('backoff', () => {
  it('waits initialMs before the first retry', () => {
    assert.equal(backoffDelay(1, { initialMs: 1_000, maxMs: 300_000 }), 1_000);
  });

  it('doubles the wait with each further attempt', () => {
    const delay = exponentialBackoff({ initialMs: 100, maxMs: 10_000 });
    assert.deepEqual([1, 2, 3, 4, 5].map(delay), [100, 200, 400, 800, 1_600]);
  });

  it('never waits longer than maxMs', () => {
    const delay = exponentialBackoff({ initialMs: 100, maxMs: 2_000 });
    assert.deepEqual([5, 6, 7, 50, 5_000].map(delay), [1_600, 2_000, 2_000, 2_000, 2_000]);
  });

  it('grows by the given factor', () => {
    assert.deepEqual([1, 2, 3].map(exponentialBackoff({ initialMs: 10, maxMs: 1_000, factor: 3 })), [10, 30, 90]);
  });

  it("matches the Twilio provider's schedule (1 s doubling to 5 min)", () => {
    const twilio = (failures: number) => Math.min(300_000, 1_000 * 2 ** (failures - 1));
    for (let n = 1; n <= 12; n++) assert.equal(backoffDelay(n, { initialMs: 1_000, maxMs: 300_000 }), twilio(n), `attempt ${n}`);
  });

  it('matches the Redis reconnect strategy (100 ms doubling to 2 s) with retries counted from 0', () => {
    const redis = (retries: number) => Math.min(100 * 2 ** retries, 2_000);
    for (let retries = 0; retries <= 8; retries++)
      assert.equal(backoffDelay(retries + 1, { initialMs: 100, maxMs: 2_000 }), redis(retries));
  });

  it('refuses an attempt number below 1 or not an integer', () => {
    for (const attempt of [0, -1, 1.5, Number.NaN])
      assert.throws(() => backoffDelay(attempt, { initialMs: 1, maxMs: 2 }), RangeError, String(attempt));
  });

  it('refuses a policy whose cap is below its first wait, or that shrinks', () => {
    assert.throws(() => exponentialBackoff({ initialMs: 500, maxMs: 100 }), RangeError);
    assert.throws(() => exponentialBackoff({ initialMs: 0, maxMs: 100 }), RangeError);
    assert.throws(() => exponentialBackoff({ initialMs: 10, maxMs: 100, factor: 0.5 }), RangeError);
  });
});
