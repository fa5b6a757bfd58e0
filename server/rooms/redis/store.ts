// Room membership shared by several server nodes through Redis, and Socket.IO's Redis adapter so
// that `io.to(socketId).emit(...)` reaches a socket on any node. Loaded by app.ts with a dynamic
// import only when a Redis URL is given: without one, nothing here (nor `redis`) is loaded.
//
// Keys (prefix `rtc:` by default; `{room}` is a hash tag that keeps one room's keys together):
//   rtc:room:{R}:members   hash  member id → JSON { id, name, socketId, node, seq, away }
//   rtc:room:{R}:capacity  the room's capacity, set by its first member, deleted with the last
//   rtc:seq                join order counter
//   rtc:node:N             a node's heartbeat: expires `nodeTtlMs` after the node last wrote it
//   rtc:node:N:members     set of "room\nid" of the members on node N
//   rtc:nodes              set of node ids that have members
// Every change is one Lua script, so it is atomic across nodes.
import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { createClient, type RedisClientType } from 'redis';
import { SignalingError } from '../../errors.js';
import type { MediaState } from '../../../protocol/index.js';
import { peerInfo, type Admission, type Member, type RoomStore } from '../store.js';

export interface RedisOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` */
  url: string;
  /** Put before every key and pub/sub channel, so that several deployments can share a Redis. @default 'rtc:' */
  keyPrefix?: string;
  /**
   * A node is dead once its heartbeat is this old; its members are then removed (and the others
   * hear `peer-left`) by the next sweep of any other node, or by the next join into their room;
   * but a node back from an outage of Redis removes nobody until it has been connected this long
   * (the others need that time to write their heartbeat again).
   * @default 8000
   */
  nodeTtlMs?: number;
  /** How often each node looks for dead nodes. @default 2000 */
  sweepMs?: number;
  /** Bound on one Redis command before a join fails with `unavailable`. @default 2000 */
  commandTimeoutMs?: number;
  /** Bound on the first connection when the server starts. @default 5000 */
  connectTimeoutMs?: number;
}

export const DEFAULT_NODE_TTL_MS = 8_000;
export const DEFAULT_SWEEP_MS = 2_000;

type Purged = NonNullable<Admission['purged']>;

interface StoredMember extends Member {
  node: string;
  seq: number;
}

// Lua scripts (String.raw: the `\n` separators are Lua escapes, not JavaScript ones).

/**
 * KEYS: members, capacity. ARGV: prefix, room, id, name, socketId, node, capacity, record JSON,
 * purge ('1': members of nodes without a heartbeat are removed; else they count as present).
 */
const ADMIT = String.raw`
local prefix, room, id, node, purge = ARGV[1], ARGV[2], ARGV[3], ARGV[6], ARGV[9] == '1'
local all = redis.call('HGETALL', KEYS[1])
local alive, others, purged, previous = {}, {}, {}, nil
for i = 1, #all, 2 do
  local m = cjson.decode(all[i + 1])
  if m.id == id then
    previous = m
  else
    if alive[m.node] == nil then alive[m.node] = not purge or redis.call('EXISTS', prefix .. 'node:' .. m.node) == 1 end
    if alive[m.node] then
      table.insert(others, all[i + 1])
    else
      redis.call('HDEL', KEYS[1], m.id)
      redis.call('SREM', prefix .. 'node:' .. m.node .. ':members', room .. '\n' .. m.id)
      table.insert(purged, cjson.encode(m.id))
    end
  end
