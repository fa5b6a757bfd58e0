import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AWAY_DOWN_MS,
  CONNECT_TIMEOUT_MS,
  DISCONNECTED_WAIT_MS,
  MAX_ICE_RESTARTS,
  PeerHealth,
  peerCheckAnswer,
  RESTART_TIMEOUT_MS,
  type PeerCheckAnswer,
  type PeerHealthHost,
  type PeerLoss,
} from './peer-health.js';
import { FakeClock, flush } from './testing/fake-clock.js';

/** A host whose answers the test sets, recording what the health machine does. */
function setup(options: { answer?: PeerCheckAnswer | null; joined?: boolean; connectTimeoutMs?: number } = {}) {
  const clock = new FakeClock();
  const log: string[] = [];
  let state: RTCPeerConnectionState = 'connected';
  const host: PeerHealthHost & { answer: PeerCheckAnswer | null; isJoined: boolean } = {
    answer: options.answer === undefined ? 'alive' : options.answer,
    isJoined: options.joined ?? true,
    connectionState: () => state,
    joined: () => host.isJoined,
    check() {
      log.push('check');
      return host.answer === null ? null : Promise.resolve(host.answer);
    },
    restartIce: () => log.push('restart'),
    resync: () => log.push('resync'),
    lose: (why: PeerLoss) => log.push(`lose:${why}`),
  };
  const health = new PeerHealth(host, clock, { connectTimeoutMs: options.connectTimeoutMs });
  const set = (next: RTCPeerConnectionState) => {
    state = next;
    health.update();
  };
  return { clock, log, host, health, set };
}

describe('PeerHealth', () => {
  it('does nothing while the connection is connected', () => {
    const { log, set, health } = setup();
    set('connected');
    assert.deepEqual(log, []);
    assert.equal(health.waiting, false);
  });

  it('waits before restarting a disconnected connection', async () => {
    const { log, set, clock } = setup({ answer: null });
    set('disconnected');
    assert.deepEqual(log, ['check']);
    clock.tick(DISCONNECTED_WAIT_MS - 1);
    assert.ok(!log.includes('restart'));
    clock.tick(1);
    assert.ok(log.includes('restart'));
  });

  it('asks the server whether the member is alive during the wait', () => {
    const { log, set } = setup();
    set('disconnected');
    assert.deepEqual(log, ['check']);
  });

  it('restarts ICE at once on failed once the server says the member is alive', async () => {
    const { log, set } = setup();
    set('failed');
    await flush();
    assert.deepEqual(log, ['check', 'restart']);
  });

  it('restarts at once on failed when the server cannot be asked', () => {
    const { log, set } = setup({ answer: null });
    set('failed');
    assert.deepEqual(log, ['check', 'restart']);
  });

  it('gives each restart a timeout before the next', async () => {
    const { log, set, clock, health } = setup({ answer: null });
    set('failed');
    assert.equal(health.restarts, 1);
    clock.tick(RESTART_TIMEOUT_MS - 1);
    assert.equal(health.restarts, 1);
    clock.tick(1);
    assert.equal(health.restarts, 2);
    assert.equal(log.filter((x) => x === 'restart').length, 2);
  });

  it('asks the server again before every restart round', async () => {
    const { log, set, clock } = setup();
    set('failed');
    await flush();
    await clock.tickAsync(RESTART_TIMEOUT_MS);
    assert.deepEqual(log, ['check', 'restart', 'check', 'restart']);
  });

  it('gives the member up as unreachable after the last restart times out', async () => {
    const { log, set, clock } = setup({ answer: null });
    set('failed');
    for (let i = 0; i < MAX_ICE_RESTARTS; i++) clock.tick(RESTART_TIMEOUT_MS);
    assert.equal(log.filter((x) => x === 'restart').length, MAX_ICE_RESTARTS);
    assert.equal(log.at(-1), 'lose:unreachable');
  });

  it('starts counting restarts afresh after the connection came back', () => {
    const { set, clock, health } = setup({ answer: null });
    set('failed');
    clock.tick(RESTART_TIMEOUT_MS);
    assert.equal(health.restarts, 2);
    set('connected');
    assert.equal(health.restarts, 0);
    assert.equal(health.waiting, false);
  });

  it('cancels the pending restart when the connection comes back', () => {
    const { log, set, clock } = setup({ answer: null });
    set('disconnected');
    set('connected');
    clock.tick(60_000);
    assert.ok(!log.includes('restart'));
  });

  it('loses a member whose page the server says is gone, when its connection is down', async () => {
    const { log, set } = setup({ answer: 'gone' });
    set('disconnected');
    await flush();
    assert.deepEqual(log, ['check', 'lose:gone']);
  });

  it('treats a gone answer as away when the connection came back meanwhile', async () => {
    const { set, health, host } = setup({ answer: 'gone' });
    const check = host.check;
    let release: (a: PeerCheckAnswer) => void = () => {};
    host.check = () => (check(), new Promise((r) => (release = r)));
    set('disconnected');
    set('connected');
    release('gone');
    await flush();
    assert.equal(health.away, true);
  });

  it('marks the member away when the server says peer_away', async () => {
    const { set, health, log } = setup({ answer: 'away' });
    set('disconnected');
    await flush();
    assert.equal(health.away, true);
    assert.ok(!log.includes('restart'));
  });

  it('never restarts a member that is away', () => {
    const { log, set, clock, health } = setup({ answer: null });
    health.markAway();
    set('failed');
    clock.tick(AWAY_DOWN_MS - 1);
    assert.deepEqual(log, []);
  });

  it('loses an away member once its connection has been down a moment', () => {
    const { log, set, clock, health } = setup();
    health.markAway();
    set('disconnected');
    clock.tick(AWAY_DOWN_MS);
    assert.deepEqual(log, ['lose:gone']);
  });

  it('keeps an away member whose connection works', () => {
    const { log, clock, health } = setup();
    health.markAway();
    clock.tick(60_000);
    assert.deepEqual(log, []);
  });

  it('leaves repairs to the rejoin while the session is not joined', () => {
    const { log, set, clock } = setup({ joined: false });
    set('failed');
    clock.tick(60_000);
    assert.deepEqual(log, []);
  });

  it('asks the server only once while a check is pending', () => {
    const { log, set, host } = setup();
    host.check = () => (log.push('check'), new Promise(() => {}));
    set('disconnected');
    set('failed');
    assert.deepEqual(log, ['check']);
  });

  it('resyncs a member that comes back with a broken connection', () => {
    const { log, health } = setup();
    health.markAway();
    health.back(true);
    assert.equal(health.away, false);
    assert.deepEqual(log, ['resync']);
  });

  it('gives a resync the restart timeout before restarting ICE', () => {
    const { log, clock, health, set } = setup({ answer: null });
    set('connecting');
    health.back(true);
    clock.tick(RESTART_TIMEOUT_MS);
    assert.deepEqual(log, ['resync', 'check', 'restart']);
  });

  it('does not touch a member that comes back with a sound connection', () => {
    const { log, health } = setup();
    health.markAway();
    health.back(false);
    assert.equal(health.away, false);
    assert.deepEqual(log, []);
  });

  it('does nothing after dispose, not even when a check answers late', async () => {
    const { log, set, clock, health, host } = setup();
    let release: (a: PeerCheckAnswer) => void = () => {};
    host.check = () => new Promise((r) => (release = r));
    set('disconnected');
    health.dispose();
    release('gone');
    await flush();
    clock.tick(60_000);
    set('failed');
    assert.deepEqual(log, []);
    assert.equal(clock.pending, 0);
  });
});

