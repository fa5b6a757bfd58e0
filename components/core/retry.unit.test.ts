import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, Retry, RETRY_AFTER_SPREAD_MS, type BackoffPolicy } from './retry.js';
import { FakeClock } from './testing/fake-clock.js';

const POLICY: BackoffPolicy = { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0.5 };
const mid = () => 0.5; // no jitter: the factor is exactly 1
const low = () => 0;
const high = () => 0.999999;

describe('backoffDelay', () => {
  it('waits the initial delay before the first retry', () => {
    assert.equal(backoffDelay(POLICY, 0, undefined, mid), 1_000);
  });

  it('multiplies the delay by the factor for each further retry', () => {
    assert.deepEqual(
      [0, 1, 2].map((n) => backoffDelay(POLICY, n, undefined, mid)),
      [1_000, 2_000, 4_000],
    );
  });

  it('never waits longer than the maximum before jitter', () => {
    assert.equal(backoffDelay(POLICY, 10, undefined, mid), 8_000);
  });

  it('spreads the delay down by the jitter fraction at the lowest random number', () => {
    assert.equal(backoffDelay(POLICY, 0, undefined, low), 500);
  });

  it('spreads the delay up by at most the jitter fraction', () => {
    const ms = backoffDelay(POLICY, 0, undefined, high);
    assert.ok(ms < 1_500 && ms > 1_499, `${ms}`);
  });

  it('keeps every jittered delay within its bounds over many draws', () => {
    for (let retry = 0; retry < 6; retry++) {
      const base = Math.min(8_000, 1_000 * 2 ** retry);
      for (let i = 0; i < 200; i++) {
        const ms = backoffDelay(POLICY, retry);
        assert.ok(ms >= base * 0.5 && ms < base * 1.5, `retry ${retry}: ${ms}`);
      }
    }
  });

  it('gives different delays to clients that failed together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(POLICY, 2)));
    assert.ok(delays.size > 15);
  });

  it('does not jitter a policy whose jitter is zero', () => {
    assert.equal(backoffDelay({ ...POLICY, jitter: 0 }, 1, undefined, high), 2_000);
  });

  it('defaults to doubling with 50 % jitter', () => {
    assert.equal(backoffDelay({ initialMs: 100, maxMs: 1_000 }, 2, undefined, low), 200);
  });

  it('keeps a constant delay with factor 1', () => {
    assert.equal(backoffDelay({ initialMs: 300, maxMs: 300, factor: 1, jitter: 0 }, 7), 300);
  });

  it('waits at least what the server asked for', () => {
    assert.equal(backoffDelay(POLICY, 0, 5_000, low), 5_000);
  });

  it('spreads the wait the server names by less than the spread constant', () => {
    const ms = backoffDelay(POLICY, 0, 5_000, high);
    assert.ok(ms >= 5_000 && ms < 5_000 + RETRY_AFTER_SPREAD_MS);
  });

  it('keeps the backoff when the server asks for less', () => {
    assert.equal(backoffDelay(POLICY, 2, 10, mid), 4_000);
  });

  it('treats a negative retry number as the first', () => {
    assert.equal(backoffDelay(POLICY, -3, undefined, mid), 1_000);
  });
});

describe('Retry', () => {
  it('runs the action after the backoff delay', () => {
    const clock = new FakeClock();
    const retry = new Retry(POLICY, { clock, random: mid });
    let runs = 0;
    retry.schedule(() => runs++);
    clock.tick(999);
    assert.equal(runs, 0);
    clock.tick(1);
    assert.equal(runs, 1);
  });

  it('waits longer after each scheduled retry', () => {
    const clock = new FakeClock();
    const retry = new Retry(POLICY, { clock, random: mid });
    assert.deepEqual([retry.schedule(() => {}), retry.schedule(() => {}), retry.schedule(() => {})], [1_000, 2_000, 4_000]);
  });

  it('starts over at the shortest delay after reset', () => {
    const clock = new FakeClock();
    const retry = new Retry(POLICY, { clock, random: mid });
    retry.schedule(() => {});
    retry.schedule(() => {});
    retry.reset();
    assert.equal(
      retry.schedule(() => {}),
      1_000,
    );
  });

  it('gives up once the policy’s retries are spent', () => {
    const clock = new FakeClock();
    const retry = new Retry({ ...POLICY, maxRetries: 2 }, { clock, random: mid });
    retry.schedule(() => {});
    retry.schedule(() => {});
    let ran = false;
    assert.equal(
      retry.schedule(() => (ran = true)),
      null,
    );
    clock.tick(60_000);
    assert.equal(ran, false);
  });

  it('never runs a cancelled retry', () => {
    const clock = new FakeClock();
    const retry = new Retry(POLICY, { clock, random: mid });
    let runs = 0;
    retry.schedule(() => runs++);
    retry.cancel();
    clock.tick(60_000);
    assert.equal(runs, 0);
    assert.equal(retry.pending, false);
  });

  it('keeps one retry pending at a time: a new schedule replaces the old', () => {
    const clock = new FakeClock();
    const retry = new Retry(POLICY, { clock, random: mid });
    const ran: string[] = [];
    retry.schedule(() => ran.push('first'));
    retry.schedule(() => ran.push('second'));
    clock.tick(60_000);
    assert.deepEqual(ran, ['second']);
    assert.equal(clock.pending, 0);
  });

  it('says a retry is pending until it runs', () => {
    const clock = new FakeClock();
    const retry = new Retry(POLICY, { clock, random: mid });
    retry.schedule(() => {});
    assert.equal(retry.pending, true);
    clock.tick(1_000);
    assert.equal(retry.pending, false);
  });

  it('counts the retries scheduled since the last reset', () => {
    const clock = new FakeClock();
    const retry = new Retry(POLICY, { clock, random: mid });
    retry.schedule(() => {});
    retry.schedule(() => {});
    assert.equal(retry.retries, 2);
    retry.reset();
    assert.equal(retry.retries, 0);
  });

  it('honours the server’s wait when scheduling', () => {
    const clock = new FakeClock();
    const retry = new Retry(POLICY, { clock, random: low });
    assert.equal(
      retry.schedule(() => {}, 3_000),
      3_000,
    );
  });
});
