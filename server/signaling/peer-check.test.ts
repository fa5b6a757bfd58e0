import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PEER_CHECK_TIMEOUT_MS } from './index.js';
import { nextEvent, rawRequest, recordAll, startServer, type TestClient } from '../test-support/harness.js';
import { redisUnavailableReason, startRedis, type TestRedis } from '../test-support/redis.js';

let roomSeq = 0;
const room = () => `check-${process.pid}-${++roomSeq}`;
/** What the components do: answer the server's peer-check at once. */
const answering = (c: TestClient) => {
  c.on('peer-check', (ack) => ack({ ok: true }));
  return c;
};

describe('peer-check: is a member of my room still there?', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    h = await startServer({ roomCapacity: 4, reconnectGrace: 5 });
  });
  after(() => h.close());

  it('answers alive: true for a member whose client answers, and leaves it connected', async () => {
    const name = room();
    const [a, b] = [answering(await h.client()), answering(await h.client())];
    await rawRequest(a, 'join', { room: name });
    const jb = await rawRequest(b, 'join', { room: name });
    const asked = nextEvent(b, 'peer-check');
    const t0 = Date.now();
    assert.deepEqual(await rawRequest(a, 'peer-check', { id: jb.id }), { ok: true, alive: true });
    await asked;
    assert.ok(Date.now() - t0 < PEER_CHECK_TIMEOUT_MS, 'answered without waiting for the timeout');
    assert.equal(b.connected, true);
    const member = await h.server.rooms.get(name, jb.id);
    assert.ok(member && !member.away, 'still a present member');
  });

  it('a member whose client does not answer is disconnected within the timeout, the others hear peer-away', async () => {
    const name = room();
    const [a, c] = [answering(await h.client()), answering(await h.client())];
    const silent = await h.client(); // a page whose script is gone: no peer-check handler
    await rawRequest(a, 'join', { room: name });
    await rawRequest(c, 'join', { room: name });
    const js = await rawRequest(silent, 'join', { room: name });
    const awayAtA = nextEvent(a, 'peer-away', 4_000);
    const awayAtC = nextEvent(c, 'peer-away', 4_000);
    const dropped = nextEvent<string>(silent, 'disconnect', 4_000);
    const t0 = Date.now();
    const res = await (a.timeout(4_000) as any).emitWithAck('peer-check', { id: js.id });
    const elapsed = Date.now() - t0;
    assert.deepEqual(res, { ok: true, alive: false });
    assert.ok(elapsed >= PEER_CHECK_TIMEOUT_MS - 50 && elapsed < PEER_CHECK_TIMEOUT_MS + 1_000, `answered after ${elapsed} ms`);
    assert.equal(await dropped, 'io server disconnect');
    assert.deepEqual(await awayAtA, { id: js.id });
    assert.deepEqual(await awayAtC, { id: js.id });
    // now away: asking again answers at once, without another probe
    const t1 = Date.now();
    assert.deepEqual(await rawRequest(c, 'peer-check', { id: js.id }), { ok: true, alive: false });
    assert.ok(Date.now() - t1 < 500);
  });

  it('members that check the same quiet peer at once share one probe', async () => {
    const name = room();
    const [a, c] = [answering(await h.client()), answering(await h.client())];
    const silent = await h.client();
    const probes = recordAll(silent);
    await rawRequest(a, 'join', { room: name });
    await rawRequest(c, 'join', { room: name });
    const js = await rawRequest(silent, 'join', { room: name });
    const answers = await Promise.all([a, c].map((m) => (m.timeout(4_000) as any).emitWithAck('peer-check', { id: js.id })));
    assert.deepEqual(answers, [
      { ok: true, alive: false },
      { ok: true, alive: false },
    ]);
    assert.deepEqual(probes, ['peer-check']);
  });

  it('answers not_in_room for a member of another room, an unknown id and oneself, alike, and asks nobody', async () => {
    const [a, other] = [answering(await h.client()), answering(await h.client())];
    const ja = await rawRequest(a, 'join', { room: room() });
    const jo = await rawRequest(other, 'join', { room: room() });
    const otherSeen = recordAll(other);
    const ownSeen = recordAll(a);
    const answers = [];
    for (const id of [jo.id, 'no-such-member', ja.id]) answers.push(await rawRequest(a, 'peer-check', { id }));
    assert.equal(answers[0].error.code, 'not_in_room');
    assert.deepEqual(answers[1], answers[0], "another room's member looks like nobody");
    assert.deepEqual(answers[2], answers[0]);
    assert.deepEqual(otherSeen, []);
    assert.deepEqual(ownSeen, []);
    assert.equal(other.connected, true);
  });

  it('answers not_joined before a join and after a leave, and bad_request to a malformed request', async () => {
    const name = room();
    const [a, b] = [answering(await h.client()), answering(await h.client())];
    const jb = await rawRequest(b, 'join', { room: name });
    const bSeen = recordAll(b);
    assert.equal((await rawRequest(a, 'peer-check', { id: jb.id })).error.code, 'not_joined');
    await rawRequest(a, 'join', { room: name });
    await rawRequest(a, 'leave');
    assert.equal((await rawRequest(a, 'peer-check', { id: jb.id })).error.code, 'not_joined');
    await rawRequest(a, 'join', { room: name });
    bSeen.length = 0;
    for (const bad of [undefined, {}, { id: 5 }, { id: '' }, { id: 'x'.repeat(65) }, { id: jb.id, room: name }]) {
      const res = await rawRequest(a, 'peer-check', bad);
      assert.equal(res.error?.code, 'bad_request', JSON.stringify(bad));
    }
    assert.deepEqual(bSeen, [], 'nothing was asked');
  });
});

