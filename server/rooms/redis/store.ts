// Room membership shared by several server nodes through Redis (key layout: keys.ts). Every change
// is one Lua script (scripts.ts), so admission is atomic across nodes. Each node heartbeats
// (liveness.ts); the members of dead nodes are swept, and this node's own records are reconciled
// after Redis failed or restarted (reconcile.ts). Connected by connect.ts, which app.ts loads with
// a dynamic import only when a Redis URL is given.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RedisClientType } from 'redis';
import { SignalingError } from '../../errors.js';
import type { MediaState } from '../../../protocol/index.js';
import {
  peerInfo,
  type Admission,
  type AdmitOptions,
  type Member,
  type Purged,
  type RoomStore,
  type StoreHealth,
  type StoreStats,
} from '../store.js';
import { memberEntry, parseRecord, parseRecords, redisKeys, type RedisKeys, type StoredMember } from './keys.js';
import { Liveness } from './liveness.js';
import { LocalMembers, recheckOwn, removeOwnStale, singleFlight, sweepDeadNodes, type ReconcileRedis } from './reconcile.js';
import type { RoomScripts } from './scripts.js';

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

export const DEFAULT_SWEEP_MS = 2_000;

/** A command client with the room scripts registered (see connect.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- node-redis' own spelling of "no modules"
export type RoomsClient = RedisClientType<{}, {}, RoomScripts, 3, {}>;

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

/** Membership in Redis. */
export class RedisRooms implements RoomStore {
  /** This node's id: member records carry it, and its heartbeat key is named after it. */
  readonly node = randomUUID();
  readonly #client: RoomsClient;
  readonly #keys: RedisKeys;
  readonly #logger: Logger;
  readonly #relay: readonly { readonly isReady: boolean }[];
  readonly #isLocal: ((socketId: string) => boolean) | undefined;
  readonly #local = new LocalMembers();
  readonly #liveness: Liveness;
  /** What reconcile.ts reads and changes, over this client. */
  readonly #redis: ReconcileRedis;
  readonly #reconcile: () => Promise<number>;
  #sweepTimer: NodeJS.Timeout | undefined;
  #onPurge: (purged: Purged) => void = () => {};

