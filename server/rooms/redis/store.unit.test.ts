// RedisRooms' own bookkeeping over a fake client: how it turns script replies into admissions,
// what it remembers when Redis fails, when it refuses with `unavailable`, and its health.
// (The scripts themselves run against a real Redis in redis.test.ts.)
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { SignalingError } from '../../errors.js';
import type { Member } from '../store.js';
import type { AdmitReply } from './scripts.js';
import { RedisRooms, type RoomsClient } from './store.js';

const silent = pino({ level: 'silent' });
const record = (id: string, seq: number, extra: object = {}) => ({ id, name: id, socketId: `s-${id}`, node: 'n', seq, ...extra });
const member = (id: string, socketId = `s-${id}`): Member => ({ id, name: id, socketId });
const isUnavailable = (error: unknown) => error instanceof SignalingError && error.code === 'unavailable';

/** The client methods RedisRooms calls, answering what each test sets, and recording the calls. */
class FakeClient extends EventEmitter {
  isReady = true;
  fail = false;
  calls: string[] = [];
  admitReply: AdmitReply = { ok: true, capacity: 4, others: [], purged: [] };
  markAwayReply = true;
  nodeEntries: string[] = [];
  records = new Map<string, string>();

  #answer<T>(name: string, value: T): Promise<T> {
    this.calls.push(name);
    return this.fail ? Promise.reject(new Error('redis timed out')) : Promise.resolve(value);
  }
  roomAdmit = (_keys: unknown, _room: string, _m: Member, _node: string, _capacity: number, purge: boolean) =>
    this.#answer(`admit purge=${purge}`, this.admitReply);
  roomRemove = () => this.#answer('remove', []);
  roomMarkAway = () => this.#answer('markAway', this.markAwayReply);
  roomSetMedia = () => this.#answer('setMedia', []);
  roomRemoveStale = () => this.#answer('removeStale', null);
  nodeHeartbeat = () => this.#answer('heartbeat', true);
  nodePurge = () => this.#answer('purge', { done: true, purged: [] });
  sMembers = () => this.#answer('sMembers', this.nodeEntries);
  sScan = () => this.#answer('sScan', { cursor: '0', members: this.nodeEntries });
  hGet = (_key: string, id: string) => this.#answer('hGet', this.records.get(id) ?? null);
  hVals = () => this.#answer('hVals', [...this.records.values()]);
}

function setup(links: ConstructorParameters<typeof RedisRooms>[3] = {}) {
  const client = new FakeClient();
  const rooms = new RedisRooms(client as unknown as RoomsClient, { url: 'redis://fake', nodeTtlMs: 60_000 }, silent, links);
  return { client, rooms };
}

