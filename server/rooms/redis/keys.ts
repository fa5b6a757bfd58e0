// Redis key names, in one place, and the member records they hold. With the prefix `rtc:` (the default; several deployments can
// share a Redis with different prefixes), and `{R}` a hash tag that keeps one room's keys together:
//   rtc:room:{R}:members   hash  member id → JSON { id, name, socketId, node, seq, away, … }
//   rtc:room:{R}:capacity  the room's capacity, set by its first member, deleted with the last
//   rtc:seq                join order counter
//   rtc:node:N             a node's heartbeat: expires `nodeTtlMs` after the node last wrote it
//   rtc:node:N:members     set of member entries ("room\nid") of the members on node N
//   rtc:nodes              set of node ids that have members
//   rtc:socket.io          Socket.IO's Redis adapter channels
// The Lua scripts (scripts.ts) build the same names from the prefix for keys they find inside
// Redis (another node's heartbeat, a dead node's rooms); a unit test holds the two together.

import type { Member } from '../store.js';

export const DEFAULT_KEY_PREFIX = 'rtc:';

export interface RedisKeys {
  readonly prefix: string;
  /** The hash of a room's members. */
  members(room: string): string;
  /** A room's capacity. */
  capacity(room: string): string;
  readonly seq: string;
  /** A node's heartbeat. */
  heartbeat(node: string): string;
  /** The set of a node's member entries (see `memberEntry`). */
  nodeMembers(node: string): string;
  /** The set of nodes that have members. */
  readonly nodes: string;
  /** The adapter's channel prefix. */
  readonly adapter: string;
}

export function redisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  return {
    prefix,
    members: (room) => `${prefix}room:{${room}}:members`,
    capacity: (room) => `${prefix}room:{${room}}:capacity`,
    seq: `${prefix}seq`,
    heartbeat: (node) => `${prefix}node:${node}`,
    nodeMembers: (node) => `${prefix}node:${node}:members`,
    nodes: `${prefix}nodes`,
    adapter: `${prefix}socket.io`,
  };
}

/** One member in a node's member set, and this node's key for what it knows of the member. */
export { memberKey as memberEntry, parseMemberKey as parseMemberEntry } from '../member-key.js';

/** A member record (the value in a room's members hash): the member, and the node that holds its socket. */
export interface StoredMember extends Member {
  node: string;
  /** Join order across the deployment (from the `seq` counter). */
  seq: number;
}

/** Parses a member record. */
export const parseRecord = (raw: string): StoredMember => JSON.parse(raw) as StoredMember;

/** Parses a JSON array of member records (as the scripts return them) into join order. */
export const parseMembers = (json: string): StoredMember[] => (JSON.parse(json) as StoredMember[]).sort(byJoinOrder);

/** Parses member records (as HVALS returns them) into join order. */
export const parseRecords = (values: readonly string[]): StoredMember[] => values.map(parseRecord).sort(byJoinOrder);

const byJoinOrder = (a: StoredMember, b: StoredMember) => a.seq - b.seq;
