import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { realClock, sleep } from './clock.js';
import { FakeClock, flush } from './testing/fake-clock.js';

describe('sleep', () => {
  it('resolves once the clock has moved on by the wait', async () => {
    const clock = new FakeClock();
    let done = false;
    void sleep(clock, 500).then(() => (done = true));
    clock.tick(499);
    await flush();
    assert.equal(done, false);
    clock.tick(1);
    await flush();
    assert.equal(done, true);
  });

  it('resolves at once, and clears its timer, when the signal aborts', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    let done = false;
    void sleep(clock, 60_000, abort.signal).then(() => (done = true));
    abort.abort();
    await flush();
    assert.equal(done, true);
    assert.equal(clock.pending, 0);
  });

  it('does not wait at all on a signal that was aborted before', async () => {
    const clock = new FakeClock();
    await sleep(clock, 60_000, AbortSignal.abort());
    assert.equal(clock.pending, 0);
  });
});

describe('FakeClock', () => {
  it('runs due timers in the order they come due', () => {
    const clock = new FakeClock();
    const ran: number[] = [];
    clock.setTimeout(() => ran.push(2), 200);
    clock.setTimeout(() => ran.push(1), 100);
    clock.tick(300);
    assert.deepEqual(ran, [1, 2]);
  });

  it('runs a timer set by a timer when it comes due within the same tick', () => {
    const clock = new FakeClock();
    const ran: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => ran.push(clock.now()), 50), 100);
    clock.tick(200);
    assert.deepEqual(ran, [150]);
  });
});

describe('realClock', () => {
  it('tells monotonic time and runs a cleared timer never', async () => {
    const t0 = realClock.now();
    let ran = false;
    realClock.clearTimeout(realClock.setTimeout(() => (ran = true), 0));
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(ran, false);
    assert.ok(realClock.now() >= t0);
  });
});