describe('RedisRooms over a fake client', () => {
  it('turns an admission into the members the newcomer sees, and the socket it had', async () => {
    const { client, rooms } = setup();
    client.admitReply = { ok: true, capacity: 3, previousSocketId: 'old', others: [record('b', 1, { sub: 'u' })], purged: [] };
    assert.deepEqual(await rooms.admit('r', member('a'), 4), {
      ok: true,
      capacity: 3,
      peers: [{ id: 'b', name: 'b', sub: 'u' }],
      previousSocketId: 'old',
    });
  });

  it('reports dead nodes’ members removed on the way in, with the members left to tell', async () => {
    const { client, rooms } = setup();
    client.admitReply = { ok: false, capacity: 2, others: [record('b', 1), record('c', 2)], purged: ['x'] };
    const admission = await rooms.admit('r', member('a'), 2);
    assert.equal(admission.ok, false);
    assert.deepEqual(
      admission.purged?.map(({ id, others }) => [id, others.map((m) => m.id)]),
      [['x', ['b', 'c']]],
    );
  });

  it('reports the seats an admission released, each with the members left to tell, and a resume refused as taken', async () => {
    const { client, rooms } = setup();
    client.admitReply = { ok: true, capacity: 4, others: [record('b', 2)], purged: [], released: [record('a', 1, { sub: 'u' })] };
    const admission = await rooms.admit('r', member('c'), 4);
    assert.ok(admission.ok);
    assert.deepEqual(
      admission.released?.map(({ member, others }) => [member.id, member.socketId, others.map((m) => m.id)]),
      [['a', 's-a', ['b']]],
    );
    client.admitReply = { ok: false, capacity: 4, others: [record('c', 3)], purged: [], taken: true };
    assert.deepEqual(await rooms.admit('r', member('a'), 4, { resume: true }), { ok: false, capacity: 4, taken: true });
  });

  it('purges on the way in only once settled: not before it has started', async () => {
    const { client, rooms } = setup();
    await rooms.admit('r', member('a'), 2);
    await rooms.start(3_600_000);
    await rooms.admit('r', member('b'), 2);
    rooms.stop();
    assert.deepEqual(
      client.calls.filter((c) => c.startsWith('admit')),
      ['admit purge=false', 'admit purge=true'],
    );
  });

  it('no longer purges once the connection has failed (it may be the one that was away)', async () => {
    const { client, rooms } = setup();
    await rooms.start(3_600_000);
    client.emit('error', new Error('connection lost'));
    await rooms.admit('r', member('a'), 2);
    rooms.stop();
    assert.equal(rooms.settled, false);
    assert.ok(client.calls.includes('admit purge=false'));
  });

  it('answers `unavailable` without asking Redis while the client is not connected', async () => {
    const { client, rooms } = setup();
    client.isReady = false;
    await assert.rejects(rooms.members('r'), isUnavailable);
    assert.deepEqual(client.calls, []);
  });

  it('refuses admissions, but not reads, while the adapter cannot relay', async () => {
    const relay = { isReady: false };
    const { client, rooms } = setup({ relay: [relay] });
    await assert.rejects(rooms.admit('r', member('a'), 2), isUnavailable);
    assert.deepEqual(await rooms.members('r'), []);
    assert.deepEqual(client.calls, ['hVals']);
  });

  it('turns a failed command into `unavailable`, keeping the cause', async () => {
    const { client, rooms } = setup();
    client.fail = true;
    await assert.rejects(rooms.setMedia('r', 'a', { audio: true, video: true, screen: false }), (error: unknown) => {
      assert.ok(isUnavailable(error));
      assert.match(String((error as Error).cause), /timed out/);
      return true;
    });
  });

  it('remembers a leave that failed, and removes it on the next reconcile though its socket is connected', async () => {
    const { client, rooms } = setup({ isLocal: () => true });
    await rooms.admit('r', member('a'), 2);
    client.fail = true;
    await assert.rejects(rooms.remove('r', 'a'));
    client.fail = false;
    client.records.set('a', JSON.stringify({ ...record('a', 1), node: rooms.node }));
    await rooms.reconcile();
    assert.ok(client.calls.includes('removeStale'));
  });

  it('does not remember a failed removal by socket: reconcile finds that socket gone by itself', async () => {
    const { client, rooms } = setup({ isLocal: () => true });
    await rooms.admit('r', member('a'), 2);
    client.fail = true;
    await assert.rejects(rooms.remove('r', 'a', 's-a'));
    client.fail = false;
    client.records.set('a', JSON.stringify({ ...record('a', 1), node: rooms.node }));
    await rooms.reconcile();
    assert.ok(!client.calls.includes('removeStale'));
  });

  it('keeps a member away locally when Redis cannot hear it, so reconcile leaves it in its grace period', async () => {
    const { client, rooms } = setup({ isLocal: () => false });
    await rooms.admit('r', member('a'), 2);
    client.fail = true;
    await assert.rejects(rooms.markAway('r', 'a', 's-a'));
    client.fail = false;
    client.nodeEntries = ['r\na'];
    client.records.set('a', JSON.stringify({ ...record('a', 1), node: rooms.node }));
    assert.equal(await rooms.reconcile(), 0);
    assert.ok(!client.calls.includes('removeStale'));
  });

  it('does not reconcile without a way to tell which sockets are connected here', async () => {
    const { client, rooms } = setup();
    assert.equal(await rooms.reconcile(), 0);
    assert.deepEqual(client.calls, []);
  });

  it('counts this node’s members and their rooms', async () => {
    const { client, rooms } = setup();
    client.nodeEntries = ['r1\na', 'r1\nb', 'r2\nc'];
    assert.deepEqual(await rooms.stats(), { rooms: 2, peers: 3 });
  });

  it('lists a room’s members in join order', async () => {
    const { client, rooms } = setup();
    client.records.set('b', JSON.stringify(record('b', 7)));
    client.records.set('a', JSON.stringify(record('a', 3)));
    assert.deepEqual(
      (await rooms.members('r')).map((m) => m.id),
      ['a', 'b'],
    );
  });

  it('is healthy with its node id while its clients are connected, and not otherwise', () => {
    const relay = { isReady: true };
    const { client, rooms } = setup({ relay: [relay] });
    assert.deepEqual(rooms.health(), { ok: true, node: rooms.node });
    relay.isReady = false;
    assert.equal(rooms.health().ok, false);
    relay.isReady = true;
    client.isReady = false;
    assert.equal(rooms.health().ok, false);
  });
});
