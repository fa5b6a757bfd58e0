import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { RtcError } from './errors.js';
import type { PeerLinkOptions } from './peer-link.js';
import { RoomSession, type RoomSessionOptions } from './room-session.js';
import { FakeClock, flush } from './testing/fake-clock.js';
import { FakeMedia } from './testing/fake-media.js';
import { FakePeerLink } from './testing/fake-peer-link.js';
import { FakeSignaling, joinResult } from './testing/fake-signaling.js';

/** Every session a test made; left after each test (a joined session runs CallActivity's real interval). */
const sessions: RoomSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.leave()));
});

function setup(options: Partial<RoomSessionOptions> = {}) {
  const clock = new FakeClock();
  const signaling = new FakeSignaling();
  const links = new Map<string, FakePeerLink>();
  let media: FakeMedia | null = null;
  let pageHide: ((event: Event) => void) | null = null;
  const events: string[] = [];
  const session = new RoomSession({
    room: 'room',
    sendAudio: true,
    sendVideo: true,
    clock,
    random: () => 0.5,
    createSignaling: () => signaling,
    createPeerLink: (o: PeerLinkOptions) => {
      const link = new FakePeerLink(o);
      links.set(o.peerId, link);
      return link;
    },
    createMedia: (o) => (media = new FakeMedia(o)),
    onPageHide: (listener) => {
      pageHide = listener;
      return () => (pageHide = null);
    },
    ...options,
  });
  sessions.push(session);
  for (const type of ['joined', 'peer-joined', 'peer-left', 'reconnecting', 'reconnected', 'error', 'message']) {
    session.addEventListener(type, (e) => {
      const detail = (e as CustomEvent).detail;
      const what =
        type === 'error' ? detail.code : type.startsWith('peer-') ? detail.peer.id : type === 'reconnecting' ? detail.reason : '';
      events.push(what ? `${type}:${what}` : type);
    });
  }
  return { clock, signaling, links, media: () => media!, session, events, pageHide: () => pageHide };
}

const peer = (id: string, name = id.toUpperCase()) => ({ id, name });