describe('peer-check with unreachable: one side gave its peer connection up', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    h = await startServer({ roomCapacity: 4, reconnectGrace: 5 });
  });
  after(() => h.close());

  it('tells only that member, stamped with the sender id, without probing it', async () => {
    const name = room();
    const [a, b, c] = [answering(await h.client()), answering(await h.client()), answering(await h.client())];
    const ja = await rawRequest(a, 'join', { room: name });
    const jb = await rawRequest(b, 'join', { room: name });
    await rawRequest(c, 'join', { room: name });
    const bSeen = recordAll(b);
    const cSeen = recordAll(c);
    const told = nextEvent(b, 'peer-unreachable');
    assert.deepEqual(await rawRequest(a, 'peer-check', { id: jb.id, unreachable: true }), { ok: true, alive: true });
    assert.deepEqual(await told, { from: ja.id });
    assert.deepEqual(bSeen, ['peer-unreachable'], 'no probe, nothing else');
    assert.deepEqual(cSeen, [], 'nobody else hears of it');
    assert.equal(b.connected, true);
  });

  it('cannot reach a member of another room, and tells an away member nothing', async () => {
    const [a, other] = [answering(await h.client()), answering(await h.client())];
    await rawRequest(a, 'join', { room: room() });
    const jo = await rawRequest(other, 'join', { room: room() });
    const otherSeen = recordAll(other);
    assert.equal((await rawRequest(a, 'peer-check', { id: jo.id, unreachable: true })).error.code, 'not_in_room');
    assert.deepEqual(otherSeen, []);

    const name = room();
    const [x, y] = [answering(await h.client()), answering(await h.client())];
    await rawRequest(x, 'join', { room: name });
    const jy = await rawRequest(y, 'join', { room: name });
    const away = nextEvent(x, 'peer-away', 4_000);
    y.io.engine.close(); // its connection drops: away for the grace period
    await away;
    assert.deepEqual(await rawRequest(x, 'peer-check', { id: jy.id, unreachable: true }), { ok: true, alive: false });
  });

  it('takes only unreachable: true', async () => {
    const name = room();
    const [a, b] = [answering(await h.client()), answering(await h.client())];
    await rawRequest(a, 'join', { room: name });
    const jb = await rawRequest(b, 'join', { room: name });
    const bSeen = recordAll(b);
    for (const unreachable of [false, 'yes', 1, null]) {
      const res = await rawRequest(a, 'peer-check', { id: jb.id, unreachable });
      assert.equal(res.error?.code, 'bad_request', JSON.stringify(unreachable));
    }
    assert.deepEqual(bSeen, []);
  });
});

describe('peer-check rate limit', () => {
  it('trips at the configured number per socket and recovers', async () => {
    const h = await startServer({ rateLimits: { 'peer-check': { perSocket: { points: 3, duration: 1 } } } });
    try {
      const name = room();
      const [a, b] = [answering(await h.client()), answering(await h.client())];
      await rawRequest(a, 'join', { room: name });
      const jb = await rawRequest(b, 'join', { room: name });
      const codes = [];
      for (let i = 0; i < 4; i++) {
        const res = await rawRequest(a, 'peer-check', { id: jb.id });
        codes.push(res.ok ? 'ok' : res.error.code);
      }
      assert.deepEqual(codes, ['ok', 'ok', 'ok', 'rate_limited']);
      const limited = await rawRequest(a, 'peer-check', { id: jb.id });
      await new Promise((r) => setTimeout(r, limited.error.retryAfterMs + 50));
      assert.deepEqual(await rawRequest(a, 'peer-check', { id: jb.id }), { ok: true, alive: true }, 'recovered');
    } finally {
      await h.close();
    }
  });
});

describe('peer-check across nodes (Redis)', { skip: redisUnavailableReason() ?? false }, () => {
  let redis: TestRedis;
  const nodes: Awaited<ReturnType<typeof startServer>>[] = [];
  before(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) nodes.push(await startServer({ roomCapacity: 4, reconnectGrace: 5, redis: redis.url }));
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await redis?.stop();
  });

  it('reaches a member on another node: alive when it answers; disconnected there and away for all when not', async () => {
    const [n1, n2] = nodes as [Awaited<ReturnType<typeof startServer>>, Awaited<ReturnType<typeof startServer>>];
    const name = room();
    const a = answering(await n1.client());
    const c = answering(await n2.client());
    const silent = await n2.client();
    await rawRequest(a, 'join', { room: name });
    const jc = await rawRequest(c, 'join', { room: name });
    const js = await rawRequest(silent, 'join', { room: name });
    assert.deepEqual(await rawRequest(a, 'peer-check', { id: jc.id }), { ok: true, alive: true });
    const awayAtA = nextEvent(a, 'peer-away', 5_000);
    const awayAtC = nextEvent(c, 'peer-away', 5_000);
    const dropped = nextEvent<string>(silent, 'disconnect', 5_000);
    assert.deepEqual(await (a.timeout(5_000) as any).emitWithAck('peer-check', { id: js.id }), { ok: true, alive: false });
    assert.equal(await dropped, 'io server disconnect');
    assert.deepEqual(await awayAtA, { id: js.id });
    assert.deepEqual(await awayAtC, { id: js.id });
    assert.equal(c.connected, true);
  });
});
