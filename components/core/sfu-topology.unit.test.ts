import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { SfuStream } from '../../protocol/index.js';
import { RoomSession, type RoomSessionOptions } from './room-session.js';
import type { SfuConnectionOptions } from './sfu-link.js';
import { MAX_SFU_MESSAGE_LENGTH } from './sfu-topology.js';
import { FakeClock, flush } from './testing/fake-clock.js';
import { FakeMedia } from './testing/fake-media.js';
import { FakePeerLink } from './testing/fake-peer-link.js';
import { FakeMediaStream, FakeSfuLink, sfuOffer } from './testing/fake-sfu-link.js';
import { FakeSignaling, joinResult } from './testing/fake-signaling.js';

const sessions: RoomSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.leave()));
});

/** A session whose join answer says `mode: 'sfu'`, with fake signaling, SFU links and streams. */
function setup(options: Partial<RoomSessionOptions> = {}, answer = joinResult({ mode: 'sfu', id: 'me', peers: [peer('a'), peer('b')] })) {
  const clock = new FakeClock();
  const signaling = new FakeSignaling();
  signaling.onJoin = async () => answer;
  const sfuLinks: FakeSfuLink[] = [];
  const peerLinks: FakePeerLink[] = [];
  const events: string[] = [];
  const session = new RoomSession({
    room: 'room',
    sendAudio: true,
    sendVideo: true,
    clock,
    random: () => 0.5,
    createSignaling: () => signaling,
    createPeerLink: (o) => {
      const link = new FakePeerLink(o);
      peerLinks.push(link);
      return link;
    },
    createSfuLink: (o: SfuConnectionOptions) => {
      const link = new FakeSfuLink(o);
      sfuLinks.push(link);
      return link;
    },
    createMediaStream: () => new FakeMediaStream() as unknown as MediaStream,
    createMedia: (o) => new FakeMedia(o),
    onPageHide: () => () => {},
    ...options,
  });
  sessions.push(session);
  for (const type of ['peer-joined', 'peer-left', 'error', 'message']) {
    session.addEventListener(type, (e) => {
      const detail = (e as CustomEvent).detail;
      events.push(`${type}:${type === 'error' ? detail.code : type === 'message' ? JSON.stringify(detail.data) : detail.peer.id}`);
    });
  }
  const links = (role: 'publish' | 'subscribe') => sfuLinks.filter((l) => l.role === role);
  return { clock, signaling, session, sfuLinks, peerLinks, links, events };
}

const peer = (id: string) => ({ id, name: id.toUpperCase() });
const answer = { type: 'answer' as const, sdp: 'v=0\r\n' };
const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.2 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
/** Which tracks (by id) each member's stream holds. */
const tracks = (session: RoomSession) =>
  Object.fromEntries([...session.peers].map(([id, p]) => [id, p.stream.getTracks().map((t) => t.id)]));

/** The SFU offers the subscribe link these streams. */
function offer(signaling: FakeSignaling, streams: SfuStream[]): void {
  signaling.emit('sfu-signal', { link: 'subscribe', description: sfuOffer(streams.map((s) => [s.mid, s.kind])), streams });
}
const streamsOf = (...members: string[]): SfuStream[] =>
  members.flatMap((from, i) => [
    { mid: String(2 * i), from, kind: 'audio' as const },
    { mid: String(2 * i + 1), from, kind: 'video' as const },
  ]);

