// Bringing Redis and this node back into agreement, three ways:
//   sweepDeadNodes   other nodes whose heartbeat expired: their members are removed
//   removeOwnStale   this node's members whose socket is gone but whose record is still there
//                    (a removal that failed while Redis was away)
//   recheckOwn       after this node's heartbeat was missing: members whose record vanished
//                    (Redis restarted without its data) are disconnected, so that they join again
// Each works over `ReconcileRedis` (RedisRooms gives it over its client; unit tests, a fake).
import type { Logger } from 'pino';
import type { Member, Purged } from '../store.js';
import { parseMemberEntry, type StoredMember } from './keys.js';

/** What reconciliation reads and changes in Redis. */
export interface ReconcileRedis {
  /** This node's id. */
  readonly node: string;
  /** Ids of the nodes that have members. */
  nodes(): Promise<string[]>;
  /** Removes one batch of a dead node's members; `done`: nothing left, or the node is alive. */
  purgeNode(node: string): Promise<{ done: boolean; purged: Purged }>;
  /** This node's member entries ("room\nid"), page by page. */
  ownEntries(): AsyncIterable<readonly string[]>;
  record(room: string, id: string): Promise<StoredMember | undefined>;
  /** Removes the member only while it is this node's, on `socketId`; the members left, or null if it did not. */
  removeStale(room: string, id: string, socketId: string): Promise<Member[] | null>;
}

export type ReconcileLog = Pick<Logger, 'info' | 'warn'>;

/** What a node knows about a member it admitted: its socket, and whether it is away (in its grace period). */
export interface LocalMember {
  socketId: string;
  away: boolean;
}

/** The members this node admitted, by member entry, until it removes them; and its leaves that failed. */
export class LocalMembers {
  readonly members = new Map<string, LocalMember>();
  /** Leaves (removals without a socket) that failed, by member entry: looked at again by `removeOwnStale`. */
  readonly failedLeaves = new Set<string>();

  /**
   * Whether the member on `socketId` is still there: its socket is connected to this node, or it
   * is away (in its grace period) on that socket; never when its leave failed.
   */
  live(entry: string, socketId: string, isLocal: (socketId: string) => boolean): boolean {
    if (this.failedLeaves.has(entry)) return false;
    const local = this.members.get(entry);
    return isLocal(socketId) || (local?.socketId === socketId && local.away);
  }
}

/** Members of a recheck read from Redis at once. */
export const RECHECK_BATCH = 200;

/**
 * Removes the members of every other node whose heartbeat has expired, batch by batch; each batch
 * goes to `onPurge` (the members left in their rooms hear `peer-left`). Resolves with how many.
 */
export async function sweepDeadNodes(redis: ReconcileRedis, onPurge: (purged: Purged) => void, log: ReconcileLog): Promise<number> {
  let removed = 0;
  for (const node of await redis.nodes()) {
    if (node === redis.node) continue;
    let count = 0;
    for (let done = false; !done;) {
      const batch = await redis.purgeNode(node);
      done = batch.done;
      if (batch.purged.length) onPurge(batch.purged);
      count += batch.purged.length;
    }
    if (count) log.info({ node, members: count }, 'redis: removed the members of a dead node');
    removed += count;
  }
  return removed;
}

/**
 * Removes this node's members that are gone: their socket is not connected here (`isLocal`) and
 * they are not in their grace period, or their leave failed while Redis was away. Members resumed
 * on another node, or on another socket, are left alone (the removal checks node and socket).
 * The others hear `peer-left` through `onPurge`. Resolves with how many were removed.
 */
export async function removeOwnStale(
  redis: ReconcileRedis,
  local: LocalMembers,
  isLocal: (socketId: string) => boolean,
  onPurge: (purged: Purged) => void,
  log: ReconcileLog,
): Promise<number> {
  const suspects = new Set<string>();
  for await (const page of redis.ownEntries()) {
    for (const entry of page) {
      const known = local.members.get(entry);
      if (!known || !local.live(entry, known.socketId, isLocal)) suspects.add(entry);
    }
  }
  // A failed leave may have been carried out after all (only its answer was lost): look at each.
  for (const entry of local.failedLeaves) suspects.add(entry);
  let removed = 0;
  for (const entry of suspects) {
    const { room, id } = parseMemberEntry(entry);
    const record = await redis.record(room, id);
    if (!record || record.node !== redis.node) {
      local.failedLeaves.delete(entry);
      continue;
    }
    // Checked again just before the removal: a join or a drop may have happened meanwhile.
    if (local.live(entry, record.socketId, isLocal)) continue;
    const rest = await redis.removeStale(room, id, record.socketId);
    local.failedLeaves.delete(entry);
    if (local.members.get(entry)?.socketId === record.socketId) local.members.delete(entry);
    if (!rest) continue;
    removed++;
    onPurge([{ id, others: rest }]);
  }
  if (removed) log.info({ members: removed }, 'redis: removed members of this node whose removal had failed');
  return removed;
}

export interface RecheckLinks {
  /** Whether a socket is connected to this node. @default every socket is */
  isLocal?: (socketId: string) => boolean;
  /** Disconnects a socket of this node; without it nobody is disconnected. */
  disconnect?: (socketId: string) => void;
}

/**
 * After this node's heartbeat was missing: each member it admitted whose record is gone, or names
 * another node or socket (it resumed elsewhere), is forgotten; if its record is gone and its
 * socket is connected here, that socket is disconnected, so that its client joins again (same
 * resume token, same member id) through the normal admission: capacity checked, the others told.
 * Resolves with how many were disconnected.
 */
export async function recheckOwn(redis: ReconcileRedis, local: LocalMembers, links: RecheckLinks, log: ReconcileLog): Promise<number> {
  const entries = [...local.members];
  let disconnected = 0;
  for (let i = 0; i < entries.length; i += RECHECK_BATCH) {
    const batch = entries.slice(i, i + RECHECK_BATCH);
    const records = await Promise.all(
      batch.map(([entry]) => {
        const { room, id } = parseMemberEntry(entry);
        return redis.record(room, id);
      }),
    );
    batch.forEach(([entry, known], j) => {
      const record = records[j];
      if (record && record.node === redis.node && record.socketId === known.socketId) return;
      // Resumed elsewhere (another node or socket), or gone from Redis.
      if (local.members.get(entry) !== known) return; // admitted again meanwhile
      local.members.delete(entry);
      if (record || known.away || !links.disconnect || !(links.isLocal?.(known.socketId) ?? true)) return;
      links.disconnect(known.socketId);
      disconnected++;
    });
  }
  if (disconnected) {
    log.warn(
      { members: disconnected },
      'redis: the records of members of this node were gone; their sockets were disconnected so that they join again',
    );
  }
  return disconnected;
}

/** `fn` one call at a time: a call while one runs gets the running one's result. */
export function singleFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => (running ??= fn().finally(() => (running = null)));
}