  constructor(client: RoomsClient, options: RedisOptions, logger: Logger, links: RedisRoomsLinks = {}) {
    this.#client = client;
    this.#keys = redisKeys(options.keyPrefix);
    this.#logger = logger;
    this.#relay = links.relay ?? [];
    this.#isLocal = links.isLocal;
    const keys = this.#keys;
    this.#redis = {
      node: this.node,
      nodes: () => this.#run(() => client.sMembers(keys.nodes)),
      purgeNode: (node) => this.#run(() => client.nodePurge(keys, node)),
      ownEntries: () => this.#ownEntries(),
      record: (room, id) => this.#record(room, id),
      removeStale: (room, id, socketId) => this.#run(() => client.roomRemoveStale(keys, room, id, socketId, this.node)),
    };
    const isLocal = links.isLocal;
    this.#reconcile = singleFlight(() => removeOwnStale(this.#redis, this.#local, isLocal!, (purged) => this.#onPurge(purged), logger));
    const recheck = singleFlight(() => recheckOwn(this.#redis, this.#local, links, logger));
    this.#liveness = new Liveness({
      nodeTtlMs: options.nodeTtlMs,
      beat: () => this.#run(() => client.nodeHeartbeat(keys, this.node, this.#liveness.nodeTtlMs)),
      recheck,
    });
  }

  /** Writes the first heartbeat and starts heartbeating and sweeping for dead nodes. */
  async start(sweepMs: number = DEFAULT_SWEEP_MS): Promise<void> {
    const liveness = this.#liveness;
    await liveness.beat();
    liveness.settle();
    liveness.start();
    this.#sweepTimer = setInterval(() => {
      void this.sweep().catch((error: unknown) => this.#logger.warn({ err: error }, 'redis: sweep failed'));
      void this.reconcile().catch((error: unknown) => this.#logger.warn({ err: error }, 'redis: reconcile failed'));
    }, sweepMs).unref();
    this.#client.on('error', () => liveness.down());
    this.#client.on('end', () => liveness.down());
    // Back after an outage: say at once that this node is alive, before others sweep it; then
    // remove what could not be removed meanwhile.
    this.#client.on('ready', () => {
      liveness.up();
      void liveness
        .beat()
        .catch(() => {})
        .then(() => this.reconcile())
        .catch((error: unknown) => this.#logger.warn({ err: error }, 'redis: reconcile failed'));
    });
  }

  /** Stops heartbeating and sweeping. The heartbeat key is left to expire, so members can resume elsewhere meanwhile. */
  stop(): void {
    this.#liveness.stop();
    clearInterval(this.#sweepTimer);
  }

  /** The command client and the adapter's publish and subscribe clients are all connected. */
  get ready(): boolean {
    return this.#client.isReady && this.#relay.every((c) => c.isReady);
  }

  /** Whether this node may take a missing heartbeat for a dead node (see `Liveness.settled`). */
  get settled(): boolean {
    return this.#liveness.settled;
  }

  health(): StoreHealth {
    return { ok: this.ready, node: this.node };
  }

  /** Called with the members of dead nodes that a sweep or an admission removed. */
  onPurge(listener: (purged: Purged) => void): void {
    this.#onPurge = listener;
  }

  /**
   * Removes the members of every node whose heartbeat has expired; resolves with how many. Does
   * nothing until this node is settled (back from an outage, the others may not have written
   * their heartbeat yet).
   */
  async sweep(): Promise<number> {
    if (!this.#liveness.settled) return 0;
    return sweepDeadNodes(this.#redis, (purged) => this.#onPurge(purged), this.#logger);
  }

  /** Removes this node's members whose socket is gone (see `removeOwnStale`); resolves with how many. */
  reconcile(): Promise<number> {
    if (!this.#isLocal || !this.#client.isReady) return Promise.resolve(0);
    return this.#reconcile();
  }

  async admit(room: string, member: Member, capacity: number, options: AdmitOptions = {}): Promise<Admission> {
    const entry = memberEntry(room, member.id);
    this.#local.failedLeaves.delete(entry);
    const purge = this.#liveness.settled;
    const reply = await this.#run(() => this.#client.roomAdmit(this.#keys, room, member, this.node, capacity, purge, options), true);
    if (reply.ok) this.#local.members.set(entry, { socketId: member.socketId, away: false });
    const purged = reply.purged.length ? { purged: reply.purged.map((id) => ({ id, others: reply.others })) } : {};
    if (!reply.ok) return { ok: false, capacity: reply.capacity, ...purged, ...(reply.taken ? { taken: true as const } : {}) };
    const released = reply.released ?? [];
    for (const m of released) {
      const gone = memberEntry(room, m.id);
      if (this.#local.members.get(gone)?.socketId === m.socketId) this.#local.members.delete(gone);
    }
    return {
      ok: true,
      capacity: reply.capacity,
      peers: reply.others.map(peerInfo),
      ...(reply.previousSocketId ? { previousSocketId: reply.previousSocketId } : {}),
      ...purged,
      ...(released.length ? { released: released.map((m) => ({ member: m, others: reply.others })) } : {}),
    };
  }

  async remove(room: string, id: string, socketId = ''): Promise<Member[]> {
    const entry = memberEntry(room, id);
    const local = this.#local.members.get(entry);
    if (local && (!socketId || local.socketId === socketId)) this.#local.members.delete(entry);
    try {
      return await this.#run(() => this.#client.roomRemove(this.#keys, room, id, socketId));
    } catch (error) {
      // A removal with a socket is of a socket that is gone: reconcile() finds it by its socket.
      // A leave's socket may still be connected: remember it.
      if (!socketId) this.#local.failedLeaves.add(entry);
      throw error;
    }
  }

  get(room: string, id: string): Promise<Member | undefined> {
    return this.#record(room, id);
  }

  async members(room: string): Promise<Member[]> {
    return parseRecords(await this.#run(() => this.#client.hVals(this.#keys.members(room))));
  }

  setMedia(room: string, id: string, media: MediaState): Promise<Member[]> {
    return this.#run(() => this.#client.roomSetMedia(this.#keys, room, id, media));
  }

  async markAway(room: string, id: string, socketId: string): Promise<boolean> {
    const entry = memberEntry(room, id);
    const local = this.#local.members.get(entry);
    // Away from now on, even if Redis cannot hear it: the grace timer runs either way.
    if (local?.socketId === socketId) local.away = true;
    const marked = await this.#run(() => this.#client.roomMarkAway(this.#keys, room, id, socketId));
    if (!marked && this.#local.members.get(entry)?.socketId === socketId) this.#local.members.delete(entry); // back elsewhere, or gone
    return marked;
  }

  async stats(): Promise<StoreStats> {
    const entries = await this.#run(() => this.#client.sMembers(this.#keys.nodeMembers(this.node)));
    return { rooms: new Set(entries.map((entry) => entry.slice(0, entry.indexOf('\n')))).size, peers: entries.length };
  }

  async #record(room: string, id: string): Promise<StoredMember | undefined> {
    const raw = await this.#run(() => this.#client.hGet(this.#keys.members(room), id));
    return raw ? parseRecord(raw) : undefined;
  }

  async *#ownEntries(): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const reply = await this.#run(() => this.#client.sScan(this.#keys.nodeMembers(this.node), cursor, { COUNT: 500 }));
      cursor = String(reply.cursor);
      yield reply.members;
    } while (cursor !== '0');
  }

  /**
   * Any Redis failure (down, timed out) is `unavailable`: nothing was admitted; try again.
   * `needsRelay` (admissions): the adapter's clients must be connected too, or the new member
   * could not hear from members on other nodes.
   */
  async #run<T>(command: () => Promise<T>, needsRelay = false): Promise<T> {
    if (!this.#client.isReady) throw new SignalingError('unavailable', 'Room state is unavailable (Redis is unreachable); try again');
    if (needsRelay && !this.ready)
      throw new SignalingError('unavailable', 'Signals cannot reach the other nodes (Redis pub/sub is unreachable); try again');
    try {
      return await command();
    } catch (error) {
      this.#logger.warn({ err: error }, 'redis: command failed');
      throw new SignalingError('unavailable', 'Room state is unavailable (Redis failed); try again', { cause: error });
    }
  }
}
