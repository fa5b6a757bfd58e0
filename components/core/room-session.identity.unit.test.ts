// RoomSession and who it is on the server: a fresh access token mid-call (`refresh-token`), and a
// seat taken over by the same identity elsewhere (`seat-taken`).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { RtcError } from './errors.js';
import { RoomSession, type RoomSessionOptions } from './room-session.js';
import { FakeClock, flush } from './testing/fake-clock.js';
import { FakeMedia } from './testing/fake-media.js';
import { FakePeerLink } from './testing/fake-peer-link.js';
import { FakeSignaling, joinResult } from './testing/fake-signaling.js';

const sessions: RoomSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.leave()));
});

function setup(options: Partial<RoomSessionOptions> = {}) {
  const clock = new FakeClock();
  const signaling = new FakeSignaling();
  const session = new RoomSession({
    room: 'room',
    sendAudio: true,
    sendVideo: true,
    token: 'first',
    clock,
    random: () => 0.5,
    createSignaling: () => signaling,
    createPeerLink: (o) => new FakePeerLink(o),
    createMedia: (o) => new FakeMedia(o),
    onPageHide: () => () => {},
    ...options,
  });
  sessions.push(session);
  const errors: RtcError[] = [];
  session.addEventListener('error', (e) => errors.push(e.detail));
  return { clock, signaling, session, errors };
}

const FRESH = { iceServers: [{ urls: 'turn:fresh.example', username: 'u', credential: 'c' }], iceServersExpireAt: 9_000_000 };

describe('RoomSession.updateToken during a call', () => {
  it('hands the new token to the server and swaps in the ICE servers it answers', async () => {
    const { session, signaling } = setup();
    signaling.onRefreshToken = async () => FRESH;
    await session.join();
    assert.equal(session.updateToken('second'), true);
    await flush();
    assert.deepEqual(signaling.refreshes, ['second']);
    assert.deepEqual(session.iceServers, FRESH);
    assert.equal(session.options.token, 'second', 'kept for rejoins too');
  });

  it('reports a refusal as an error, keeps the call and the servers it had', async () => {
    const { session, signaling, errors } = setup();
    signaling.onJoin = async () => joinResult({ iceServers: [{ urls: 'stun:old.example' }] });
    signaling.onRefreshToken = async () => {
      throw new RtcError('unauthorized', 'The new access token names another identity (sub): join with it instead');
    };
    await session.join();
    session.updateToken('someone-else');
    await flush();
    assert.deepEqual(
      errors.map((e) => e.code),
      ['unauthorized'],
    );
    assert.equal(session.status, 'joined');
    assert.deepEqual(session.iceServers?.iceServers, [{ urls: 'stun:old.example' }]);
  });

  it('sends nothing before the join, nor while reconnecting (the rejoin carries the token)', async () => {
    const { session, signaling } = setup();
    session.updateToken('early');
    await session.join();
    signaling.drop();
    session.updateToken('while-away');
    await flush();
    assert.deepEqual(signaling.refreshes, []);
    assert.equal(session.options.token, 'while-away');
  });

  it('sends nothing when the token is removed', async () => {
    const { session, signaling } = setup();
    await session.join();
    session.updateToken(undefined);
    await flush();
    assert.deepEqual(signaling.refreshes, []);
  });
});

describe('RoomSession when its seat is taken over elsewhere', () => {
  it('ends the call with `replaced` and never rejoins, even when the connection comes back', async () => {
    const { session, signaling, errors, clock } = setup();
    signaling.onJoin = async () => joinResult({ peers: [{ id: 'a', name: 'A' }] });
    await session.join();
    signaling.emit('replaced', { room: 'room' });
    await flush();
    assert.deepEqual(
      errors.map((e) => e.code),
      ['replaced'],
    );
    assert.equal(session.status, 'error');
    assert.equal(signaling.closed, true);
    assert.equal(session.peers.size, 0);
    signaling.restore();
    await clock.tickAsync(60_000);
    assert.equal(signaling.joins.length, 1, 'joined once, never again');
  });
});
