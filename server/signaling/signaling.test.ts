import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRtcServer } from '../app.js';
import type { IceServerProvider } from '../ice/provider.js';
import type { ClientToServerEvents } from '../../protocol/index.js';
import { dropConnection, nextEvent, rawRequest, recordAll, startServer, type TestClient } from '../test-support/harness.js';

const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
const CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
let roomSeq = 0;
const room = () => `room-${process.pid}-${++roomSeq}`;

async function join(socket: TestClient, body: unknown) {
  return rawRequest(socket, 'join', body);
}

describe('signaling protocol v1', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    h = await startServer({ iceServers: [{ urls: 'stun:stun.example.test:3478' }], roomCapacity: 2, reconnectGrace: 0.2 });
  });
  after(() => h.close());

  it('join answers id, room, peers, ICE servers; the others hear peer-joined first', async () => {
    const name = room();
    const a = await h.client();
    const b = await h.client();
    const first = await join(a, { room: name, name: 'Ada' });
    assert.equal(first.ok, true);
    assert.match(first.id, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(first.id, a.id, 'member ids are not socket ids');
    assert.match(first.resumeToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(first.reconnectGraceMs, 200);
    assert.equal(first.room, name);
    assert.deepEqual(first.peers, []);
    assert.deepEqual(first.iceServers, [{ urls: 'stun:stun.example.test:3478' }]);
    assert.equal(first.iceServersExpireAt, null);
    const order: string[] = [];
    const heard = nextEvent(a, 'peer-joined').then((p) => (order.push('peer-joined'), p));
    const second = await join(b, { room: name, name: 'Bob' }).then((r) => (order.push('ack'), r));
    assert.deepEqual(await heard, { id: second.id, name: 'Bob' });
    assert.deepEqual(second.peers, [{ id: first.id, name: 'Ada' }]);
    assert.deepEqual(order, ['peer-joined', 'ack']);
  });

  it('name is optional and cleaned of control characters', async () => {
    const name = room();
    const a = await h.client();
    const b = await h.client();
    await join(a, { room: name });
    const res = await join(b, { room: name, name: '  Eve\u0000\u202e ' });
    assert.deepEqual(res.peers[0].name, '');
    assert.equal((await h.client().then((c) => join(c, { room: room(), name: 'x'.repeat(100) }))).ok, true);
  });

  it('relays a description and a candidate to exactly the target, with a server-stamped from', async () => {
    const name = room();
    const [a, b, c] = [await h.client(), await h.client(), await h.client()];
    const server3 = await startServer({ roomCapacity: 3 });
    try {
      const [x, y, z] = [await server3.client(), await server3.client(), await server3.client()];
      const jx = await join(x, { room: name });
      const jy = await join(y, { room: name });
      await join(z, { room: name });
      const zSeen = recordAll(z);
      const got = nextEvent(y, 'signal');
      assert.deepEqual(await rawRequest(x, 'signal', { to: jy.id, description: OFFER }), { ok: true });
      assert.deepEqual(await got, { from: jx.id, description: OFFER });
      const got2 = nextEvent(y, 'signal');
      assert.deepEqual(await rawRequest(x, 'signal', { to: jy.id, candidate: CANDIDATE }), { ok: true });
      assert.deepEqual(await got2, { from: jx.id, candidate: CANDIDATE });
      await rawRequest(z, 'signal', { to: jx.id, candidate: CANDIDATE }); // a round trip for z
      assert.deepEqual(zSeen, [], 'the third member received nothing');
    } finally {
      await server3.close();
    }
    void [a, b, c];
  });

  it('refuses a spoofed from and any extra key with bad_request, delivering nothing', async () => {
    const name = room();
    const a = await h.client();
    const b = await h.client();
    await join(a, { room: name });
    const jb = await join(b, { room: name });
    const seen = recordAll(b);
    const res = await rawRequest(a, 'signal', { to: jb.id, from: jb.id, description: OFFER });
    assert.equal(res.ok, false);
    assert.equal(res.error.code, 'bad_request');
    assert.deepEqual(seen, []);
  });

  it('answers not_joined and unknown_peer, and never relays across rooms', async () => {
    const a = await h.client();
    const b = await h.client();
    const outsider = await h.client();
    const ja = await join(a, { room: room() });
    const jb = await join(b, { room: room() });
    const bSeen = recordAll(b);
    const notJoined = await rawRequest(outsider, 'signal', { to: ja.id, description: OFFER });
    assert.deepEqual(notJoined.error.code, 'not_joined');
    const cross = await rawRequest(a, 'signal', { to: jb.id, description: OFFER });
    assert.equal(cross.error.code, 'unknown_peer');
    const self = await rawRequest(a, 'signal', { to: ja.id, candidate: CANDIDATE });
    assert.equal(self.error.code, 'unknown_peer');
    const nobody = await rawRequest(a, 'signal', { to: 'no-such-peer', candidate: CANDIDATE });
    assert.equal(nobody.error.code, 'unknown_peer');
    // peer-joined / peer-left of another room never arrive either
    const c = await h.client();
    const jc = await join(c, { room: ja.room });
    await rawRequest(c, 'leave');
    assert.ok(jc.ok);
    await rawRequest(b, 'leave');
    assert.deepEqual(bSeen, []);
  });

  it('answers room_full at capacity, and frees the place on leave and, after the grace, on disconnect', async () => {
    const name = room();
    const a = await h.client();
    const b = await h.client();
    const c = await h.client();
    await join(a, { room: name });
    const jb = await join(b, { room: name });
    const full = await join(c, { room: name });
    assert.deepEqual(full.ok, false);
    assert.equal(full.error.code, 'room_full');
    const left = nextEvent(a, 'peer-left');
    assert.deepEqual(await rawRequest(b, 'leave'), { ok: true });
    assert.deepEqual(await left, { id: jb.id });
    const jc = await join(c, { room: name });
    assert.equal(jc.ok, true);
    const away = nextEvent(a, 'peer-away');
    const gone = nextEvent(a, 'peer-left');
    dropConnection(c);
    assert.deepEqual(await away, { id: jc.id });
    assert.equal((await join(await h.client(), { room: name })).error.code, 'room_full', 'the place is kept during the grace');
    assert.deepEqual(await gone, { id: jc.id });
    assert.equal((await join(await h.client(), { room: name })).ok, true);
  });

  it('answers already_joined and not_joined for leave', async () => {
    const a = await h.client();
    assert.equal((await rawRequest(a, 'leave')).error.code, 'not_joined');
    await join(a, { room: room() });
    const again = await join(a, { room: room() });
    assert.equal(again.error.code, 'already_joined');
    assert.deepEqual(await rawRequest(a, 'leave'), { ok: true });
    assert.equal((await join(a, { room: room() })).ok, true, 'can join again after leaving');
  });

  it('answers bad_request to every malformed payload and keeps serving', async () => {
    const a = await h.client();
    const bad: [string, unknown[]][] = [
      ['join', []],
      ['join', [null]],
      ['join', ['standup']],
      ['join', [42]],
      ['join', [{}]],
      ['join', [{ room: '' }]],
      ['join', [{ room: 'has space' }]],
      ['join', [{ room: 'x'.repeat(65) }]],
      ['join', [{ room: '../etc' + '/passwd' }]],
      ['join', [{ room: 'ok', name: 42 }]],
      ['join', [{ room: 'ok', name: 'x'.repeat(1000) }]],
      ['join', [{ room: 'ok', extra: true }]],
      ['join', [{ room: ['ok'] }]],
      ['signal', []],
      ['signal', [{ to: 'x' }]],
      ['signal', [{ to: 'x', description: { type: 'pranswer', sdp: '' } }]],
      ['signal', [{ to: 'x', description: { type: 'offer', sdp: 'x'.repeat(50_000) } }]],
      ['signal', [{ to: 'x', candidate: { candidate: 'x'.repeat(2_000) } }]],
      ['signal', [{ to: 'x', candidate: { candidate: 'c', sdpMLineIndex: -1 } }]],
      ['signal', [{ to: 'x', description: { type: 'offer', sdp: 'not an sdp' } }]],
      ['signal', [{ to: 'x', description: { type: 'offer', sdp: 'v=0\r\ns=\u0000\u001b[2J' } }]],
      ['signal', [{ to: 'x', candidate: { candidate: 'not a candidate' } }]],
      ['signal', [{ to: 'x', candidate: { candidate: 'candidate:1 \n2' } }]],
      ['signal', [{ to: 'x', candidate: { candidate: '', sdpMid: 'a b' } }]],
      ['signal', [{ to: 'x'.repeat(100), candidate: CANDIDATE }]],
      ['signal', [{ to: 'x', description: OFFER, candidate: CANDIDATE }]],
      ['leave', ['unexpected']],
    ];
    for (const [event, args] of bad) {
      const res = await rawRequest(a, event, ...args);
      assert.equal(res.ok, false, `${event} ${JSON.stringify(args).slice(0, 80)}`);
      assert.equal(res.error.code, 'bad_request', `${event} ${JSON.stringify(args).slice(0, 80)}`);
      assert.ok(res.error.message.length > 0 && res.error.message.length <= 200);
    }
    a.emit('join' as any, { room: 'no-ack' }); // no ack: ignored, no crash
    const unknownBefore = h.server.counters.unknownEvents;
    a.emit('no-such-event' as any, 1, () => {});
    const still = await join(a, { room: room() });
    assert.equal(still.ok, true, 'the same socket still works');
    assert.equal(h.server.counters.unknownEvents, unknownBefore + 1, 'the unknown event was counted');
    const other = await join(await h.client(), { room: room() });
    assert.equal(other.ok, true, 'others are still served');
  });

  it('counts only events outside the protocol as unknown: every client event is known', async () => {
    // A Record over the protocol's events: a new event in ClientToServerEvents must be listed here.
    const wellFormed: Record<keyof ClientToServerEvents, unknown[]> = {
      join: [{ room: room() }],
      signal: [{ to: 'x', candidate: CANDIDATE }],
      'media-state': [{ audio: true, video: false, screen: false }],
      'peer-check': [{ id: 'x' }],
      'ice-servers': [],
      'refresh-token': [{ token: 'a.b.c' }],
      preflight: [{ room: room() }],
      'sfu-signal': [{ link: 'publish', candidate: CANDIDATE }],
      'room-message': [{ text: 'hi' }],
      leave: [],
    };
    const a = await h.client();
    const before = h.server.counters.unknownEvents;
    for (const [event, args] of Object.entries(wellFormed)) {
      const res = await rawRequest(a, event, ...args);
      assert.ok(res && typeof res.ok === 'boolean', `${event} was answered`);
      assert.equal(h.server.counters.unknownEvents, before, `${event} is not an unknown event`);
    }
    assert.equal((await rawRequest(a, 'preflight', { room: room() })).ok, true);
    assert.equal(h.server.counters.unknownEvents, before);
    for (const unknown of ['peer-joined', 'JOIN', 'preflight ']) {
      a.emit(unknown as any, {});
      await rawRequest(a, 'leave'); // a round trip: the event above has arrived
    }
    assert.equal(h.server.counters.unknownEvents, before + 3, 'each unknown event counted once');
  });

  it('admits exactly capacity members when many join at once', async () => {
    const name = room();
    const clients = await Promise.all(Array.from({ length: 10 }, () => h.client()));
    const results = await Promise.all(clients.map((c) => join(c, { room: name })));
    assert.equal(results.filter((r) => r.ok).length, 2);
    assert.equal(results.filter((r) => !r.ok && r.error.code === 'room_full').length, 8);
  });
});

