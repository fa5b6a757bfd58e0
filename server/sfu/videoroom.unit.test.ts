// The translation between our sfu-signal messages and Janus' VideoRoom requests, against a fake
// Janus session that records every request and answers as Janus 1.1 does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { SfuSignalMessage } from '../../protocol/index.js';
import type { HandleEvent, JanusHandle, JanusSession, Jsep, PluginReply } from './janus-types.js';
import { createSfu } from './service.js';
import { VideoRoom } from './videoroom.js';

const logger = pino({ level: 'silent' });
const OFFER = { type: 'offer' as const, sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n' };
const ANSWER = { type: 'answer' as const, sdp: 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\n' };

interface Request {
  handle: number;
  body: Record<string, unknown>;
  jsep?: Jsep;
}

/** A Janus session in memory: feeds are numbered 100, 101, …; subscriber offers list the subscribed feeds' streams. */
function fakeJanus() {
  const requests: Request[] = [];
  const handles = new Map<number, FakeHandle>();
  let nextHandle = 1;
  let nextFeed = 100;
  /** While set, `configure` waits for it (to see what happens before Janus answers). */
  const gate: { configure?: Promise<void> } = {};
  class FakeHandle implements JanusHandle {
    listener: ((event: HandleEvent) => void) | undefined;
    feeds: number[] = [];
    detached = false;
    constructor(readonly id: number) {}
    async request(body: Record<string, unknown>, jsep?: Jsep): Promise<PluginReply> {
      requests.push({ handle: this.id, body, ...(jsep ? { jsep } : {}) });
      await Promise.resolve();
      const streams = () => ({
        streams: this.feeds.flatMap((feed, i) => [
          { type: 'audio', active: true, mid: String(2 * i), feed_id: feed },
          { type: 'video', active: true, mid: String(2 * i + 1), feed_id: feed },
        ]),
      });
      const feedsOf = (b: Record<string, unknown>) => (b.streams as { feed: number }[]).map((s) => s.feed);
      switch (body.request) {
        case 'create':
          return { data: { videoroom: 'created', room: body.room } };
        case 'join':
          if (body.ptype === 'publisher') return { data: { videoroom: 'joined', id: nextFeed++, publishers: [] } };
          this.feeds = feedsOf(body);
          return { data: { videoroom: 'attached', ...streams() }, jsep: { type: 'offer', sdp: `v=0\r\ns=${this.feeds.join(',')}\r\n` } };
        case 'subscribe':
          this.feeds.push(...feedsOf(body));
          return { data: { videoroom: 'updated', ...streams() }, jsep: { type: 'offer', sdp: `v=0\r\ns=${this.feeds.join(',')}\r\n` } };
        case 'unsubscribe': {
          const gone = feedsOf(body);
          this.feeds = this.feeds.filter((f) => !gone.includes(f));
          return { data: { videoroom: 'updated', ...streams() }, jsep: { type: 'offer', sdp: `v=0\r\ns=${this.feeds.join(',')}\r\n` } };
        }
        case 'configure':
          await gate.configure;
          return { data: { videoroom: 'event', configured: 'ok' }, jsep: { type: 'answer', sdp: 'v=0\r\ns=answer\r\n' } };
        default:
          return { data: { videoroom: 'event', started: 'ok' } };
      }
    }
    async trickle(candidate: unknown): Promise<void> {
      requests.push({ handle: this.id, body: { trickle: candidate } });
    }
    async detach(): Promise<void> {
      this.detached = true;
    }
    onEvent(listener: (event: HandleEvent) => void): void {
      this.listener = listener;
    }
    emit(event: HandleEvent): void {
      this.listener?.(event);
    }
  }
  const session: JanusSession = {
    id: 1,
    closed: new Promise(() => {}),
    close() {},
    async attach() {
      const handle = new FakeHandle(nextHandle++);
      handles.set(handle.id, handle);
      return handle;
    },
  };
  return { session, requests, handles, gate };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function room() {
  const janus = fakeJanus();
  const sent: { to: string; message: SfuSignalMessage }[] = [];
  const videoRoom = new VideoRoom({
    session: janus.session,
    capacity: 10,
    logger,
    roomId: 7,
    send: (to, message) => sent.push({ to, message }),
  });
  const handleOf = (request: string, ptype?: string) => {
    const r = janus.requests.find((q) => q.body.request === request && (!ptype || q.body.ptype === ptype));
    return janus.handles.get(r!.handle)!;
  };
  return { janus, sent, videoRoom, handleOf };
}

describe('VideoRoom: our sfu-signal as Janus requests', () => {
  it('publishes: creates the room, joins as a publisher named by the member id, configures with the offer, answers', async () => {
    const { janus, sent, videoRoom } = room();
    videoRoom.add('a');
    await videoRoom.publish('a', OFFER);
    const bodies = janus.requests.map((r) => r.body);
    assert.equal(bodies[0]!.request, 'create');
    assert.equal(bodies[0]!.publishers, 10);
    assert.equal(typeof bodies[0]!.secret, 'string');
    assert.deepEqual(bodies[1], { request: 'join', ptype: 'publisher', room: 7, display: 'a' });
    assert.equal(bodies[2]!.request, 'configure');
    assert.deepEqual(janus.requests[2]!.jsep, OFFER);
    assert.deepEqual(sent, [{ to: 'a', message: { link: 'publish', description: { type: 'answer', sdp: 'v=0\r\ns=answer\r\n' } } }]);
    assert.ok(!JSON.stringify(sent).includes(String(bodies[0]!.secret)), 'the room secret never goes to a member');
  });

  it("holds Janus' candidates until the member has the description they belong to", async () => {
    const { janus, sent, videoRoom, handleOf } = room();
    videoRoom.add('a');
    let answer!: () => void;
    janus.gate.configure = new Promise((resolve) => (answer = resolve));
    const publishing = videoRoom.publish('a', OFFER);
    while (!janus.requests.some((r) => r.body.request === 'configure')) await tick();
    handleOf('join', 'publisher').emit({
      type: 'trickle',
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.2 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    });
    handleOf('join', 'publisher').emit({ type: 'trickle', candidate: null });
    assert.equal(sent.length, 0, 'nothing before the answer');
    answer();
    await publishing;
    assert.deepEqual(
      sent.map((s) => s.message),
      [
        { link: 'publish', description: { type: 'answer', sdp: 'v=0\r\ns=answer\r\n' } },
        { link: 'publish', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.2 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } },
        { link: 'publish', candidate: { candidate: '' } },
      ],
    );
  });

  it('subscribes the others once a feed is up, maps mids to member ids, and makes one change at a time', async () => {
    const { janus, sent, videoRoom, handleOf } = room();
    for (const id of ['a', 'b', 'c']) videoRoom.add(id);
    await videoRoom.publish('a', OFFER);
    await tick();
    assert.ok(!janus.requests.some((r) => r.body.ptype === 'subscriber'), 'no subscription before the media is up');
    handleOf('join', 'publisher').emit({ type: 'webrtcup' });
    for (let i = 0; i < 5; i++) await tick();
    const offers = () => sent.filter((s) => s.message.link === 'subscribe' && 'description' in s.message);
    assert.deepEqual(
      offers().map((s) => [s.to, 'streams' in s.message && s.message.streams]),
      [
        [
          'b',
          [
            { mid: '0', from: 'a', kind: 'audio' },
            { mid: '1', from: 'a', kind: 'video' },
          ],
        ],
        [
          'c',
          [
            { mid: '0', from: 'a', kind: 'audio' },
            { mid: '1', from: 'a', kind: 'video' },
          ],
        ],
      ],
    );
    // b publishes too; c has not answered its first offer yet, so its next change waits.
    await videoRoom.publish('b', OFFER);
    const bPublisher = janus.handles.get(janus.requests.filter((r) => r.body.ptype === 'publisher')[1]!.handle)!;
    bPublisher.emit({ type: 'webrtcup' });
    for (let i = 0; i < 5; i++) await tick();
    assert.equal(offers().filter((s) => s.to === 'c').length, 1, 'no second offer before the answer');
    assert.equal(offers().filter((s) => s.to === 'a').length, 1, 'a gets b');
    await videoRoom.answer('c', ANSWER);
    const start = janus.requests.find((r) => r.body.request === 'start');
    assert.deepEqual(start?.jsep, ANSWER);
    for (let i = 0; i < 5; i++) await tick();
    const cOffers = offers().filter((s) => s.to === 'c');
    assert.equal(cOffers.length, 2, 'the change after the answer');
    const last = cOffers[1]!.message;
    assert.deepEqual('streams' in last && last.streams.map((s) => s.from), ['a', 'a', 'b', 'b']);
    await assert.rejects(
      videoRoom.answer('c', ANSWER).then(() => videoRoom.answer('c', ANSWER)),
      /No subscribe offer/,
    );
  });

  it('takes a leaving publisher away from the others, and detaches its handles', async () => {
    const { janus, sent, videoRoom, handleOf } = room();
    videoRoom.add('a');
    videoRoom.add('b');
    await videoRoom.publish('a', OFFER);
    handleOf('join', 'publisher').emit({ type: 'webrtcup' });
    for (let i = 0; i < 5; i++) await tick();
    await videoRoom.answer('b', ANSWER);
    await videoRoom.remove('a');
    for (let i = 0; i < 5; i++) await tick();
    assert.ok(handleOf('join', 'publisher').detached);
    const unsubscribe = janus.requests.find((r) => r.body.request === 'unsubscribe');
    assert.deepEqual(unsubscribe?.body.streams, [{ feed: 100 }]);
    const last = sent.at(-1)!.message;
    assert.deepEqual('streams' in last && last.streams, []);
    await videoRoom.destroy();
    assert.ok(janus.requests.some((r) => r.body.request === 'destroy' && r.body.room === 7));
  });
});

describe('the SFU service: rules before Janus', () => {
  it('refuses publish from a receive-only member, and answers unavailable while Janus is away', async () => {
    const janus = fakeJanus();
    const sfu = createSfu({
      janusUrl: 'ws://127.0.0.1:1',
      logger,
      emit: () => {},
      connect: async () => janus.session,
      backoff: () => 60_000,
    });
    await sfu.started;
    sfu.join('r', 10, { id: 'viewer', socketId: 's1', publish: false });
    await assert.rejects(sfu.signal('r', 'viewer', { link: 'publish', description: OFFER }), { code: 'unauthorized' });
    await assert.rejects(sfu.signal('r', 'nobody', { link: 'publish', description: OFFER }), { code: 'not_joined' });
    await sfu.close();

    const states: unknown[] = [];
    const away = createSfu({
      janusUrl: 'ws://127.0.0.1:1',
      logger,
      emit: (_s, _e, m) => states.push(m),
      connect: () => Promise.reject(new Error('ECONNREFUSED')),
      backoff: () => 60_000,
    });
    await away.started;
    away.join('r', 10, { id: 'a', socketId: 's1', publish: true });
    await tick();
    assert.deepEqual(states, [{ ready: false }]);
    assert.deepEqual(away.health(), { janus: 'down', rooms: 1 });
    await assert.rejects(away.signal('r', 'a', { link: 'publish', description: OFFER }), { code: 'unavailable' });
    await away.close();
  });
});
