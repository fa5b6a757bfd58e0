import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IceServerProvider } from './ice/provider.js';
import { nextEvent, rawRequest, startServer, type TestClient } from './test-support/harness.js';
import { redisUnavailableReason, startRedis } from './test-support/redis.js';

const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
const CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };

/** `name{labels}` → value, from the Prometheus text format. */
function parse(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-z_:][a-z0-9_:]*(?:\{[^}]*\})?) (\S+)$/i);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return values;
}

/** `GET url/metrics`, parsed. */
async function scrapeAt(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return parse(await res.text());
}

describe('GET /metrics', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  let failIce = false;
  const provider: IceServerProvider = {
    name: 'probe',
    async getIceServers() {
      if (failIce) throw new Error('provider down');
      return { iceServers: [], expiresAt: null };
    },
  };
  const scrape = async () => {
    const res = await fetch(`${h.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parse(await res.text());
  };
  const join = (socket: TestClient, body: unknown) => rawRequest(socket, 'join', body);

  before(async () => {
    h = await startServer({ iceProvider: provider, roomCapacity: 2, reconnectGrace: 0 });
  });
  after(() => h.close());

  it('counts sockets, rooms, members, joins by result, relayed signals and ICE provider calls', async () => {
    const before = await scrape();
    assert.equal(before.get('rtc_room_connected_sockets'), 0);
    assert.equal(before.get('rtc_room_rooms'), 0);
    assert.ok(before.has('nodejs_eventloop_lag_seconds'), 'event-loop lag is exported');
    assert.ok(before.has('nodejs_eventloop_lag_p99_seconds'));

    const [a, b, c] = [await h.client(), await h.client(), await h.client()];
    const ada = await join(a, { room: 'metrics', name: 'Ada' });
    const bob = await join(b, { room: 'metrics', name: 'Bob' });
    assert.equal((await join(c, { room: 'metrics' })).error.code, 'room_full');
    assert.equal((await join(c, { room: 'bad room!' })).error.code, 'bad_request');
    const heard = nextEvent(b, 'signal');
    assert.equal((await rawRequest(a, 'signal', { to: bob.id, description: OFFER })).ok, true);
    await heard;
    assert.equal((await rawRequest(b, 'signal', { to: ada.id, candidate: CANDIDATE })).ok, true);
    assert.equal((await rawRequest(b, 'signal', { to: 'nobody', candidate: CANDIDATE })).ok, false, 'not relayed, not counted');
    failIce = true;
    assert.equal((await join(c, { room: 'other' })).error.code, 'internal');
    failIce = false;

    const m = await scrape();
    assert.equal(m.get('rtc_room_connected_sockets'), 3);
    assert.equal(m.get('rtc_room_rooms'), 1);
    assert.equal(m.get('rtc_room_members'), 2);
    assert.equal(m.get('rtc_room_joins_total{result="ok"}'), 2);
    assert.equal(m.get('rtc_room_joins_total{result="room_full"}'), 1);
    assert.equal(m.get('rtc_room_joins_total{result="bad_request"}'), 1);
    assert.equal(m.get('rtc_room_joins_total{result="internal"}'), 1);
    assert.equal(m.get('rtc_room_signals_relayed_total{kind="description"}'), 1);
    assert.equal(m.get('rtc_room_signals_relayed_total{kind="candidate"}'), 1);
    assert.equal(m.get('rtc_room_ice_requests_total{provider="probe",result="ok"}'), 2);
    assert.equal(m.get('rtc_room_ice_requests_total{provider="probe",result="error"}'), 1);

    const left = nextEvent(a, 'peer-left');
    b.disconnect();
    await left;
    const after = await scrape();
    assert.equal(after.get('rtc_room_members'), 1);
    assert.equal(after.get('rtc_room_connected_sockets'), 2);
  });

  it('is absent with metrics: false', async () => {
    const off = await startServer({ metrics: false });
    try {
      assert.equal((await fetch(`${off.url}/metrics`)).status, 404);
      assert.equal(off.server.metrics, null);
    } finally {
      await off.close();
    }
  });

  it('with Redis, each node reports the rooms and members it holds itself', { skip: redisUnavailableReason() ?? false }, async () => {
    const redis = await startRedis();
    const nodes: Awaited<ReturnType<typeof startServer>>[] = [];
    try {
      nodes.push(await startServer({ redis: redis.url, reconnectGrace: 0 }), await startServer({ redis: redis.url, reconnectGrace: 0 }));
      const [n1, n2] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
      // "shared": one member on each node; "solo": one more on n1.
      assert.equal((await join(await n1.client(), { room: 'shared' })).peers.length, 0);
      assert.equal((await join(await n2.client(), { room: 'shared' })).peers.length, 1, 'the rooms are shared through Redis');
      await join(await n1.client(), { room: 'solo' });
      const [m1, m2] = [await scrapeAt(n1.url), await scrapeAt(n2.url)];
      assert.deepEqual([m1.get('rtc_room_rooms'), m1.get('rtc_room_members')], [2, 2]);
      assert.deepEqual([m2.get('rtc_room_rooms'), m2.get('rtc_room_members')], [1, 1]);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await redis.stop();
    }
  });
});