describe('signaling with other configurations', () => {
  it("holds four per room by default; the first joiner may lower a room's capacity, never raise it", async () => {
    const h = await startServer();
    try {
      const fill = async (name: string, n: number, body: object = {}) => {
        const out = [];
        for (let i = 0; i < n; i++) out.push(await join(await h.client(), { room: name, ...(i === 0 ? body : {}) }));
        return out;
      };
      const byDefault = await fill('default', 5);
      assert.deepEqual(
        byDefault.map((r) => r.ok),
        [true, true, true, true, false],
      );
      assert.equal(byDefault[0].capacity, 4);
      assert.match(byDefault[4].error.message, /full \(4 members\)/);
      const lowered = await fill('pair', 3, { capacity: 2 });
      assert.deepEqual(
        lowered.map((r) => r.ok),
        [true, true, false],
      );
      assert.equal(lowered[1].capacity, 2);
      const raised = await fill('greedy', 5, { capacity: 8 });
      assert.deepEqual(
        raised.map((r) => r.ok),
        [true, true, true, true, false],
        "the server's limit wins",
      );
      assert.equal(raised[0].capacity, 4);
      // a later joiner cannot change the room's capacity
      const first = await join(await h.client(), { room: 'fixed', capacity: 3 });
      const later = [];
      for (let i = 0; i < 3; i++) later.push(await join(await h.client(), { room: 'fixed', capacity: i === 0 ? 4 : 2 }));
      assert.equal(first.capacity, 3);
      assert.deepEqual(
        later.map((r) => r.ok),
        [true, true, false],
      );
      for (const bad of [1, 51, 2.5, '3', null]) {
        assert.equal((await join(await h.client(), { room: 'bad-cap', capacity: bad })).error.code, 'bad_request', String(bad));
      }
    } finally {
      await h.close();
    }
  });

  it('refuses a capacity outside 2..8 when the server is made', () => {
    for (const roomCapacity of [1, 9, 2.5]) {
      assert.throws(() => createRtcServer({ roomCapacity }), /roomCapacity must be an integer from 2 to 8/);
    }
  });

  it('honours a configured capacity', async () => {
    const h = await startServer({ roomCapacity: 3 });
    try {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await join(await h.client(), { room: 'three' }));
      assert.deepEqual(
        results.map((r) => r.ok),
        [true, true, true, false],
      );
      assert.equal(results[2].peers.length, 2);
    } finally {
      await h.close();
    }
  });

  it('answers internal when the ICE provider fails, and releases the place', async () => {
    let fail = true;
    const iceProvider: IceServerProvider = {
      name: 'flaky',
      async getIceServers() {
        if (fail) throw new Error('provider down');
        return { iceServers: [], expiresAt: null };
      },
    };
    const h = await startServer({ iceProvider });
    try {
      const a = await h.client();
      const res = await join(a, { room: 'r' });
      assert.equal(res.error.code, 'internal');
      assert.doesNotMatch(res.error.message, /provider down/, 'internal details stay on the server');
      fail = false;
      assert.equal((await join(a, { room: 'r' })).ok, true);
      assert.equal((await join(await h.client(), { room: 'r' })).ok, true, 'the failed join held no place');
      assert.equal((await h.server.rooms.stats()).peers, 2);
    } finally {
      await h.close();
    }
  });
});