describe('RoomSession', () => {
  it('is idle until join()', () => {
    const { session } = setup();
    assert.equal(session.status, 'idle');
    assert.equal(session.id, null);
  });

  it('connects, joins and opens a link to each member already there', async () => {
    const { session, signaling, links, events } = setup();
    signaling.onJoin = async () => joinResult({ id: 'm', peers: [peer('a'), peer('b')] });
    await session.join();
    assert.equal(session.status, 'joined');
    assert.equal(session.id, 'm');
    assert.deepEqual([...links.keys()], ['a', 'b']);
    assert.ok([...links.values()].every((l) => l.options.initiator));
    assert.deepEqual([...session.peers.keys()], ['a', 'b']);
    assert.deepEqual(events, ['joined']);
  });

  it('sends the join with the options’ room, name and token', async () => {
    const { session, signaling } = setup({ name: 'Ann', token: 'tok' });
    await session.join();
    assert.deepEqual(signaling.joins, [{ room: 'room', name: 'Ann', token: 'tok' }]);
  });

  it('passes the server options to the signaling factory', async () => {
    let given: unknown = null;
    const session = new RoomSession({
      room: 'r',
      sendAudio: false,
      sendVideo: false,
      server: 'https://s.example',
      requestTimeout: 3_000,
      websocketOnly: true,
      clock: new FakeClock(),
      createSignaling: (o) => ((given = o), new FakeSignaling()),
      createMedia: (o) => new FakeMedia(o),
      onPageHide: () => () => {},
    });
    sessions.push(session);
    await session.join();
    assert.deepEqual(given, { server: 'https://s.example', requestTimeout: 3_000, websocketOnly: true });
  });

  it('opens the camera and microphone while it joins', async () => {
    const { session, media } = setup();
    const joining = session.join();
    assert.equal(media().opened, true);
    await joining;
  });

  it('reports a camera that could not be opened, and goes on', async () => {
    const clock = new FakeClock();
    const session = new RoomSession({
      room: 'r',
      sendAudio: true,
      sendVideo: true,
      clock,
      createSignaling: () => new FakeSignaling(),
      createMedia: (o) => Object.assign(new FakeMedia(o), { openError: new RtcError('media_denied', 'no') }),
      onPageHide: () => () => {},
    });
    sessions.push(session);
    const codes: string[] = [];
    session.addEventListener('error', (e) => codes.push(e.detail.code));
    await session.join();
    await flush();
    assert.deepEqual(codes, ['media_denied']);
    assert.equal(session.status, 'joined');
  });

  it('reports an unreachable server once per outage while it keeps trying', async () => {
    const { session, signaling, events } = setup();
    signaling.connectFailures = [new RtcError('connect_failed', 'a'), new RtcError('connect_failed', 'b')];
    await session.join();
    assert.deepEqual(
      events.filter((e) => e.startsWith('error')),
      ['error:connect_failed'],
    );
  });

  it('ends in error, and closes everything, when the first join is refused for good', async () => {
    const { session, signaling, media } = setup();
    signaling.onJoin = async () => {
      throw new RtcError('room_full', 'full');
    };
    await assert.rejects(session.join(), { code: 'room_full' });
    assert.equal(session.status, 'error');
    assert.equal(signaling.closed, true);
    assert.equal(media().closed, true);
  });

  it('stays connecting and tries again while the first join is refused for a passing reason', async () => {
    const { session, signaling, clock, events } = setup();
    signaling.onJoin = async () => {
      if (signaling.joins.length < 2) throw new RtcError('unavailable', 'redis away');
      return joinResult();
    };
    const joining = session.join();
    await flush();
    assert.equal(session.status, 'connecting');
    await clock.tickAsync(1_000);
    await joining;
    assert.equal(session.status, 'joined');
    assert.deepEqual(events, ['error:unavailable', 'joined']);
  });

  it('resolves join() without error when left during a join retry', async () => {
    const { session, signaling } = setup();
    signaling.onJoin = async () => {
      throw new RtcError('unavailable', 'redis away');
    };
    const joining = session.join();
    await flush();
    await session.leave();
    await joining;
    assert.equal(session.status, 'idle');
  });

  it('returns the same promise from join() called twice', () => {
    const { session } = setup();
    assert.equal(session.join(), session.join());
  });

  it('opens a link, answering, for a member that joins later', async () => {
    const { session, signaling, links, events } = setup();
    await session.join();
    signaling.emit('peer-joined', peer('c'));
    assert.equal(links.get('c')!.options.initiator, false);
    assert.deepEqual(events, ['joined', 'peer-joined:c']);
  });

  it('takes members announced before its own join answer once that arrives', async () => {
    const { session, signaling, links, events } = setup();
    let answer: () => void = () => {};
    signaling.onJoin = () => new Promise((resolve) => (answer = () => resolve(joinResult())));
    const joining = session.join();
    await flush();
    signaling.emit('peer-joined', peer('early'));
    assert.equal(links.size, 0);
    answer();
    await joining;
    assert.ok(links.has('early'));
    assert.deepEqual(events, ['joined', 'peer-joined:early']);
  });

  it('closes the link of a member that left and says so', async () => {
    const { session, signaling, links, events } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    await session.join();
    signaling.emit('peer-left', { id: 'a' });
    assert.equal(links.get('a')!.closed, true);
    assert.equal(session.peers.size, 0);
    assert.deepEqual(events, ['joined', 'peer-left:a']);
  });

  it('shows a member’s media-state in its snapshot', async () => {
    const { session, signaling } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    await session.join();
    signaling.emit('media-state', { from: 'a', audio: false, video: true, screen: false });
    assert.deepEqual(session.peers.get('a')!.media, { audio: false, video: true, screen: false });
  });

  it('hands a relayed signal to the link of its sender', async () => {
    const { session, signaling, links } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    await session.join();
    signaling.emit('signal', { from: 'a', candidate: { candidate: 'x' } } as never);
    assert.deepEqual(links.get('a')!.signals, [{ candidate: { candidate: 'x' } }]);
  });

  it('announces its media state after joining and on every change', async () => {
    const { session, signaling, media } = setup();
    await session.join();
    media().set({ audio: false });
    assert.deepEqual(signaling.mediaStates, [
      { audio: true, video: true, screen: false },
      { audio: false, video: true, screen: false },
    ]);
  });

  it('goes reconnecting when the connection drops, keeping the links', async () => {
    const { session, signaling, links, events } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    await session.join();
    signaling.drop('server closing');
    assert.equal(session.status, 'reconnecting');
    assert.equal(links.get('a')!.closed, false);
    assert.deepEqual(events, ['joined', 'reconnecting:server closing']);
  });

  it('rejoins as the same member when the connection is restored', async () => {
    const { session, signaling, clock, events } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')], resumeToken: 'R' });
    await session.join();
    signaling.drop();
    clock.tick(750);
    signaling.restore();
    await flush();
    assert.equal(session.status, 'joined');
    assert.deepEqual(signaling.joins.at(-1), { room: 'room', resume: 'R' });
    assert.deepEqual(events, ['joined', 'reconnecting:transport', 'reconnected']);
  });

  it('says how long the connection was away', async () => {
    const { session, signaling, clock } = setup();
    await session.join();
    let downtime = -1;
    session.addEventListener('reconnected', (e) => (downtime = e.detail.downtimeMs));
    signaling.drop();
    clock.tick(1_500);
    signaling.restore();
    await flush();
    assert.equal(downtime, 1_500);
  });

  it('sends no signals while reconnecting', async () => {
    const { session, signaling, links } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    await session.join();
    signaling.drop();
    links.get('a')!.options.send({ candidate: { candidate: 'x' } } as never);
    assert.deepEqual(signaling.signals, []);
  });

  it('announces its media state again after a rejoin', async () => {
    const { session, signaling } = setup();
    await session.join();
    signaling.drop();
    signaling.restore();
    await flush();
    assert.equal(signaling.mediaStates.length, 2);
  });

  it('opens links to members that arrived while it was away', async () => {
    const { session, signaling, links, events } = setup();
    await session.join();
    signaling.drop();
    signaling.onJoin = async () => joinResult({ peers: [peer('new')] });
    signaling.restore();
    await flush();
    assert.equal(links.get('new')!.options.initiator, true);
    assert.ok(events.includes('peer-joined:new'));
  });

  it('removes members still missing after the grace following a rejoin', async () => {
    const { session, signaling, clock, links, events } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')], reconnectGraceMs: 4_000 });
    await session.join();
    links.get('a')!.connectionState = 'connected';
    signaling.drop();
    signaling.onJoin = async () => joinResult({ peers: [], reconnectGraceMs: 4_000 });
    signaling.restore();
    await flush();
    assert.equal(session.peers.size, 1);
    clock.tick(4_000);
    assert.equal(session.peers.size, 0);
    assert.ok(events.includes('peer-left:a'));
  });

  it('ends the call when the rejoin is refused for good', async () => {
    const { session, signaling, links, events } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    await session.join();
    signaling.drop();
    signaling.onJoin = async () => {
      throw new RtcError('unauthorized', 'token expired');
    };
    signaling.restore();
    await flush();
    assert.equal(session.status, 'error');
    assert.equal(links.get('a')!.closed, true);
    assert.equal(signaling.closed, true);
    assert.deepEqual(events.slice(-2), ['error:unauthorized', 'peer-left:a']);
  });

  it('tries a rejoin refused for a passing reason again', async () => {
    const { session, signaling, clock } = setup();
    await session.join();
    signaling.drop();
    signaling.onJoin = async () => {
      if (signaling.joins.length === 2) throw new RtcError('unavailable', 'redis away');
      return joinResult();
    };
    signaling.restore();
    await flush();
    assert.equal(session.status, 'reconnecting');
    await clock.tickAsync(2_000);
    assert.equal(session.status, 'joined');
  });

  it('starts afresh when the rejoin makes it a different member', async () => {
    const { session, signaling, links, events } = setup();
    signaling.onJoin = async () => joinResult({ id: 'm1', peers: [peer('a')] });
    await session.join();
    const old = links.get('a')!;
    signaling.drop();
    signaling.onJoin = async () => joinResult({ id: 'm2', peers: [peer('a')] });
    signaling.restore();
    await flush();
    assert.equal(session.id, 'm2');
    assert.equal(old.closed, true);
    assert.notEqual(links.get('a'), old);
    assert.ok(events.includes('peer-left:a') && events.includes('peer-joined:a'));
  });

  it('ignores a drop before it has joined', async () => {
    const { session, signaling, events } = setup();
    let answer: () => void = () => {};
    signaling.onJoin = () => new Promise((resolve) => (answer = () => resolve(joinResult())));
    const joining = session.join();
    await flush();
    signaling.drop();
    answer();
    await joining;
    assert.deepEqual(events, ['joined']);
  });

  it('leaves: says goodbye, closes links, signaling and media, and goes idle', async () => {
    const { session, signaling, links, media } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a'), peer('b')] });
    await session.join();
    await session.leave();
    assert.equal(signaling.leaves, 1);
    assert.equal(signaling.closed, true);
    assert.ok([...links.values()].every((l) => l.closed));
    assert.equal(media().closed, true);
    assert.equal(session.status, 'idle');
    assert.equal(session.peers.size, 0);
    assert.equal(session.id, null);
  });

  it('does not wait more than a second for the server to answer its leave', async () => {
    const { session, signaling, clock } = setup();
    await session.join();
    signaling.onLeave = () => new Promise(() => {});
    const leaving = session.leave();
    await clock.tickAsync(1_000);
    await leaving;
    assert.equal(session.status, 'idle');
  });

  it('fires no peer-left for the members it closes on leave', async () => {
    const { session, signaling, events } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    await session.join();
    await session.leave();
    assert.ok(!events.some((e) => e.startsWith('peer-left')));
  });

  it('leaves no timer behind after leave', async () => {
    const { session, signaling, links, clock } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    await session.join();
    links.get('a')!.setState('disconnected');
    await session.leave();
    await clock.tickAsync(1_000);
    assert.equal(clock.pending, 0);
  });

  it('sends a leave beacon when the page goes for good, not when it is kept in the cache', async () => {
    const { session, signaling, pageHide } = setup();
    await session.join();
    pageHide()!(Object.assign(new Event('pagehide'), { persisted: true }));
    assert.equal(signaling.beacons, 0);
    pageHide()!(Object.assign(new Event('pagehide'), { persisted: false }));
    assert.equal(signaling.beacons, 1);
  });

  it('stops listening for pagehide on leave', async () => {
    const { session, pageHide } = setup();
    await session.join();
    await session.leave();
    assert.equal(pageHide(), null);
  });

  it('sends data to every member over the links', async () => {
    const { session, signaling, links } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a'), peer('b')] });
    await session.join();
    assert.deepEqual(session.send({ x: 1 }), ['a', 'b']);
    assert.deepEqual(links.get('a')!.sent, ['{"data":{"x":1}}']);
  });

  it('fires message with the sender for a data-channel message', async () => {
    const { session, signaling, links } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a', 'Ann')] });
    await session.join();
    let got: unknown = null;
    session.addEventListener('message', (e) => (got = e.detail));
    links.get('a')!.receive('{"data":"hi"}');
    assert.deepEqual(got, { peer: { id: 'a', name: 'Ann' }, data: 'hi' });
  });

  it('restarts ICE with fresh servers once the old ones expire', async () => {
    const { session, signaling, links } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')], iceServersExpireAt: 0 });
    signaling.onIceServers = async () => ({ iceServers: [{ urls: 'turn:fresh' }], iceServersExpireAt: Date.now() + 3_600_000 });
    await session.join();
    await session.restartIce('a');
    assert.deepEqual(links.get('a')!.restarts, [[{ urls: 'turn:fresh' }]]);
    assert.deepEqual(session.iceServers!.iceServers, [{ urls: 'turn:fresh' }]);
  });

  it('stops sending media when the join answer says receive-only', async () => {
    const { session, signaling, media } = setup();
    signaling.onJoin = async () => joinResult({ publish: false });
    await session.join();
    assert.equal(session.publish, false);
    assert.equal(media().closed, true);
  });

  it('takes a new token that keeps the same publishing right', () => {
    const { session } = setup({ token: undefined });
    assert.equal(session.updateToken('opaque-token'), true);
    assert.equal(session.options.token, 'opaque-token');
  });

  it('refuses a new token that would make it receive-only, keeping the old one', () => {
    const { session } = setup({ token: 'opaque-token' });
    const receiveOnly = `x.${btoa(JSON.stringify({ publish: false }))}.y`;
    assert.equal(session.updateToken(receiveOnly), false);
    assert.equal(session.options.token, 'opaque-token');
  });

  it('reports the loss of a member whose connection ICE restarts could not bring back', async () => {
    const { session, signaling, links, clock, events } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    signaling.onPeerCheck = async () => true;
    await session.join();
    links.get('a')!.setState('failed');
    for (let i = 0; i < 5; i++) await clock.tickAsync(5_000);
    assert.ok(events.includes('error:peer_unreachable'));
    assert.ok(events.includes('peer-left:a'));
  });

  it('takes the new name of a member announced again with an id it knows (peer-joined)', async () => {
    const { session, signaling, links, events } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a', 'Ann')] });
    await session.join();
    links.get('a')!.connectionState = 'connected';
    let changes = 0;
    session.addEventListener('change', () => changes++);
    signaling.emit('peer-joined', { id: 'a', name: 'Mallory' });
    assert.equal(session.peers.get('a')!.name, 'Mallory');
    assert.ok(changes > 0, 'the page hears of it');
    assert.equal(links.size, 1, 'the same link is kept');
    assert.deepEqual(events, ['joined'], 'not a new member');
  });

  it('takes the new name of a known member listed in its rejoin answer', async () => {
    const { session, signaling, links } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a', 'Ann')] });
    await session.join();
    links.get('a')!.connectionState = 'connected';
    signaling.drop();
    signaling.onJoin = async () => joinResult({ peers: [peer('a', 'Anna')] });
    signaling.restore();
    await flush();
    assert.equal(session.peers.get('a')!.name, 'Anna');
  });

  it('gives up a member whose connection never leaves new, and tells it through the server', async () => {
    const { session, signaling, links, clock, events } = setup({ peerConnectTimeout: 10_000 });
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    await session.join();
    assert.equal(links.get('a')!.connectionState, 'new'); // no answer ever comes
    await clock.tickAsync(9_999);
    assert.deepEqual(signaling.peerChecks, []);
    await clock.tickAsync(1);
    assert.deepEqual(signaling.peerChecks, ['a']);
    assert.equal(links.get('a')!.restarts.length, 1);
    for (let i = 0; i < 3; i++) await clock.tickAsync(5_000);
    assert.ok(events.includes('error:peer_unreachable'));
    assert.ok(events.includes('peer-left:a'));
    assert.equal(links.get('a')!.closed, true);
    assert.deepEqual(signaling.unreachables, ['a']);
  });

  it('closes its side when a member says it gave this one up (peer-unreachable)', async () => {
    const { session, signaling, links, events } = setup();
    signaling.onJoin = async () => joinResult({ peers: [peer('a')] });
    await session.join();
    signaling.emit('peer-unreachable', { from: 'a' });
    assert.equal(links.get('a')!.closed, true);
    assert.equal(session.peers.size, 0);
    assert.deepEqual(events, ['joined', 'error:peer_unreachable', 'peer-left:a']);
    assert.deepEqual(signaling.unreachables, [], 'no notice goes back');
  });
});
