// A node's heartbeat and when it may judge other nodes dead, with a fake clock and a fake
// heartbeat write.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { heartbeatIntervalMs, Liveness } from './liveness.js';

/** A Liveness with a TTL of 1000 ms, a clock the test moves, and heartbeat writes it answers. */
function setup(answers: (boolean | Error)[] = []) {
  let now = 10_000;
  let beats = 0;
  let rechecks = 0;
  let recheckFails = false;
  const liveness = new Liveness({
    nodeTtlMs: 1000,
    now: () => now,
    beat: async () => {
      beats++;
      const answer = answers.shift() ?? true;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    recheck: async () => {
      rechecks++;
      if (recheckFails) throw new Error('redis failed during the recheck');
    },
  });
  return {
    liveness,
    advance: (ms: number) => void (now += ms),
    beats: () => beats,
    rechecks: () => rechecks,
    failRechecks: (fail: boolean) => void (recheckFails = fail),
  };
}

describe('Liveness', () => {
  it('is not settled before it has ever been connected', () => {
    assert.equal(setup().liveness.settled, false);
  });

  it('is settled at once on a first connection (`settle`)', () => {
    const { liveness } = setup();
    liveness.settle();
    assert.equal(liveness.settled, true);
  });

  it('after coming back (`up`) it is settled only once connected for longer than the TTL', () => {
    const { liveness, advance } = setup();
    liveness.up();
    advance(1000);
    assert.equal(liveness.settled, false);
    advance(1);
    assert.equal(liveness.settled, true);
  });

  it('is no longer settled once the connection is down', () => {
    const { liveness } = setup();
    liveness.settle();
    liveness.down();
    assert.equal(liveness.settled, false);
  });

  it('counts a successful heartbeat as being connected from then on', async () => {
    const { liveness, advance } = setup();
    await liveness.beat();
    assert.equal(liveness.settled, false);
    advance(1001);
    assert.equal(liveness.settled, true);
  });

  it('a failed heartbeat is passed on and unsettles the node', async () => {
    const { liveness } = setup([new Error('timeout')]);
    liveness.settle();
    await assert.rejects(liveness.beat(), /timeout/);
    assert.equal(liveness.settled, false);
  });

  it('a heartbeat that was still there needs no recheck', async () => {
    const { liveness, rechecks } = setup([true, true]);
    await liveness.beat();
    await liveness.beat();
    assert.equal(rechecks(), 0);
  });

  it('a heartbeat found missing runs the recheck once', async () => {
    const { liveness, rechecks } = setup([false, true, true]);
    await liveness.beat();
    await liveness.beat();
    await liveness.beat();
    assert.equal(rechecks(), 1);
  });

  it('a recheck that failed runs again on the next beats until it succeeds', async () => {
    const { liveness, rechecks, failRechecks } = setup([false, true, true, true]);
    failRechecks(true);
    await assert.rejects(liveness.beat());
    await assert.rejects(liveness.beat());
    failRechecks(false);
    await liveness.beat();
    await liveness.beat();
    assert.equal(rechecks(), 3);
  });

  it('beats three times per TTL once started, and not after `stop`', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const { liveness, beats } = setup();
      liveness.start();
      mock.timers.tick(999);
      assert.equal(beats(), 3);
      liveness.stop();
      mock.timers.tick(5000);
      assert.equal(beats(), 3);
    } finally {
      mock.timers.reset();
    }
  });

  it('beats at most every 50 ms however short the TTL', () => {
    assert.equal(heartbeatIntervalMs(8000), 2666);
    assert.equal(heartbeatIntervalMs(90), 50);
  });
});