describe('ice-servers (refresh for members only)', () => {
  it('answers not_joined before a join and after a leave, and never hands out credentials then', async () => {
    let calls = 0;
    const iceProvider: IceServerProvider = {
      name: 'counting',
      async getIceServers({ peerId }) {
        calls++;
        return { iceServers: [{ urls: 'turn:t.test', username: `u-${peerId}`, credential: 'secret' }], expiresAt: 1_000 };
      },
    };
    const h = await startServer({ iceProvider, roomCapacity: 2 });
    try {
      const a = await h.client();
      const before = await rawRequest(a, 'ice-servers');
      assert.deepEqual(before, { ok: false, error: { code: 'not_joined', message: before.error.message } });
      assert.equal(calls, 0, 'the provider was not even asked');
      const joined = await join(a, { room: 'r' });
      assert.equal(joined.iceServers[0].username, `u-${joined.id}`);
      const fresh = await rawRequest(a, 'ice-servers');
      assert.deepEqual(fresh, {
        ok: true,
        iceServers: [{ urls: 'turn:t.test', username: `u-${joined.id}`, credential: 'secret' }],
        iceServersExpireAt: 1_000,
      });
      assert.equal((await rawRequest(a, 'ice-servers', { please: true })).error.code, 'bad_request');
      await rawRequest(a, 'leave');
      assert.equal((await rawRequest(a, 'ice-servers')).error.code, 'not_joined');
      // a refused join hands out nothing either
      await join(await h.client(), { room: 'full' });
      await join(await h.client(), { room: 'full' });
      const refused = await join(await h.client(), { room: 'full' });
      assert.equal(refused.ok, false);
      assert.equal('iceServers' in refused, false);
      assert.equal(calls, 4);
    } finally {
      await h.close();
    }
  });

  it('passes a degraded provider answer on as iceServersDegraded', async () => {
    const iceProvider: IceServerProvider = {
      name: 'degraded',
      async getIceServers() {
        return { iceServers: [{ urls: 'stun:fallback.test' }], expiresAt: null, degraded: true };
      },
    };
    const h = await startServer({ iceProvider });
    try {
      const a = await h.client();
      const joined = await join(a, { room: 'r' });
      assert.equal(joined.iceServersDegraded, true);
      assert.equal((await rawRequest(a, 'ice-servers')).iceServersDegraded, true);
    } finally {
      await h.close();
    }
  });
});
