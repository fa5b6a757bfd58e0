// Several server nodes sharing rooms through a real Redis (Debian's redis-server on 127.0.0.1).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createClient } from 'redis';
import { io as connect } from 'socket.io-client';
import type { RtcServerOptions } from '../../app.js';
import { mintAccessToken } from '../../auth/access-tokens.js';
import { PURGE_BATCH, ROOM_SCRIPTS } from './scripts.js';
import { RedisRooms } from './store.js';
import { dropConnection, nextEvent, rawRequest, recordAll, startServer, type TestClient } from '../../test-support/harness.js';
import { startRedisProxy } from '../../test-support/redis-proxy.js';
import { redisUnavailableReason, startRedis, type TestRedis } from '../../test-support/redis.js';
import { startServerProcess } from '../../test-support/server-process.js';

const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
let roomSeq = 0;
const room = () => `redis-${process.pid}-${++roomSeq}`;
const join = (socket: TestClient, body: unknown) => rawRequest(socket, 'join', body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const skip = redisUnavailableReason() ?? false;

/** Polls `check` every 50 ms until it is true; fails after `ms` with `what`. */
async function waitUntil(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what}: not within ${ms} ms`);
    await sleep(50);
  }
}
const healthStatus = async (url: string) => (await fetch(`${url}/healthz`)).status;

/** A pino logger that keeps the messages it logs (to wait for one), and their errors' messages. */
function recordingLogger() {
  const messages: string[] = [];
  const errors: string[] = [];
  const logger = pino(
    { level: 'warn' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { msg: string; err?: { message: string } };
        messages.push(entry.msg);
        if (entry.err) errors.push(`${entry.msg}: ${entry.err.message}`);
      },
    },
  );
  return { logger, messages, errors };
}

/** Limits raised for tests whose many clients all come from 127.0.0.1 (server processes read them from the environment). */
const PROCESS_LIMITS = { MAX_CONNECTIONS_PER_IP: '10000', RATE_LIMIT_JOIN_PER_IP: '10000/60', RATE_LIMIT_SIGNAL_PER_IP: '100000/10' };

/** A Redis of its own that keeps its data when stopped (`stop`, then `restart` on the same port). */
async function keptRedis() {
  const dir = await mkdtemp(joinPath(tmpdir(), 'rtc-redis-kept-'));
  let current = await startRedis({ dir });
  const port = current.port;
  return {
    url: current.url,
    port,
    stop: () => current.stop(),
    async restart() {
      current = await startRedis({ port, dir });
    },
    async remove() {
      await current.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A socket.io client of a server process (WebSocket only), once connected. */
async function processClient(url: string): Promise<TestClient> {
  const socket: TestClient = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

describe('without REDIS_URL', () => {
  const loaded = (...args: string[]) =>
    execFileSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('../../test-support/redis-loaded.ts', import.meta.url)), ...args],
      {
        encoding: 'utf8',
      },
    ).trim();

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
    assert.deepEqual(await rawRequest(a, 'signal', { to: jb.id, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } }), {
      ok: true,
    });
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
    dropConnection(b);
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

  it('one access token joined four times over two nodes, each socket dropped, never fills a room of four; a taken-over seat cannot be resumed', async () => {
    const secret = 'redis-seats-secret-that-is-long-enough!';
    const [n1, n2] = [
      await node({ accessTokenSecret: secret, roomCapacity: 4, reconnectGrace: 15 }),
      await node({ accessTokenSecret: secret, roomCapacity: 4, reconnectGrace: 15 }),
    ];
    const name = room();
    const token = (sub: string) => mintAccessToken({ room: name, sub, secret });
    const watcher = await n1.client();
    await join(watcher, { room: name, token: await token('watcher') });
    const left: string[] = [];
    watcher.on('peer-left', ({ id }) => left.push(id));
    const attacker = await token('mallory');
    const seats = [];
    for (let i = 0; i < 4; i++) {
      const socket = await (i % 2 ? n1 : n2).client();
      const joined = await join(socket, { room: name, token: attacker });
      assert.equal(joined.ok, true, JSON.stringify(joined));
      seats.push(joined);
      const away = nextEvent(watcher, 'peer-away');
      dropConnection(socket);
      assert.deepEqual(await away, { id: joined.id });
    }
    const host = await join(await n2.client(), { room: name, token: await token('host') });
    assert.equal(host.ok, true, `the host was refused: ${JSON.stringify(host)}`);
    assert.deepEqual(left, [seats[0].id, seats[1].id, seats[2].id]);
    const members = await n1.server.rooms.members(name);
    assert.deepEqual(
      members.map((m) => m.sub),
      ['watcher', 'mallory', 'host'],
    );
    const back = await join(await n1.client(), { room: name, token: attacker, resume: seats[0].resumeToken });
    assert.equal(back.error?.code, 'already_joined', JSON.stringify(back));
    // The last seat's own resume token still brings it back, through either node.
    assert.equal((await join(await n1.client(), { room: name, token: attacker, resume: seats[3].resumeToken })).id, seats[3].id);
  });

  it('a connected identity that joins again through another node: its old socket there is closed', async () => {
    const secret = 'redis-seats-secret-that-is-long-enough!';
    const [n1, n2] = [await node({ accessTokenSecret: secret }), await node({ accessTokenSecret: secret })];
    const name = room();
    const mallory = await mintAccessToken({ room: name, sub: 'mallory', secret });
    const first = await n1.client();
    const one = await join(first, { room: name, token: mallory });
    const closed = nextEvent<string>(first, 'disconnect');
    const two = await join(await n2.client(), { room: name, token: mallory });
    assert.equal(two.ok, true);
    assert.notEqual(two.id, one.id);
    assert.equal(await closed, 'io server disconnect');
  });

  it('without tokens, one IP joining and dropping again and again over two nodes holds at most two seats in grace', async () => {
    const [n1, n2] = [await node({ roomCapacity: 4, reconnectGrace: 15 }), await node({ roomCapacity: 4, reconnectGrace: 15 })];
    const name = room();
    const watcher = await n1.client();
    await join(watcher, { room: name });
    const left: string[] = [];
    watcher.on('peer-left', ({ id }) => left.push(id));
    const seats = [];
    for (let i = 0; i < 3; i++) {
      const socket = await (i % 2 ? n1 : n2).client();
      const joined = await join(socket, { room: name });
      seats.push(joined);
      const away = nextEvent(watcher, 'peer-away');
      dropConnection(socket);
      assert.deepEqual(await away, { id: joined.id });
    }
    assert.deepEqual(left, [seats[0].id]);
    assert.equal((await join(await n2.client(), { room: name })).ok, true, 'the room is not full');
  });

  it('50 joins at once, spread over two server processes, into a room of two: exactly two get in', async () => {
    const env = { REDIS_URL: redis.url, ROOM_CAPACITY: '2', ...PROCESS_LIMITS };
    const [p1, p2] = await Promise.all([startServerProcess({ env }), startServerProcess({ env })]);
    const clients: TestClient[] = [];
    try {
      const name = room();
      clients.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => processClient((i % 2 ? p1 : p2).url)))));
      const answers = await Promise.all(clients.map((c) => join(c, { room: name })));
      const codes = answers.map((r) => (r.ok ? 'ok' : r.error.code));
      assert.equal(codes.filter((c) => c === 'ok').length, 2, codes.join(','));
      assert.equal(codes.filter((c) => c === 'room_full').length, 48);
    } finally {
      for (const c of clients) c.close();
      await Promise.all([p1.stop(), p2.stop()]);
    }
  });

  it('between two server processes, 50 signals each way arrive exactly once and in order', async () => {
    const env = { REDIS_URL: redis.url, ROOM_CAPACITY: '2', ...PROCESS_LIMITS };
    const [p1, p2] = await Promise.all([startServerProcess({ env }), startServerProcess({ env })]);
    const [a, b] = await Promise.all([processClient(p1.url), processClient(p2.url)]);
    try {
      const name = room();
      const ja = await join(a, { room: name });
      const jb = await join(b, { room: name });
      assert.deepEqual(
        jb.peers.map((p: { id: string }) => p.id),
        [ja.id],
      );
      const got = new Map<TestClient, string[]>([
        [a, []],
        [b, []],
      ]);
      for (const [socket, seen] of got) socket.on('signal', (m: any) => seen.push(`${m.from} ${m.candidate.candidate}`));
      const candidate = (i: number | string) => ({ candidate: `candidate:${i} 1 udp 1 127.0.0.1 9 typ host` });
      const send = (from: TestClient, to: string) =>
        Promise.all(Array.from({ length: 50 }, (_, i) => rawRequest(from, 'signal', { to, candidate: candidate(i) })));
      const acks = await Promise.all([send(a, jb.id), send(b, ja.id)]);
      for (const ack of acks.flat()) assert.deepEqual(ack, { ok: true });
      // A last one each way: sent after the 50, it arrives after them (a duplicate would come before it).
      await waitUntil(() => got.get(a)!.length >= 50 && got.get(b)!.length >= 50, '50 signals each way');
      await Promise.all([
        rawRequest(a, 'signal', { to: jb.id, candidate: candidate('end') }),
        rawRequest(b, 'signal', { to: ja.id, candidate: candidate('end') }),
      ]);
      const ended = (seen: string[]) => seen.some((line) => line.includes('candidate:end'));
      await waitUntil(() => ended(got.get(a)!) && ended(got.get(b)!), 'the last signal each way');
      const expected = (from: string) => [
        ...Array.from({ length: 50 }, (_, i) => `${from} ${candidate(i).candidate}`),
        `${from} ${candidate('end').candidate}`,
      ];
      assert.deepEqual(got.get(b), expected(ja.id), "b got each of a's signals once, in order");
      assert.deepEqual(got.get(a), expected(jb.id), "a got each of b's signals once, in order");
    } finally {
      a.close();
      b.close();
      await Promise.all([p1.stop(), p2.stop()]);
    }
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

  it("the adapter's pub/sub connection lost while commands still work: /healthz 503 and joins unavailable; back: 200 and joins work", async () => {
    const own = await startRedis();
    const admin = createClient({ url: own.url });
    await admin.connect();
    try {
      const n1 = await node({ redis: own.url });
      assert.equal(await healthStatus(n1.url), 200);
      // No new connection gets in (the ones open stay), then the subscriber is cut: it cannot come back.
      await admin.configSet('maxclients', '1');
      await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      await waitUntil(async () => (await healthStatus(n1.url)) === 503, '/healthz 503');
      const res = await join(await n1.client(), { room: room() });
      assert.equal(res.error?.code, 'unavailable', JSON.stringify(res));
      assert.match(res.error.message, /pub\/sub/);
      assert.equal(await admin.ping(), 'PONG', 'Redis itself is up');

      await admin.configSet('maxclients', '10000');
      await waitUntil(async () => (await healthStatus(n1.url)) === 200, '/healthz 200 again');
      assert.equal((await join(await n1.client(), { room: room() })).ok, true);
    } finally {
      await admin.close().catch(() => {});
      await own.stop();
    }
  });

  it('a member that dropped while Redis was away and whose removal failed is removed when Redis is back: its room takes a new member', async () => {
    const own = await keptRedis();
    const { logger, messages, errors } = recordingLogger();
    try {
      const n1 = await node({ redis: own.url, reconnectGrace: 1, logger });
      const name = room();
      const a = await n1.client();
      const b = await n1.client();
      await join(a, { room: name, name: 'Ada' });
      const jb = await join(b, { room: name, name: 'Bob' });

      await own.stop(); // its data is kept
      await waitUntil(async () => (await healthStatus(n1.url)) === 503, 'the node sees Redis gone');
      dropConnection(b);
      // Two failures: telling the others it is away, then (past the grace period) its removal.
      const failures = () => messages.filter((m) => m === 'room store failed').length;
      await waitUntil(() => failures() >= 2, 'the removal at the end of the grace period');
      assert.ok(messages.includes('could not mark a member away'), messages.join(', '));

      const left = nextEvent(a, 'peer-left', 10_000);
      await own.restart();
      assert.deepEqual(await left, { id: jb.id }, errors.join('\n'));
      const c = await n1.client();
      const jc = await join(c, { room: name, name: 'Cy' });
      assert.equal(jc.ok, true, JSON.stringify(jc));
      assert.deepEqual(
        jc.peers.map((p: { name: string }) => p.name),
        ['Ada'],
      );
    } finally {
      await own.remove();
    }
  });

  it('a member that left while Redis was away (the leave failed, its socket stays) is removed when Redis is back', async () => {
    const own = await keptRedis();
    try {
      const n1 = await node({ redis: own.url });
      const name = room();
      const a = await n1.client();
      const b = await n1.client();
      await join(a, { room: name });
      const jb = await join(b, { room: name });
      await own.stop();
      await waitUntil(async () => (await healthStatus(n1.url)) === 503, 'the node sees Redis gone');
      assert.equal((await rawRequest(b, 'leave')).error?.code, 'unavailable');
      const left = nextEvent(a, 'peer-left', 10_000);
      await own.restart();
      assert.deepEqual(await left, { id: jb.id });
      assert.ok(b.connected, 'b is still connected: only its membership went');
      assert.equal((await join(await n1.client(), { room: name })).ok, true);
    } finally {
      await own.remove();
    }
  });

  it('Redis away for longer than the heartbeat TTL, back with its data, one node back before the other: nobody is removed, no peer-left, signals cross nodes', async () => {
    const own = await keptRedis();
    // Node 2 reaches Redis through a relay that the test holds closed for a while after Redis is back.
    const relay = await startRedisProxy(own.port);
    const nodeTtlMs = 4_000;
    const redisOptions = { nodeTtlMs, sweepMs: 100 };
    try {
      const n1 = await node({ redis: { url: own.url, ...redisOptions } });
      const n2 = await node({ redis: { url: relay.url, ...redisOptions } });
      const name = room();
      const a = await n1.client();
      const b = await n2.client();
      const ja = await join(a, { room: name });
      const jb = await join(b, { room: name });
      const seenByA = recordAll(a);
      const seenByB = recordAll(b);
      const disconnected: string[] = [];
      for (const socket of [a, b]) socket.on('disconnect', (reason: string) => disconnected.push(reason));

      relay.block();
      await own.stop(); // its data is kept
      await waitUntil(
        async () => (await healthStatus(n1.url)) === 503 && (await healthStatus(n2.url)) === 503,
        'both nodes see Redis gone',
      );
      await sleep(nodeTtlMs + 1_000); // no event: Redis is away, and every heartbeat in its data expires meanwhile
      await own.restart();
      await waitUntil(async () => (await healthStatus(n1.url)) === 200, 'node 1 back');
      const n1Back = Date.now();
      // Node 1 alone with Redis, node 2's heartbeat still missing: a join there does not take b's place.
      assert.equal((await join(await n1.client(), { room: name })).error?.code, 'room_full', 'b still counts');
      await sleep(Math.max(0, n1Back + 500 - Date.now())); // and five of node 1's sweeps
      relay.unblock();
      await waitUntil(async () => (await healthStatus(n2.url)) === 200, 'node 2 back');
      // Past the time node 1 waits after its reconnect: from then on its sweeps remove dead nodes again.
      await sleep(Math.max(0, n1Back + nodeTtlMs + 1_000 - Date.now()));

      assert.deepEqual(seenByA, [], 'a heard nothing (no peer-left)');
      assert.deepEqual(seenByB, [], 'b heard nothing (no peer-left)');
      assert.deepEqual(disconnected, [], 'nobody was disconnected');
      const atB = nextEvent(b, 'signal');
      assert.deepEqual(await rawRequest(a, 'signal', { to: jb.id, description: OFFER }), { ok: true });
      assert.deepEqual(await atB, { from: ja.id, description: OFFER });
      const atA = nextEvent(a, 'signal');
      assert.deepEqual(await rawRequest(b, 'signal', { to: ja.id, description: OFFER }), { ok: true });
      assert.deepEqual(await atA, { from: jb.id, description: OFFER });
      assert.equal((await join(await n1.client(), { room: name })).error?.code, 'room_full', 'both places are still taken');
    } finally {
      await relay.close();
      await own.remove();
    }
  });

  it('Redis restarted without its data: each node disconnects its members, they join again as themselves, and the room holds no more than its capacity', async () => {
    const own = await startRedis();
    let fresh: TestRedis | undefined;
    const admin = createClient({ url: own.url });
    try {
      const n1 = await node({ redis: own.url });
      const n2 = await node({ redis: own.url });
      const name = room();
      const a = await n1.client();
      const b = await n2.client();
      const ja = await join(a, { room: name });
      const jb = await join(b, { room: name });
      const aGone = nextEvent<string>(a, 'disconnect', 10_000);
      const bGone = nextEvent<string>(b, 'disconnect', 10_000);

      await own.stop();
      fresh = await startRedis({ port: own.port }); // a new, empty Redis
      await admin.connect();
      assert.equal(await aGone, 'io server disconnect');
      assert.equal(await bGone, 'io server disconnect');

      /** What a client does then: join again with its resume token (`unavailable` is retried). */
      const rejoin = async (n: { client(): Promise<TestClient> }, resume: string) => {
        const socket = await n.client();
        let answer: any;
        await waitUntil(async () => {
          answer = await join(socket, { room: name, resume });
          return answer.error?.code !== 'unavailable';
        }, 'a join that is not unavailable');
        return { socket, answer };
      };
      const a2 = await rejoin(n1, ja.resumeToken);
      const b2 = await rejoin(n2, jb.resumeToken);
      assert.equal(a2.answer.id, ja.id, JSON.stringify(a2.answer));
      assert.equal(b2.answer.id, jb.id, JSON.stringify(b2.answer));
      assert.deepEqual(
        b2.answer.peers.map((p: { id: string }) => p.id),
        [ja.id],
      );
      const atB = nextEvent(b2.socket, 'signal');
      assert.deepEqual(await rawRequest(a2.socket, 'signal', { to: jb.id, description: OFFER }), { ok: true });
      assert.deepEqual(await atB, { from: ja.id, description: OFFER });
      assert.equal((await join(await n1.client(), { room: name })).error?.code, 'room_full');
      assert.equal(await admin.hLen(`rtc:room:{${name}}:members`), 2);
    } finally {
      await admin.close().catch(() => {});
      await fresh?.stop();
      await own.stop();
    }
  });

  it('a member in its grace period is not reconciled away: its place is held across many sweeps, and it comes back as itself', async () => {
    const n1 = await node({ redis: { url: redis.url, sweepMs: 50 }, reconnectGrace: 5 });
    const name = room();
    const a = await n1.client();
    const b = await n1.client();
    const ja = await join(a, { room: name });
    const jb = await join(b, { room: name });
    const seenByA = recordAll(a);
    const away = nextEvent(a, 'peer-away');
    dropConnection(b);
    await away;
    await sleep(500); // no event says that a sweep ran: this is ten of them
    assert.equal((await join(await n1.client(), { room: name })).error?.code, 'room_full', 'its place is held');
    const b2 = await n1.client();
    const back = await join(b2, { room: name, resume: jb.resumeToken });
    assert.equal(back.id, jb.id);
    assert.deepEqual(
      back.peers.map((p: { id: string }) => p.id),
      [ja.id],
    );
    assert.ok(!seenByA.includes('peer-left'), seenByA.join(','));
  });

  it('a dead node with many members is purged in batches (Redis is never blocked by one long script), and completely', async () => {
    const keyPrefix = `batch-${process.pid}:`;
    const silent = pino({ level: 'silent' });
    const clients = [createClient({ url: redis.url, scripts: ROOM_SCRIPTS }), createClient({ url: redis.url, scripts: ROOM_SCRIPTS })];
    await Promise.all(clients.map((c) => c.connect()));
    type Client = ConstructorParameters<typeof RedisRooms>[0];
    const dead = new RedisRooms(clients[0] as unknown as Client, { url: redis.url, keyPrefix, nodeTtlMs: 300 }, silent);
    const sweeper = new RedisRooms(clients[1] as unknown as Client, { url: redis.url, keyPrefix }, silent);
    try {
      await dead.start(3_600_000);
      await sweeper.start(3_600_000); // (a node sweeps only once started: connected long enough)
      const members = 2 * PURGE_BATCH + 50;
      const rooms = Array.from({ length: members / 2 }, () => room());
      for (let i = 0; i < members; i++) {
        assert.equal((await dead.admit(rooms[i >> 1]!, { id: `m${i}`, name: '', socketId: `s${i}` }, 2)).ok, true);
      }
      dead.stop(); // its heartbeat expires in 300 ms
      const batches: number[] = [];
      sweeper.onPurge((purged) => batches.push(purged.length));
      await waitUntil(async () => (await clients[1]!.exists(`${keyPrefix}node:${dead.node}`)) === 0, 'the heartbeat expired');
      assert.equal(await sweeper.sweep(), members);
      assert.ok(batches.length >= 3 && batches.every((n) => n <= PURGE_BATCH), `batches: ${batches.join(', ')}`);
      for (const name of rooms) assert.deepEqual(await sweeper.members(name), []);
      assert.equal(await clients[1]!.exists(`${keyPrefix}node:${dead.node}:members`), 0);
      assert.deepEqual(await clients[1]!.sMembers(`${keyPrefix}nodes`), []);
    } finally {
      dead.stop();
      sweeper.stop();
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('a node killed with SIGKILL: its members are gone for the others within 15 s, and their room takes new members', async () => {
    const survivor = await node();
    const doomed = await startServerProcess({ env: { REDIS_URL: redis.url, ROOM_CAPACITY: '2' } });
    try {
      const name = room();
      const a = await survivor.client();
      await join(a, { room: name });
      const b = await processClient(doomed.url);
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
