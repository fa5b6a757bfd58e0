// Sweeping dead nodes, removing this node's stale records and rechecking after Redis lost its
// data, over an in-memory stand-in for Redis (FakeRedis: records, nodes' member sets, heartbeats).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Member, Purged } from '../store.js';
import { memberEntry, parseMemberEntry, type StoredMember } from './keys.js';
import { LocalMembers, RECHECK_BATCH, recheckOwn, removeOwnStale, singleFlight, sweepDeadNodes, type ReconcileRedis } from './reconcile.js';

const SELF = 'self';

/** Room records, each node's member set and live heartbeats, kept as the Lua scripts keep them in Redis. */
class FakeRedis implements ReconcileRedis {
  readonly node = SELF;
  readonly rooms = new Map<string, Map<string, StoredMember>>();
  readonly nodeSets = new Map<string, Set<string>>();
  readonly alive = new Set<string>([SELF]);
  purgeBatch = 2;
  pageSize = 2;
  /** Called on each `record` read (to change the world between reading and removing). */
  onRecord: (room: string, id: string) => void = () => {};
  recordReads = 0;
  staleRemovals = 0;
  #seq = 0;

  add(room: string, id: string, node: string, socketId = `s-${id}`): void {
    const previous = this.rooms.get(room)?.get(id);
    if (previous) this.nodeSets.get(previous.node)?.delete(memberEntry(room, id));
    if (!this.rooms.has(room)) this.rooms.set(room, new Map());
    this.rooms.get(room)!.set(id, { id, name: id, socketId, node, seq: ++this.#seq });
    if (!this.nodeSets.has(node)) this.nodeSets.set(node, new Set());
    this.nodeSets.get(node)!.add(memberEntry(room, id));
  }

  /** Gone from Redis (a restart without its data). */
  drop(room: string, id: string): void {
    this.rooms.get(room)?.delete(id);
  }

  ids(room: string): string[] {
    return [...(this.rooms.get(room)?.keys() ?? [])];
  }

  async nodes(): Promise<string[]> {
    return [...this.nodeSets].filter(([, set]) => set.size > 0).map(([node]) => node);
  }

  async purgeNode(node: string): Promise<{ done: boolean; purged: Purged }> {
    if (this.alive.has(node)) return { done: true, purged: [] };
    const set = this.nodeSets.get(node) ?? new Set<string>();
    const purged: Purged = [];
    for (const entry of [...set].slice(0, this.purgeBatch)) {
      set.delete(entry);
      const { room, id } = parseMemberEntry(entry);
      if (this.rooms.get(room)?.get(id)?.node !== node) continue;
      this.rooms.get(room)!.delete(id);
      purged.push({ id, others: [...this.rooms.get(room)!.values()] });
    }
    return { done: set.size === 0, purged };
  }

  async *ownEntries(): AsyncIterable<readonly string[]> {
    const entries = [...(this.nodeSets.get(SELF) ?? [])];
    for (let i = 0; i < entries.length; i += this.pageSize) yield entries.slice(i, i + this.pageSize);
  }

  async record(room: string, id: string): Promise<StoredMember | undefined> {
    this.recordReads++;
    this.onRecord(room, id);
    return this.rooms.get(room)?.get(id);
  }

  async removeStale(room: string, id: string, socketId: string): Promise<Member[] | null> {
    this.staleRemovals++;
    const record = this.rooms.get(room)?.get(id);
    if (!record || record.node !== SELF || record.socketId !== socketId) return null;
    this.rooms.get(room)!.delete(id);
    this.nodeSets.get(SELF)?.delete(memberEntry(room, id));
    return [...this.rooms.get(room)!.values()];
  }
}

/** A logger that keeps what it was told. */
function log() {
  const lines: { fields: object; msg: string }[] = [];
  const write = (fields: object, msg: string) => void lines.push({ fields, msg });
  return { info: write, warn: write, lines } as unknown as { info: () => void; warn: () => void; lines: typeof lines };
}

/** The purges reported, flattened to [id, ids of the others] pairs. */
function recorder() {
  const seen: [string, string[]][] = [];
  return { seen, onPurge: (purged: Purged) => purged.forEach(({ id, others }) => seen.push([id, others.map((m) => m.id)])) };
}

/** A local member record as the store keeps it on admission. */
function admitLocally(local: LocalMembers, redis: FakeRedis, room: string, id: string, away = false): void {
  redis.add(room, id, SELF);
  local.members.set(memberEntry(room, id), { socketId: `s-${id}`, away });
}

describe('sweepDeadNodes', () => {
  it('removes the members of a node whose heartbeat expired, telling the members left in each room', async () => {
    const redis = new FakeRedis();
    redis.add('r', 'a', SELF);
    redis.add('r', 'b', 'dead');
    const { seen, onPurge } = recorder();
    assert.equal(await sweepDeadNodes(redis, onPurge, log()), 1);
    assert.deepEqual(seen, [['b', ['a']]]);
    assert.deepEqual(redis.ids('r'), ['a']);
  });

  it('leaves the members of nodes that are alive alone', async () => {
    const redis = new FakeRedis();
    redis.alive.add('other');
    redis.add('r', 'a', 'other');
    assert.equal(await sweepDeadNodes(redis, () => assert.fail('nobody is purged'), log()), 0);
    assert.deepEqual(redis.ids('r'), ['a']);
  });

  it('never sweeps its own node, even when its heartbeat is missing', async () => {
    const redis = new FakeRedis();
    redis.alive.delete(SELF);
    redis.add('r', 'a', SELF);
    assert.equal(await sweepDeadNodes(redis, () => assert.fail('nobody is purged'), log()), 0);
    assert.deepEqual(redis.ids('r'), ['a']);
  });

  it('empties a dead node batch by batch, reporting each batch as it goes', async () => {
    const redis = new FakeRedis();
    for (let i = 0; i < 5; i++) redis.add(`r${i}`, `m${i}`, 'dead');
    const batches: number[] = [];
    assert.equal(await sweepDeadNodes(redis, (purged) => batches.push(purged.length), log()), 5);
    assert.deepEqual(batches, [2, 2, 1]);
    assert.deepEqual(await redis.nodes(), []);
  });

  it('counts the members removed from every dead node and logs each node once', async () => {
    const redis = new FakeRedis();
    redis.add('r', 'a', 'dead1');
    redis.add('r', 'b', 'dead2');
    redis.add('q', 'c', 'dead2');
    const logger = log();
    assert.equal(await sweepDeadNodes(redis, () => {}, logger), 3);
    assert.deepEqual(
      logger.lines.map(({ fields }) => fields),
      [
        { node: 'dead1', members: 1 },
        { node: 'dead2', members: 2 },
      ],
    );
  });
});

describe('removeOwnStale', () => {
  it('removes a member of this node whose socket is gone, and tells the others', async () => {
    const redis = new FakeRedis();
    const local = new LocalMembers();
    admitLocally(local, redis, 'r', 'a');
    admitLocally(local, redis, 'r', 'b');
    const { seen, onPurge } = recorder();
    const connected = new Set(['s-a']);
    assert.equal(await removeOwnStale(redis, local, (s) => connected.has(s), onPurge, log()), 1);
    assert.deepEqual(seen, [['b', ['a']]]);
    assert.equal(local.members.has(memberEntry('r', 'b')), false);
  });

  it('keeps members whose socket is connected here', async () => {
    const redis = new FakeRedis();
    const local = new LocalMembers();
    admitLocally(local, redis, 'r', 'a');
    assert.equal(
      await removeOwnStale(
        redis,
        local,
        () => true,
        () => assert.fail('nobody is removed'),
        log(),
      ),
      0,
    );
    assert.deepEqual(redis.ids('r'), ['a']);
  });

  it('keeps a member that is away in its grace period, though its socket is gone', async () => {
    const redis = new FakeRedis();
    const local = new LocalMembers();
    admitLocally(local, redis, 'r', 'a', true);
    assert.equal(
      await removeOwnStale(
        redis,
        local,
        () => false,
        () => assert.fail('nobody is removed'),
        log(),
      ),
      0,
    );
    assert.deepEqual(redis.ids('r'), ['a']);
  });

  it('removes a member whose leave failed, though its socket is still connected', async () => {
    const redis = new FakeRedis();
    const local = new LocalMembers();
    admitLocally(local, redis, 'r', 'a');
    local.members.delete(memberEntry('r', 'a')); // remove() forgets it before asking Redis
    local.failedLeaves.add(memberEntry('r', 'a'));
    assert.equal(
      await removeOwnStale(
        redis,
        local,
        () => true,
        () => {},
        log(),
      ),
      1,
    );
    assert.deepEqual(redis.ids('r'), []);
    assert.equal(local.failedLeaves.size, 0);
  });

  it('forgets a failed leave that went through after all, telling nobody', async () => {
    const redis = new FakeRedis();
    const local = new LocalMembers();
    local.failedLeaves.add(memberEntry('r', 'a'));
    assert.equal(
      await removeOwnStale(
        redis,
        local,
        () => true,
        () => assert.fail('nobody is told'),
        log(),
      ),
      0,
    );
    assert.equal(local.failedLeaves.size, 0);
  });

  it('leaves a member that resumed on another node to that node', async () => {
    const redis = new FakeRedis();
    const local = new LocalMembers();
    admitLocally(local, redis, 'r', 'a');
    redis.add('r', 'a', 'other', 's-elsewhere');
    redis.nodeSets.get(SELF)!.add(memberEntry('r', 'a')); // this node's set has not caught up
    assert.equal(
      await removeOwnStale(
        redis,
        local,
        () => false,
        () => assert.fail('nobody is removed'),
        log(),
      ),
      0,
    );
    assert.equal(redis.staleRemovals, 0, 'not even tried');
    assert.equal(redis.rooms.get('r')!.get('a')!.node, 'other');
  });

  it('does not remove a member whose socket connected between the read and the removal', async () => {
    const redis = new FakeRedis();
    const local = new LocalMembers();
    admitLocally(local, redis, 'r', 'a');
    const connected = new Set<string>();
    redis.onRecord = () => connected.add('s-a');
    assert.equal(
      await removeOwnStale(
        redis,
        local,
        (s) => connected.has(s),
        () => {},
        log(),
      ),
      0,
    );
    assert.equal(redis.staleRemovals, 0, 'not even tried');
    assert.deepEqual(redis.ids('r'), ['a']);
  });

  it('removes records of this node it has no local memory of, when their socket is not here', async () => {
    const redis = new FakeRedis();
    redis.add('r', 'a', SELF);
    assert.equal(
      await removeOwnStale(
        redis,
        new LocalMembers(),
        () => false,
        () => {},
        log(),
      ),
      1,
    );
    assert.deepEqual(redis.ids('r'), []);
  });

  it('reads every page of this node’s member set', async () => {
    const redis = new FakeRedis();
    const local = new LocalMembers();
    for (let i = 0; i < 7; i++) admitLocally(local, redis, 'r', `m${i}`);
    assert.equal(
      await removeOwnStale(
        redis,
        local,
        () => false,
        () => {},
        log(),
      ),
      7,
    );
  });
});

describe('recheckOwn', () => {
  const setup = () => {
    const redis = new FakeRedis();
    const local = new LocalMembers();
    const disconnected: string[] = [];
    const links = { isLocal: () => true, disconnect: (socketId: string) => void disconnected.push(socketId) };
    return { redis, local, disconnected, links };
  };

  it('disconnects a connected member whose record vanished, so that it joins again, and forgets it', async () => {
    const { redis, local, disconnected, links } = setup();
    admitLocally(local, redis, 'r', 'a');
    redis.drop('r', 'a');
    assert.equal(await recheckOwn(redis, local, links, log()), 1);
    assert.deepEqual(disconnected, ['s-a']);
    assert.equal(local.members.size, 0);
  });

  it('keeps a member whose record is still this node’s, on its socket', async () => {
    const { redis, local, disconnected, links } = setup();
    admitLocally(local, redis, 'r', 'a');
    assert.equal(await recheckOwn(redis, local, links, log()), 0);
    assert.deepEqual(disconnected, []);
    assert.equal(local.members.size, 1);
  });

  it('forgets, without disconnecting, a member that resumed on another node', async () => {
    const { redis, local, disconnected, links } = setup();
    admitLocally(local, redis, 'r', 'a');
    redis.add('r', 'a', 'other', 's-elsewhere');
    assert.equal(await recheckOwn(redis, local, links, log()), 0);
    assert.deepEqual(disconnected, []);
    assert.equal(local.members.size, 0);
  });

  it('forgets, without disconnecting, a member whose record names another socket', async () => {
    const { redis, local, disconnected, links } = setup();
    admitLocally(local, redis, 'r', 'a');
    redis.add('r', 'a', SELF, 's-newer');
    await recheckOwn(redis, local, links, log());
    assert.deepEqual(disconnected, []);
    assert.equal(local.members.size, 0);
  });

  it('does not disconnect an away member (it has no live socket); it joins again by itself', async () => {
    const { redis, local, disconnected, links } = setup();
    admitLocally(local, redis, 'r', 'a', true);
    redis.drop('r', 'a');
    assert.equal(await recheckOwn(redis, local, links, log()), 0);
    assert.deepEqual(disconnected, []);
  });

  it('does not disconnect a socket that is not connected to this node', async () => {
    const { redis, local, disconnected, links } = setup();
    admitLocally(local, redis, 'r', 'a');
    redis.drop('r', 'a');
    await recheckOwn(redis, local, { ...links, isLocal: () => false }, log());
    assert.deepEqual(disconnected, []);
  });

  it('keeps a member admitted again while its record was being read', async () => {
    const { redis, local, disconnected, links } = setup();
    admitLocally(local, redis, 'r', 'a');
    redis.drop('r', 'a');
    redis.onRecord = () => local.members.set(memberEntry('r', 'a'), { socketId: 's-a2', away: false });
    await recheckOwn(redis, local, links, log());
    assert.deepEqual(disconnected, []);
    assert.equal(local.members.get(memberEntry('r', 'a'))?.socketId, 's-a2');
  });

  it('reads the records in batches: all of a batch at once, then the next', async () => {
    const { redis, local, links } = setup();
    for (let i = 0; i < RECHECK_BATCH + 10; i++) admitLocally(local, redis, 'r', `m${i}`);
    const readsPerTurn: number[] = [];
    redis.onRecord = () => {
      if (redis.recordReads === 1 || redis.recordReads === RECHECK_BATCH + 1) queueMicrotask(() => readsPerTurn.push(redis.recordReads));
    };
    await recheckOwn(redis, local, links, log());
    assert.deepEqual(readsPerTurn, [RECHECK_BATCH, RECHECK_BATCH + 10]);
  });

  it('logs how many it disconnected, and nothing when there were none', async () => {
    const { redis, local, links } = setup();
    admitLocally(local, redis, 'r', 'a');
    admitLocally(local, redis, 'r', 'b');
    const quiet = log();
    await recheckOwn(redis, local, links, quiet);
    assert.deepEqual(quiet.lines, []);
    redis.drop('r', 'a');
    redis.drop('r', 'b');
    const loud = log();
    await recheckOwn(redis, local, links, loud);
    assert.deepEqual(
      loud.lines.map(({ fields }) => fields),
      [{ members: 2 }],
    );
  });
});

describe('LocalMembers.live', () => {
  it('counts a member on a connected socket, or away on its own socket, as live', () => {
    const local = new LocalMembers();
    local.members.set('r\na', { socketId: 's1', away: true });
    assert.equal(
      local.live('r\na', 's1', () => false),
      true,
    );
    assert.equal(
      local.live('r\na', 's2', () => false),
      false,
    );
    assert.equal(
      local.live('r\nb', 's3', () => true),
      true,
    );
  });

  it('never counts a member whose leave failed as live', () => {
    const local = new LocalMembers();
    local.failedLeaves.add('r\na');
    assert.equal(
      local.live('r\na', 's1', () => true),
      false,
    );
  });
});

describe('singleFlight', () => {
  it('gives a call made while one runs the running one’s result, without running again', async () => {
    let runs = 0;
    let finish!: (n: number) => void;
    const once = singleFlight(() => {
      runs++;
      return new Promise<number>((resolve) => (finish = resolve));
    });
    const first = once();
    const second = once();
    finish(42);
    assert.deepEqual(await Promise.all([first, second]), [42, 42]);
    assert.equal(runs, 1);
  });

  it('runs again once the previous run has finished, or failed', async () => {
    let runs = 0;
    const flaky = singleFlight(async () => {
      runs++;
      if (runs === 1) throw new Error('first run fails');
      return runs;
    });
    await assert.rejects(flaky(), /first run fails/);
    assert.equal(await flaky(), 2);
    assert.equal(await flaky(), 3);
  });
});
