// Several server nodes sharing rooms through a real Redis (Debian's redis-server on 127.0.0.1).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { RtcServerOptions } from './app.js';
import { nextEvent, rawRequest, recordAll, startServer, type TestClient } from './test-support/harness.js';
import { redisUnavailableReason, startRedis, type TestRedis } from './test-support/redis.js';
import { startServerProcess } from './test-support/server-process.js';

const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
let roomSeq = 0;
const room = () => `redis-${process.pid}-${++roomSeq}`;
const join = (socket: TestClient, body: unknown) => rawRequest(socket, 'join', body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const skip = redisUnavailableReason() ?? false;

describe('without REDIS_URL', () => {
  const loaded = (...args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./test-support/redis-loaded.ts', import.meta.url)), ...args], {
      encoding: 'utf8',
    }).trim();

  it('nothing about Redis is loaded (and with a URL, the client and adapter are)', () => {
    assert.equal(loaded(), '0');
    assert.ok(Number(loaded('redis://127.0.0.1:1')) > 0);
  });
});

describe('several nodes over Redis', { skip }, () => {
  let redis: TestRedis;
  const servers: { close(): Promise<void> }[] = [];
  /** A node: a real server on its own port, sharing rooms through `redis`. */
  const node = async (options: RtcServerOptions = {}) => {
    const h = await startServer({ roomCapacity: 2, reconnectGrace: 5, redis: redis.url, ...options });
    servers.push(h);
    return h;
  };
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await redis?.stop();
  });

  it('members on different nodes meet, and signals cross nodes exactly once, stamped by the server', async () => {
    const [n1, n2] = [await node(), await node()];
    const name = room();
    const a = await n1.client();
    const b = await n2.client();
    const ja = await join(a, { room: name, name: 'Ada' });
    const joined = nextEvent(a, 'peer-joined');
    const jb = await join(b, { room: name, name: 'Bob' });
    assert.deepEqual(jb.peers, [{ id: ja.id, name: 'Ada' }]);
    assert.deepEqual(await joined, { id: jb.id, name: 'Bob' });

    const seenByA = recordAll(a);
    const seenByB = recordAll(b);
    const atA = nextEvent(a, 'signal');
    assert.deepEqual(await rawRequest(b, 'signal', { to: ja.id, description: OFFER }), { ok: true });
    assert.deepEqual(await atA, { from: jb.id, description: OFFER });
    const atB = nextEvent(b, 'signal');
    assert.deepEqual(await rawRequest(a, 'signal', { to: jb.id, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } }), { ok: true });
    assert.equal((await atB).from, ja.id);
    await sleep(200);
    assert.deepEqual(seenByA, ['signal'], 'exactly one signal reached a');
    assert.deepEqual(seenByB, ['signal'], 'exactly one signal reached b');

    // Not-in-room checks hold across nodes: a member of another room is unknown here.
    const c = await n2.client();
    const jc = await join(c, { room: room() });
    assert.equal((await rawRequest(a, 'signal', { to: jc.id, description: OFFER })).error.code, 'unknown_peer');
    assert.equal((await rawRequest(c, 'signal', { to: ja.id, description: OFFER })).error.code, 'unknown_peer');
  });

  it('a member away on one node is peer_away for the others; it resumes on another node and its old socket there is closed', async () => {
    const [n1, n2] = [await node(), await node()];
    const name = room();
    const a = await n1.client();
    const b = await n2.client();
    const ja = await join(a, { room: name });
    const jb = await join(b, { room: name });
    const away = nextEvent(a, 'peer-away');
    b.disconnect();
    assert.deepEqual(await away, { id: jb.id });
    assert.equal((await rawRequest(a, 'signal', { to: jb.id, description: OFFER })).error.code, 'peer_away');
    assert.equal((await join(await n1.client(), { room: name })).error.code, 'room_full', 'its place is held');

    const back = nextEvent(a, 'peer-joined');
    const b2 = await n1.client();
    const again = await join(b2, { room: name, resume: jb.resumeToken });
    assert.equal(again.id, jb.id);
    await back;
    const relayed = nextEvent(b2, 'signal');
    assert.deepEqual(await rawRequest(a, 'signal', { to: jb.id, description: OFFER }), { ok: true });
    assert.deepEqual(await relayed, { from: ja.id, description: OFFER });

    // Now a (on node 1) resumes through node 2 while its first socket lingers: that one is closed.
    const closed = nextEvent<string>(a, 'disconnect');
    const seenByB = recordAll(b2);
    const a2 = await n2.client();
    assert.equal((await join(a2, { room: name, resume: ja.resumeToken })).id, ja.id);
    assert.equal(await closed, 'io server disconnect');
    await sleep(300);
    assert.deepEqual(seenByB, ['peer-joined'], 'b heard a is back, and nothing else (no peer-away, no peer-left)');
  });

  it('50 joins at once, spread over two nodes, into a room of two: exactly two get in', async () => {
    const [n1, n2] = [await node(), await node()];
    const name = room();
    const clients = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? n1 : n2).client()));
    const answers = await Promise.all(clients.map((c) => join(c, { room: name })));
    const codes = answers.map((r) => (r.ok ? 'ok' : r.error.code));
    assert.equal(codes.filter((c) => c === 'ok').length, 2, codes.join(','));
    assert.equal(codes.filter((c) => c === 'room_full').length, 48);
  });

  it('a node that went away without removing its members does not block their room: the next join removes them, peer-left', async () => {
    // Their own key prefix: no node of the other tests sweeps them; only the join can remove.
    const keyPrefix = `lazy-${process.pid}:`;
    const n1 = await node({ redis: { url: redis.url, keyPrefix, sweepMs: 3_600_000 } });
    const n2 = await startServer({ roomCapacity: 2, redis: { url: redis.url, keyPrefix, nodeTtlMs: 400, sweepMs: 3_600_000 } });
    const name = room();
    const a = await n1.client();
    const b = await n2.client();
    await join(a, { room: name });
    const jb = await join(b, { room: name });
    // A closing node leaves its heartbeat to expire (so members may resume elsewhere meanwhile).
    await n2.close();
    assert.equal((await join(await n1.client(), { room: name })).error.code, 'room_full', 'within the heartbeat its member counts');
    const left = nextEvent(a, 'peer-left', 4_000);
    await sleep(600);
    const c = await n1.client();
    assert.equal((await join(c, { room: name })).ok, true);
    assert.deepEqual(await left, { id: jb.id });
  });

  it('Redis down: joins fail with unavailable and /healthz says so (503); back up: joins work again', async () => {
    const own = await startRedis();
    try {
      const n1 = await node({ redis: own.url });
      const a = await n1.client();
      assert.equal((await join(a, { room: room() })).ok, true);
      const healthy = await fetch(`${n1.url}/healthz`);
      assert.equal(healthy.status, 200);
      assert.deepEqual((await healthy.json()).redis.ok, true);

      await own.stop();
      const b = await n1.client();
      const res = await join(b, { room: room() });
      assert.equal(res.error?.code, 'unavailable', JSON.stringify(res));
      const sick = await fetch(`${n1.url}/healthz`);
      assert.equal(sick.status, 503);
      const body = await sick.json();
      assert.equal(body.ok, false);
      assert.equal(body.redis.ok, false);

      const revived = await startRedis({ port: own.port });
      try {
        const deadline = Date.now() + 10_000;
        while ((await fetch(`${n1.url}/healthz`)).status !== 200) {
          assert.ok(Date.now() < deadline, 'healthz did not recover within 10 s');
          await sleep(100);
        }
        assert.equal((await join(b, { room: room() })).ok, true);
      } finally {
        await revived.stop();
      }
    } finally {
      await own.stop();
    }
  });

  it('a node killed with SIGKILL: its members are gone for the others within 15 s, and their room takes new members', async () => {
    const survivor = await node();
    const doomed = await startServerProcess({ env: { REDIS_URL: redis.url, ROOM_CAPACITY: '2' } });
    try {
      const name = room();
      const a = await survivor.client();
      await join(a, { room: name });
      const { io: connect } = await import('socket.io-client');
      const b: TestClient = connect(doomed.url, { transports: ['websocket'], forceNew: true, reconnection: false });
      await new Promise((resolve) => b.once('connect', () => resolve(undefined)));
      const jb = await join(b, { room: name });
      assert.equal(jb.ok, true);
      const left = nextEvent(a, 'peer-left', 20_000);
      const t0 = Date.now();
      await doomed.stop('SIGKILL');
      assert.deepEqual(await left, { id: jb.id });
      const ms = Date.now() - t0;
      console.log(`# peer-left ${ms} ms after SIGKILL`);
      assert.ok(ms <= 15_000, `peer-left after ${ms} ms`);
      assert.equal((await join(await survivor.client(), { room: name })).ok, true);
      b.close();
    } finally {
      await doomed.stop('SIGKILL');
    }
  });
});