describe('PeerHealth: a connection that makes no progress', () => {
  it('treats a connection stuck in new past the connect timeout as failed: asks the server, then restarts ICE', async () => {
    const { log, set, clock } = setup();
    set('new');
    await clock.tickAsync(CONNECT_TIMEOUT_MS - 1);
    assert.deepEqual(log, []);
    await clock.tickAsync(1);
    assert.deepEqual(log, ['check', 'restart']);
  });

  it('gives a connection stuck in new up as unreachable once the restarts did not help', async () => {
    const { log, set, clock } = setup();
    set('new');
    await clock.tickAsync(CONNECT_TIMEOUT_MS);
    for (let i = 0; i < MAX_ICE_RESTARTS; i++) await clock.tickAsync(RESTART_TIMEOUT_MS);
    assert.equal(log.filter((x) => x === 'restart').length, MAX_ICE_RESTARTS);
    assert.equal(log.at(-1), 'lose:unreachable');
  });

  it('loses at the connect timeout a member whose page the server says is gone', async () => {
    const { log, set, clock } = setup({ answer: 'gone' });
    set('new');
    await clock.tickAsync(CONNECT_TIMEOUT_MS);
    assert.deepEqual(log, ['check', 'lose:gone']);
  });

  it('bounds new and connecting together, by the timeout it was given', async () => {
    const { log, set, clock } = setup({ answer: null, connectTimeoutMs: 8_000 });
    set('new');
    clock.tick(5_000);
    set('connecting'); // progress of a kind, but the bound counts from the start
    clock.tick(2_999);
    assert.deepEqual(log, []);
    clock.tick(1);
    assert.deepEqual(log, ['check', 'restart']);
  });

  it('does nothing to a connection that connects within the timeout', () => {
    const { log, set, clock, health } = setup();
    set('new');
    set('connecting');
    clock.tick(CONNECT_TIMEOUT_MS - 1);
    set('connected');
    clock.tick(60_000);
    assert.deepEqual(log, []);
    assert.equal(health.waiting, false);
  });

  it('restarts a connection that fails while connecting at once, not at the connect timeout', () => {
    const { log, set } = setup({ answer: null });
    set('new');
    set('failed');
    assert.deepEqual(log, ['check', 'restart']);
  });

  it('waits the usual moment for a connection that drops while connecting', () => {
    const { log, set, clock } = setup({ answer: null });
    set('connecting');
    set('disconnected');
    clock.tick(DISCONNECTED_WAIT_MS);
    assert.deepEqual(log, ['check', 'restart']);
  });

  it('leaves a connection stuck in new alone while the session is not joined', () => {
    const { log, set, clock } = setup({ joined: false });
    set('new');
    clock.tick(60_000);
    assert.deepEqual(log, []);
  });
});

describe('peerCheckAnswer', () => {
  it('is alive when the server says alive', async () => {
    assert.equal(await peerCheckAnswer(Promise.resolve(true)), 'alive');
  });

  it('is gone when the server found the page dead', async () => {
    assert.equal(await peerCheckAnswer(Promise.resolve(false)), 'gone');
  });

  it('is gone when the server knows no such member', async () => {
    assert.equal(await peerCheckAnswer(Promise.reject({ code: 'not_in_room' })), 'gone');
  });

  it('is away when the server says the member is reconnecting', async () => {
    assert.equal(await peerCheckAnswer(Promise.reject({ code: 'peer_away' })), 'away');
  });

  it('lets the restart go ahead when the check failed otherwise', async () => {
    assert.equal(await peerCheckAnswer(Promise.reject({ code: 'timeout' })), 'alive');
  });
});