end
local capacity = tonumber(redis.call('GET', KEYS[2]))
if capacity == nil or (#others == 0 and previous == nil) then
  capacity = tonumber(ARGV[7])
  redis.call('SET', KEYS[2], capacity)
end
local othersJson = '[' .. table.concat(others, ',') .. ']'
local purgedJson = '[' .. table.concat(purged, ',') .. ']'
if previous == nil and #others >= capacity then return {0, capacity, '', othersJson, purgedJson} end
local seq = previous and previous.seq or redis.call('INCR', prefix .. 'seq')
if previous and previous.node ~= node then
  redis.call('SREM', prefix .. 'node:' .. previous.node .. ':members', room .. '\n' .. id)
end
local record = cjson.decode(ARGV[8])
record.id = id
record.name = ARGV[4]
record.socketId = ARGV[5]
record.node = node
record.seq = seq
record.away = false
redis.call('HSET', KEYS[1], id, cjson.encode(record))
redis.call('SADD', prefix .. 'node:' .. node .. ':members', room .. '\n' .. id)
redis.call('SADD', prefix .. 'nodes', node)
return {1, capacity, previous and previous.socketId or '', othersJson, purgedJson}
`;

/** KEYS: members, capacity. ARGV: prefix, room, id, socketId ('' = whichever). Returns the members left, as JSON. */
const REMOVE = String.raw`
local raw = redis.call('HGET', KEYS[1], ARGV[3])
if not raw then return '[]' end
local m = cjson.decode(raw)
if ARGV[4] ~= '' and m.socketId ~= ARGV[4] then return '[]' end
redis.call('HDEL', KEYS[1], ARGV[3])
redis.call('SREM', ARGV[1] .. 'node:' .. m.node .. ':members', ARGV[2] .. '\n' .. ARGV[3])
local rest = redis.call('HVALS', KEYS[1])
if #rest == 0 then redis.call('DEL', KEYS[2]) end
return '[' .. table.concat(rest, ',') .. ']'
`;

/** KEYS: members. ARGV: id, socketId. */
const MARK_AWAY = String.raw`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local m = cjson.decode(raw)
if m.socketId ~= ARGV[2] then return 0 end
m.away = true
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(m))
return 1
`;

/** KEYS: members. ARGV: id, media state as JSON. Returns the other members, as JSON. */
const SET_MEDIA = String.raw`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return '[]' end
local m = cjson.decode(raw)
m.media = cjson.decode(ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(m))
local others = {}
for _, value in ipairs(redis.call('HVALS', KEYS[1])) do
  if cjson.decode(value).id ~= ARGV[1] then table.insert(others, value) end
end
return '[' .. table.concat(others, ',') .. ']'
`;

/**
 * KEYS: members, capacity. ARGV: prefix, room, id, socketId, node. Removes the member only while
 * it is still this node's, on that socket. Returns {1, JSON of the members left} or {0}.
 */
const REMOVE_STALE = String.raw`
local raw = redis.call('HGET', KEYS[1], ARGV[3])
if not raw then return {0} end
local m = cjson.decode(raw)
if m.socketId ~= ARGV[4] or m.node ~= ARGV[5] then return {0} end
redis.call('HDEL', KEYS[1], ARGV[3])
redis.call('SREM', ARGV[1] .. 'node:' .. m.node .. ':members', ARGV[2] .. '\n' .. ARGV[3])
local rest = redis.call('HVALS', KEYS[1])
if #rest == 0 then redis.call('DEL', KEYS[2]) end
return {1, '[' .. table.concat(rest, ',') .. ']'}
`;

/**
 * ARGV: prefix, node, batch size. Once the node's heartbeat is gone, takes up to `batch` entries
 * of its member set (SPOP) and removes those members that are still its own (not resumed on
 * another node). Returns done (1: nothing left, or the node is alive), then id, JSON of the
 * members left in its room, id, …. Called again until done, so that Redis is never blocked for
 * long by a node that had thousands of members. Each batch is atomic: of several nodes sweeping
 * at once, each gets different members (and tells the others).
 */
const PURGE_NODE = String.raw`
local prefix, node, batch = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', prefix .. 'node:' .. node) == 1 then return {1} end
local set = prefix .. 'node:' .. node .. ':members'
local out = {0}
for _, entry in ipairs(redis.call('SPOP', set, batch)) do
  local nl = string.find(entry, '\n', 1, true)
  local room, id = string.sub(entry, 1, nl - 1), string.sub(entry, nl + 1)
  local key = prefix .. 'room:{' .. room .. '}:members'
  local raw = redis.call('HGET', key, id)
  if raw and cjson.decode(raw).node == node then
    redis.call('HDEL', key, id)
    local rest = redis.call('HVALS', key)
    if #rest == 0 then redis.call('DEL', prefix .. 'room:{' .. room .. '}:capacity') end
    table.insert(out, id)
    table.insert(out, '[' .. table.concat(rest, ',') .. ']')
  end