describe('SfuTopology (RoomSession in an SFU room)', () => {
  it('opens one publish link (no peer links), sends its offer and candidates, and takes the answer', async () => {
    const { session, signaling, links, peerLinks } = setup();
    await session.join();
    assert.equal(peerLinks.length, 0);
    assert.deepEqual([...session.peers.keys()], ['a', 'b']);
    const [publish] = links('publish');
    assert.ok(publish);
    assert.equal(links('subscribe').length, 0, 'the subscribe link waits for the SFU’s offer');
    assert.deepEqual([publish.options.sendAudio, publish.options.sendVideo, publish.options.simulcast], [true, true, false]);
    publish.options.send({ description: { type: 'offer', sdp: 'v=0\r\n' } });
    publish.options.send({ candidate: { candidate: '' } });
    assert.deepEqual(signaling.sfuSignals, [
      { link: 'publish', description: { type: 'offer', sdp: 'v=0\r\n' } },
      { link: 'publish', candidate: { candidate: '' } },
    ]);
    signaling.emit('sfu-signal', { link: 'publish', candidate });
    signaling.emit('sfu-signal', { link: 'publish', description: answer });
    assert.deepEqual(publish.signals, [{ candidate }, { description: answer }]);
  });

  it('answers the SFU’s offers on the subscribe link and fills each member’s stream from `streams`', async () => {
    const { session, signaling, links } = setup();
    await session.join();
    signaling.emit('sfu-signal', { link: 'subscribe', candidate }); // trickled before the offer: the link takes it
    offer(signaling, streamsOf('a', 'b'));
    await flush();
    const [subscribe] = links('subscribe');
    assert.ok(subscribe);
    assert.equal(links('subscribe').length, 1);
    assert.deepEqual(subscribe.signals[0], { candidate });
    subscribe.options.send({ description: answer });
    assert.deepEqual(signaling.sfuSignals.at(-1), { link: 'subscribe', description: answer });
    assert.deepEqual(tracks(session), { a: ['track-0', 'track-1'], b: ['track-2', 'track-3'] });
    subscribe.setState('connected');
    assert.equal(session.peers.get('a')!.connectionState, 'connected');
  });

  it('a re-offer without a member’s streams empties its tile; a reused mid moves to its new member', async () => {
    const { session, signaling, events } = setup();
    await session.join();
    offer(signaling, streamsOf('a', 'b'));
    await flush();
    const streamOfB = session.peers.get('b')!.stream;
    // a leaves: the SFU offers again with a's mids given to nobody, then to c who joined
    signaling.emit('peer-left', { id: 'a' });
    offer(signaling, streamsOf('b'));
    await flush();
    assert.deepEqual(tracks(session), { b: ['track-0', 'track-1'] });
    assert.equal(session.peers.get('b')!.stream, streamOfB, 'the same MediaStream for the whole stay');
    signaling.emit('peer-joined', peer('c'));
    offer(signaling, [...streamsOf('b'), { mid: '2', from: 'c', kind: 'audio' }, { mid: '3', from: 'c', kind: 'video' }]);
    await flush();
    assert.deepEqual(tracks(session), { b: ['track-0', 'track-1'], c: ['track-2', 'track-3'] });
    assert.deepEqual(events, ['peer-left:a', 'peer-joined:c']);
  });

  it('measures each member from its own receivers (speaking and quality per member)', async () => {
    const { session, signaling, links } = setup();
    await session.join();
    offer(signaling, streamsOf('a', 'b'));
    await flush();
    const subscribe = links('subscribe')[0]!;
    subscribe.stats.set('0', new Map([['in-a', { type: 'inbound-rtp', kind: 'audio', totalAudioEnergy: 1 }]]));
    subscribe.stats.set('2', new Map([['in-b', { type: 'inbound-rtp', kind: 'audio', totalAudioEnergy: 2 }]]));
    const a = (await session.getStats('a')) as unknown as Map<string, unknown>;
    assert.deepEqual([...a.keys()], ['in-a']);
    assert.equal(await session.getStats('nobody'), null);
  });

  it('sfu-state false closes both links and says why; true publishes afresh and the next offer subscribes anew', async () => {
    const { session, signaling, links, events } = setup();
    await session.join();
    offer(signaling, streamsOf('a', 'b'));
    await flush();
    const [publish, subscribe] = [links('publish')[0]!, links('subscribe')[0]!];
    signaling.emit('sfu-state', { ready: false });
    assert.ok(publish.closed && subscribe.closed);
    assert.deepEqual(events, ['error:unavailable']);
    assert.equal(session.peers.get('a')!.connectionState, 'disconnected');
    assert.deepEqual(tracks(session), { a: [], b: [] });
    offer(signaling, streamsOf('a')); // a late offer for the lost links: ignored
    await flush();
    assert.equal(links('subscribe').length, 1);
    signaling.emit('sfu-state', { ready: true });
    assert.equal(links('publish').length, 2);
    assert.equal(links('publish')[1]!.closed, false);
    offer(signaling, streamsOf('a', 'b'));
    await flush();
    assert.equal(links('subscribe').length, 2);
    assert.deepEqual(tracks(session), { a: ['track-0', 'track-1'], b: ['track-2', 'track-3'] });
  });

  it('sends messages through the server (room-message) and takes the others’', async () => {
    const { session, signaling, events } = setup();
    await session.join();
    assert.deepEqual(session.send({ 'rtc-chat': 'hi' }), ['a', 'b']);
    assert.deepEqual(signaling.roomMessages, ['{"data":{"rtc-chat":"hi"}}']);
    signaling.emit('room-message', { from: 'a', text: '{"data":{"rtc-chat":"hello"}}' });
    signaling.emit('room-message', { from: 'stranger', text: '{"data":1}' });
    signaling.emit('room-message', { from: 'b', text: 'not ours' });
    assert.deepEqual(events, ['message:{"rtc-chat":"hello"}']);
    assert.throws(() => session.send('x', 'a'), { code: 'bad_request' });
    assert.throws(() => session.send('x', 'nobody'), { code: 'unknown_peer' });
    assert.throws(() => session.send('x'.repeat(MAX_SFU_MESSAGE_LENGTH)), RangeError);
    assert.equal(signaling.roomMessages.length, 1, 'nothing sent for the refused ones');
  });

  it('a receive-only member opens only the subscribe link', async () => {
    const { session, signaling, links } = setup({}, joinResult({ mode: 'sfu', publish: false, peers: [peer('a')] }));
    await session.join();
    assert.equal(links('publish').length, 0);
    offer(signaling, streamsOf('a'));
    await flush();
    assert.equal(links('subscribe').length, 1);
    assert.deepEqual(tracks(session), { a: ['track-0', 'track-1'] });
  });

  it('puts the camera on the publish link, and takes media-state for the tiles', async () => {
    const { session, signaling, links } = setup();
    await session.join();
    signaling.emit('media-state', { from: 'a', audio: false, video: true, screen: true });
    assert.deepEqual(session.peers.get('a')!.media, { audio: false, video: true, screen: true });
    assert.equal(links('publish')[0]!.localStream, null);
  });

  it('after a rejoin, starts both links afresh (the server drops a returning member’s SFU handles) and keeps members that are back', async () => {
    const { session, signaling, links, clock, events } = setup();
    await session.join();
    offer(signaling, streamsOf('a', 'b'));
    await flush();
    const [publish, subscribe] = [links('publish')[0]!, links('subscribe')[0]!];
    signaling.drop();
    signaling.emit('sfu-state', { ready: false }); // missed in reality; the rejoin must not wait for `ready: true`
    signaling.onJoin = async () => joinResult({ mode: 'sfu', id: 'me', peers: [peer('a')] });
    signaling.restore();
    await clock.tickAsync(1);
    assert.ok(publish.closed && subscribe.closed);
    assert.equal(links('publish').length, 2);
    assert.equal(links('publish')[1]!.closed, false);
    offer(signaling, streamsOf('a'));
    await flush();
    assert.equal(links('subscribe').length, 2);
    assert.deepEqual(tracks(session).a, ['track-0', 'track-1']);
    await clock.tickAsync(10_000);
    assert.deepEqual([...session.peers.keys()], ['a'], 'b did not come back within the grace');
    assert.deepEqual(events, ['error:unavailable', 'peer-left:b']);
  });

  it('restarts ICE on a publish link that fails, at most three times in a row', async () => {
    const { session, links, events } = setup();
    await session.join();
    const publish = links('publish')[0]!;
    for (let i = 0; i < 4; i++) {
      publish.setState('failed');
      await flush();
    }
    assert.equal(publish.restarts.length, 3);
    assert.deepEqual(events, ['error:peer_unreachable']);
  });

  it('does not report refused signals while the SFU is away (sfu-state says it)', async () => {
    const { session, signaling, links, events } = setup();
    signaling.onSfuSignal = async () => Promise.reject(Object.assign(new Error('away'), { code: 'unavailable' }));
    await session.join();
    links('publish')[0]!.options.send({ description: { type: 'offer', sdp: 'v=0\r\n' } });
    await flush();
    assert.deepEqual(events, []);
  });

  it('a room that comes back as a mesh after a rejoin gets peer links', async () => {
    const { session, signaling, links, peerLinks, clock } = setup();
    await session.join();
    signaling.drop();
    signaling.onJoin = async () => joinResult({ id: 'me', peers: [peer('a')] });
    signaling.restore();
    await clock.tickAsync(1);
    assert.ok(links('publish')[0]!.closed);
    assert.deepEqual(
      peerLinks.map((l) => l.peerId),
      ['a'],
    );
  });
});