end
if redis.call('SCARD', set) == 0 then
  redis.call('SREM', prefix .. 'nodes', node)
  out[1] = 1
end
return out
`;

/** KEYS: the node's heartbeat. ARGV: its expiry in ms. Writes it; returns 1 if it was still there, 0 if not. */
const HEARTBEAT = String.raw`
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return existed
`;

/** Members of a dead node removed per script call. */
export const PURGE_BATCH = 200;

const byJoinOrder = (a: StoredMember, b: StoredMember) => a.seq - b.seq;
const parseMembers = (json: string): StoredMember[] => (JSON.parse(json) as StoredMember[]).sort(byJoinOrder);

type Client = RedisClientType<{}, {}, {}, 3, {}>;

/** What a node knows about a member it admitted: its socket, and whether it is away (in its grace period). */
interface LocalMember {
  socketId: string;
  away: boolean;
}

export interface RedisRoomsLinks {
  /** The adapter's publish and subscribe clients: without them signals do not cross nodes, so the node is not ready. */
  relay?: readonly { readonly isReady: boolean }[];
  /**
   * Whether a socket is connected to this node. With it the node reconciles its own members (on
   * every sweep and when Redis is back): a record that names this node but whose socket is gone
   * and not in its grace period (a removal that failed while Redis was away) is removed.
   */
  isLocal?: (socketId: string) => boolean;
  /**
   * Disconnects a socket of this node (the server side of `socket.disconnect(true)`). Used when
   * this node's member records vanished from Redis (Redis restarted without its data, or another
   * node removed them): the member's client joins again with its resume token, as the same
   * member, through the normal admission (capacity checked, the others told).
   */
  disconnect?: (socketId: string) => void;
}

/** Membership in Redis; see the key layout at the top of this file. */
export class RedisRooms implements RoomStore {
  /** This node's id: member records carry it, and its heartbeat key is named after it. */
  readonly node = randomUUID();
  readonly #client: Client;
  readonly #prefix: string;
  readonly #nodeTtlMs: number;
  readonly #logger: Logger;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #shas = new Map<string, string>();
  readonly #relay: readonly { readonly isReady: boolean }[];
  readonly #isLocal: ((socketId: string) => boolean) | undefined;
  readonly #disconnect: ((socketId: string) => void) | undefined;
  /**
   * Since when this node has been connected to Redis without a failure, or null while it is not.
   * It removes other nodes' members (sweep, admission) only once this is older than the heartbeat
   * TTL: after an outage every node needs that long to write its heartbeat again.
   */
  #connectedSince: number | null = null;
  /** Its heartbeat was found missing: check that its members' records are still there (see #recheck). */
  #recheckPending = false;
  #rechecking: Promise<number> | null = null;
  /** Members this node admitted, by `room\nid`, until it removes them. */
  readonly #local = new Map<string, LocalMember>();
  /** Leaves (removals without a socket) that failed, by `room\nid`: retried by `reconcile()`. */
  readonly #failedLeaves = new Set<string>();
  #reconciling: Promise<number> | null = null;
  #onPurge: (purged: Purged) => void = () => {};

  constructor(client: Client, options: RedisOptions, logger: Logger, links: RedisRoomsLinks = {}) {
    this.#client = client;
    this.#prefix = options.keyPrefix ?? 'rtc:';
    this.#nodeTtlMs = options.nodeTtlMs ?? DEFAULT_NODE_TTL_MS;
    this.#logger = logger;
    this.#relay = links.relay ?? [];
    this.#isLocal = links.isLocal;
    this.#disconnect = links.disconnect;
  }

  /** Writes the first heartbeat and starts heartbeating and sweeping for dead nodes. */
  async start(sweepMs: number): Promise<void> {
    await this.#heartbeat();
    // The first connection counts as settled: the other nodes (if any) were heartbeating meanwhile.
    this.#connectedSince = Date.now() - this.#nodeTtlMs - 1;
    const heartbeatMs = Math.max(50, Math.floor(this.#nodeTtlMs / 3));
    this.#timers.push(
      setInterval(() => void this.#heartbeat().catch(() => {}), heartbeatMs).unref(),
      setInterval(() => {
        void this.sweep().catch((error: unknown) => this.#logger.warn({ err: error }, 'redis: sweep failed'));
        void this.reconcile().catch((error: unknown) => this.#logger.warn({ err: error }, 'redis: reconcile failed'));
      }, sweepMs).unref(),
    );
    this.#client.on('error', () => (this.#connectedSince = null));
    this.#client.on('end', () => (this.#connectedSince = null));
    // Back after an outage: say at once that this node is alive, before others sweep it; then
    // remove what could not be removed meanwhile.
    this.#client.on('ready', () => {
      this.#connectedSince = Date.now();
      void this.#heartbeat()
        .catch(() => {})
        .then(() => this.reconcile())
        .catch((error: unknown) => this.#logger.warn({ err: error }, 'redis: reconcile failed'));
    });
  }

  /** Stops heartbeating. The heartbeat key is left to expire, so members can resume elsewhere meanwhile. */
  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
  }

  /** The command client and the adapter's publish and subscribe clients are all connected. */
  get ready(): boolean {
    return this.#client.isReady && this.#relay.every((c) => c.isReady);
  }

  /** Called with the members of dead nodes that a sweep or an admission removed. */
  onPurge(listener: (purged: Purged) => void): void {
    this.#onPurge = listener;
  }

  /**
   * Whether this node may take a missing heartbeat for a dead node: it has itself been connected
   * to Redis, without a failed command, for longer than the heartbeat TTL.
   */
  get settled(): boolean {
    return this.#connectedSince !== null && Date.now() - this.#connectedSince > this.#nodeTtlMs;
  }

  /**
   * Removes the members of every node whose heartbeat has expired; resolves with how many. Does
   * nothing until this node is `settled` (back from an outage, the others may not have written
   * their heartbeat yet).
   */
  async sweep(): Promise<number> {
    if (!this.settled) return 0;
    let removed = 0;
    for (const node of await this.#client.sMembers(`${this.#prefix}nodes`)) {
      if (node === this.node) continue;
      let done = false;
      let count = 0;
      while (!done) {
        const [finished, ...out] = (await this.#eval(PURGE_NODE, [], [this.#prefix, node, String(PURGE_BATCH)])) as [number, ...string[]];
        done = finished === 1;
        const purged: Purged = [];
        for (let i = 0; i < out.length; i += 2) purged.push({ id: out[i]!, others: parseMembers(out[i + 1]!) });
        if (purged.length) this.#onPurge(purged);
        count += purged.length;
      }
      if (count) this.#logger.info({ node, members: count }, 'redis: removed the members of a dead node');
      removed += count;
    }
    return removed;
  }

  /**
   * Removes this node's members that are gone: their socket is not connected here (`isLocal`) and
   * they are not in their grace period, or they left while Redis was away. Members resumed on
   * another node, or on another socket, are left alone (the removal checks node and socket).
   * The others hear `peer-left` (through `onPurge`). Resolves with how many were removed.
   */
  reconcile(): Promise<number> {
    if (!this.#isLocal || !this.#client.isReady) return Promise.resolve(0);
    this.#reconciling ??= this.#reconcile().finally(() => (this.#reconciling = null));
    return this.#reconciling;
  }

  async #reconcile(): Promise<number> {
    const isLocal = this.#isLocal!;
    const live = (key: string, socketId: string) => {
      if (this.#failedLeaves.has(key)) return false;
      const local = this.#local.get(key);
      return isLocal(socketId) || (local?.socketId === socketId && local.away);
    };
    const suspects = new Set<string>();
    let cursor = '0';
    do {
      const reply = await this.#run(() => this.#client.sScan(`${this.#prefix}node:${this.node}:members`, cursor, { COUNT: 500 }));
      cursor = String(reply.cursor);
      for (const key of reply.members) {
        const local = this.#local.get(key);
        if (!local || !live(key, local.socketId)) suspects.add(key);
      }
    } while (cursor !== '0');
    // A failed leave may have been carried out after all (only its answer was lost): look at each.
    for (const key of this.#failedLeaves) suspects.add(key);
    let removed = 0;
    for (const key of suspects) {
      const nl = key.indexOf('\n');
      const room = key.slice(0, nl);
      const id = key.slice(nl + 1);
      const raw = await this.#run(() => this.#client.hGet(this.#roomKeys(room)[0], id));
      const record = raw ? (JSON.parse(raw) as StoredMember) : undefined;
      if (!record || record.node !== this.node) {
        this.#failedLeaves.delete(key);
        continue;
      }
      // Checked again just before the removal: a join or a drop may have happened meanwhile.
      if (live(key, record.socketId)) continue;
      const [gone, restJson] = (await this.#eval(REMOVE_STALE, this.#roomKeys(room), [this.#prefix, room, id, record.socketId, this.node])) as [number, string?];
      this.#failedLeaves.delete(key);
      if (this.#local.get(key)?.socketId === record.socketId) this.#local.delete(key);
      if (!gone) continue;
      removed++;
      this.#onPurge([{ id, others: parseMembers(restJson!) }]);
    }
    if (removed) this.#logger.info({ members: removed }, 'redis: removed members of this node whose removal had failed');
    return removed;
  }

  async admit(room: string, member: Member, capacity: number): Promise<Admission> {
    const key = `${room}\n${member.id}`;
    this.#failedLeaves.delete(key);
    const [ok, roomCapacity, previousSocketId, othersJson, purgedJson] = (await this.#eval(ADMIT, this.#roomKeys(room), [
      this.#prefix,
      room,
      member.id,
      member.name,
      member.socketId,
      this.node,
      String(capacity),
      // what the others see besides id and name (from the access token)
      JSON.stringify({ ...(member.sub !== undefined ? { sub: member.sub } : {}), ...(member.publish === false ? { publish: false } : {}) }),
      this.settled ? '1' : '0',
    ], true)) as [number, number, string, string, string];
    if (ok) this.#local.set(key, { socketId: member.socketId, away: false });
    const others = parseMembers(othersJson);
    const purgedIds = JSON.parse(purgedJson) as string[];
    const purged = purgedIds.length ? { purged: purgedIds.map((id) => ({ id, others })) } : {};
    if (!ok) return { ok: false, capacity: roomCapacity, ...purged };
    return {
      ok: true,
      capacity: roomCapacity,
      peers: others.map(peerInfo),
      ...(previousSocketId ? { previousSocketId } : {}),
      ...purged,
    };
  }

  async remove(room: string, id: string, socketId = ''): Promise<Member[]> {
    const key = `${room}\n${id}`;
    const local = this.#local.get(key);
    if (local && (!socketId || local.socketId === socketId)) this.#local.delete(key);
    try {
      return parseMembers((await this.#eval(REMOVE, this.#roomKeys(room), [this.#prefix, room, id, socketId])) as string);
    } catch (error) {
      // A removal with a socket is of a socket that is gone: reconcile() finds it by its socket.
      // A leave's socket may still be connected: remember it.
      if (!socketId) this.#failedLeaves.add(key);
      throw error;
    }
  }

  async get(room: string, id: string): Promise<Member | undefined> {
    const raw = await this.#run(() => this.#client.hGet(this.#roomKeys(room)[0], id));
    return raw ? (JSON.parse(raw) as StoredMember) : undefined;
  }

  async members(room: string): Promise<Member[]> {
    const values = await this.#run(() => this.#client.hVals(this.#roomKeys(room)[0]));
    return values.map((raw) => JSON.parse(raw) as StoredMember).sort(byJoinOrder);
  }

  async setMedia(room: string, id: string, media: MediaState): Promise<Member[]> {
    return parseMembers((await this.#eval(SET_MEDIA, [this.#roomKeys(room)[0]], [id, JSON.stringify(media)])) as string);
  }

  async markAway(room: string, id: string, socketId: string): Promise<boolean> {
    const key = `${room}\n${id}`;
    const local = this.#local.get(key);
    // Away from now on, even if Redis cannot hear it: the grace timer runs either way.
    if (local?.socketId === socketId) local.away = true;
    const marked = (await this.#eval(MARK_AWAY, [this.#roomKeys(room)[0]], [id, socketId])) === 1;
    if (!marked && this.#local.get(key)?.socketId === socketId) this.#local.delete(key); // back elsewhere, or gone
    return marked;
  }

  async stats(): Promise<{ rooms: number; peers: number }> {
    const entries = await this.#run(() => this.#client.sMembers(`${this.#prefix}node:${this.node}:members`));
    return { rooms: new Set(entries.map((entry) => entry.slice(0, entry.indexOf('\n')))).size, peers: entries.length };
  }

  #roomKeys(room: string): [string, string] {
    return [`${this.#prefix}room:{${room}}:members`, `${this.#prefix}room:{${room}}:capacity`];
  }

  /**
   * Writes the heartbeat. Found missing (expired during an outage, Redis restarted without its
   * data, or this node was taken for dead): its member records are checked (`#recheck`). A failure
   * means this node is no longer `settled`.
   */
  async #heartbeat(): Promise<void> {
    let existed: boolean;
    try {
      existed = (await this.#eval(HEARTBEAT, [`${this.#prefix}node:${this.node}`], [String(this.#nodeTtlMs)])) === 1;
    } catch (error) {
      this.#connectedSince = null;
      throw error;
    }
    this.#connectedSince ??= Date.now();
    if (!existed) this.#recheckPending = true;
    if (this.#recheckPending) await this.#recheck();
  }

  /**
   * After its heartbeat was missing: each member this node admitted whose record is gone, or names
   * another node or socket (it resumed elsewhere), is forgotten; if its record is gone and its
   * socket is connected here, that socket is disconnected, so that its client joins again (same
   * resume token, same member id) through the normal admission: capacity checked, the others
   * told. Resolves with how many were disconnected; retried on the next heartbeat if Redis failed.
   */
  #recheck(): Promise<number> {
    this.#rechecking ??= this.#doRecheck().finally(() => (this.#rechecking = null));
    return this.#rechecking;
  }

  async #doRecheck(): Promise<number> {
    const entries = [...this.#local];
    let disconnected = 0;
    for (let i = 0; i < entries.length; i += PURGE_BATCH) {
      const batch = entries.slice(i, i + PURGE_BATCH);
      const records = await Promise.all(
        batch.map(([key]) => this.#run(() => this.#client.hGet(this.#roomKeys(key.slice(0, key.indexOf('\n')))[0], key.slice(key.indexOf('\n') + 1)))),
      );
      batch.forEach(([key, local], j) => {
        const raw = records[j];
        const record = raw ? (JSON.parse(raw) as StoredMember) : undefined;
        if (record && record.node === this.node && record.socketId === local.socketId) return;
        // Resumed elsewhere (another node or socket), or gone from Redis.
        if (this.#local.get(key) !== local) return; // admitted again meanwhile
        this.#local.delete(key);
        if (record || local.away || !this.#disconnect || !(this.#isLocal?.(local.socketId) ?? true)) return;
        this.#disconnect(local.socketId);
        disconnected++;
      });
    }
    this.#recheckPending = false;
    if (disconnected) this.#logger.warn({ members: disconnected }, 'redis: the records of members of this node were gone; their sockets were disconnected so that they join again');
    return disconnected;
  }

  /** EVALSHA, loading the script on first use (and again after Redis forgot it). */
  #eval(script: string, keys: string[], args: string[], needsRelay = false): Promise<unknown> {
    return this.#run(async () => {
      let sha = this.#shas.get(script);
      if (sha) {
        try {
          return await this.#client.evalSha(sha, { keys, arguments: args });
        } catch (error) {
          if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
        }
      }
      sha = await this.#client.scriptLoad(script);
      this.#shas.set(script, sha);
      return this.#client.evalSha(sha, { keys, arguments: args });
    }, needsRelay);
  }

  /**
   * Any Redis failure (down, timed out) is `unavailable`: nothing was admitted; try again.
   * `needsRelay` (admissions): the adapter's clients must be connected too, or the new member
   * could not hear from members on other nodes.
   */
  async #run<T>(command: () => Promise<T>, needsRelay = false): Promise<T> {
    if (!this.#client.isReady) throw new SignalingError('unavailable', 'Room state is unavailable (Redis is unreachable); try again');
    if (needsRelay && !this.ready) throw new SignalingError('unavailable', 'Signals cannot reach the other nodes (Redis pub/sub is unreachable); try again');
    try {
      return await command();
    } catch (error) {
      this.#logger.warn({ err: error }, 'redis: command failed');
      throw new SignalingError('unavailable', 'Room state is unavailable (Redis failed); try again', { cause: error });
    }
  }
}

export interface RedisLink {
  readonly rooms: RedisRooms;
  /** For `io.adapter(…)`: Socket.IO's Redis pub/sub adapter on two more connections. */
  readonly adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

/**
 * A client for the adapter whose promises never reject unhandled: the adapter does not catch its
 * `publish`/`unsubscribe` calls, and those still queued when the client is destroyed (Redis away
 * at shutdown) would otherwise be unhandled rejections in the embedding process. Callers that
 * await a result still see its rejection.
 */
function withoutUnhandledRejections(client: Client): unknown {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (result instanceof Promise) result.catch(() => {});
        return result;
      };
    },
  });
}

/** Connects three clients (commands, publish, subscribe) and starts the node's heartbeat. */
export async function connectRedis(options: RedisOptions, logger: Logger, links: Pick<RedisRoomsLinks, 'isLocal' | 'disconnect'> = {}): Promise<RedisLink> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const socket = { connectTimeout: connectTimeoutMs, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) };
  // Commands fail at once while Redis is away (no queue): a join then answers `unavailable`.
  const client = createClient({
    url: options.url,
    socket,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs ?? 2_000 },
  });
  // The adapter publishes without handling rejections: its client queues while Redis is away.
  const pub = createClient({ url: options.url, socket });
  const sub = pub.duplicate();
  let down = false;
  for (const c of [client, pub, sub]) {
    c.on('error', (error: Error) => {
      if (!down) logger.error({ err: error }, 'redis: connection lost; joins answer `unavailable` until it is back');
      down = true;
    });
    c.on('ready', () => {
      if (down) logger.info('redis: connected again');
      down = false;
    });
  }
  const clients = [client, pub, sub];
  // A client that is reconnecting (Redis away) is destroyed: close() would wait for Redis.
  const closeAll = () => Promise.all(clients.map((c) => (c.isReady ? c.close() : c.isOpen ? c.destroy() : undefined)));
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(clients.map((c) => c.connect())),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`could not reach Redis within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  } catch (error) {
    for (const c of clients) if (c.isOpen) c.destroy();
    throw error;
  }
  const rooms = new RedisRooms(client, options, logger, { relay: [pub, sub], ...links });
  await rooms.start(options.sweepMs ?? DEFAULT_SWEEP_MS);
  type AdapterClient = Parameters<typeof createAdapter>[0];
  const adapter = createAdapter(withoutUnhandledRejections(pub) as AdapterClient, withoutUnhandledRejections(sub) as AdapterClient, { key: `${options.keyPrefix ?? 'rtc:'}socket.io` });
  return {
    rooms,
    adapter,
    async close() {
      rooms.stop();
      await closeAll().catch(() => clients.forEach((c) => c.isOpen && c.destroy()));
    },
  };
}
