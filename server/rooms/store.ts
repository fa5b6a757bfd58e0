import { SignalingError } from '../errors.js';
import type { MediaState, PeerInfo } from '../../protocol/index.js';

export interface Member extends PeerInfo {
  socketId: string;
  /** Its connection dropped and it has not come back yet (signals to it are refused with `peer_away`). */
  away?: boolean;
}

/** A member as the others see it: everything but its socket and bookkeeping (id, name, and once known its media state, token subject, receive-only flag). */
export function peerInfo({ id, name, media, sub, publish }: Member): PeerInfo {
  return { id, name, ...(media ? { media } : {}), ...(sub !== undefined ? { sub } : {}), ...(publish === false ? { publish } : {}) };
}

export type Admission =
  | {
      ok: true;
      peers: PeerInfo[];
      capacity: number;
      /** The member was already in the room (it came back): the socket it had until now. */
      previousSocketId?: string;
      /**
       * Members of dead server nodes found and removed on the way in (Redis store only): the
       * members still in the room (`others`) hear `peer-left` for each of them.
       */
      purged?: { id: string; others: Member[] }[];
    }
  | { ok: false; capacity: number; purged?: { id: string; others: Member[] }[] };

/**
 * Where room membership lives: in this process (`Rooms`), or in Redis so that several server
 * nodes share it (`RedisRooms`, server/rooms/redis/store.ts). Every method is asynchronous; admission
 * is atomic in both, so two joins racing for the last place cannot both get it.
 */
export interface RoomStore {
  /**
   * Adds a member unless the room is full; returns the other members. A new room takes
   * `capacity`; an existing room keeps the capacity its first member gave it. A member whose id is
   * already there comes back into its own place (on its new socket), full room or not.
   */
  admit(room: string, member: Member, capacity: number): Promise<Admission>;
  /**
   * Removes a member (only while it is still on `socketId`, when given); returns the members left
   * behind, to tell them. Nothing removed: an empty list, so nobody is told twice.
   */
  remove(room: string, id: string, socketId?: string): Promise<Member[]>;
  get(room: string, id: string): Promise<Member | undefined>;
  /** The members in join order. */
  members(room: string): Promise<Member[]>;
  /** Keeps a member's latest media state (for those who join later); returns the other members. */
  setMedia(room: string, id: string, media: MediaState): Promise<Member[]>;
  /** Marks a member away while it is still on `socketId`; false: it is not (gone, or back on another socket). */
  markAway(room: string, id: string, socketId: string): Promise<boolean>;
  /** Rooms and members (with Redis: the members connected to this node, and their rooms). */
  stats(): Promise<{ rooms: number; peers: number }>;
  /** Stores shared by several nodes: called with the members of dead nodes they removed. */
  onPurge?(listener: (purged: NonNullable<Admission['purged']>) => void): void;
}

interface Room {
  /** Fixed by the first member for the room's lifetime (until it is empty). */
  readonly capacity: number;
  readonly members: Map<string, Member>;
}

/** Room membership of one server instance: rooms → members in join order. */
export class Rooms implements RoomStore {
  readonly #rooms = new Map<string, Room>();

  async admit(room: string, member: Member, capacity: number): Promise<Admission> {
    let entry = this.#rooms.get(room);
    if (!entry) {
      entry = { capacity, members: new Map() };
      this.#rooms.set(room, entry);
    }
    const previous = entry.members.get(member.id);
    if (!previous && entry.members.size >= entry.capacity) return { ok: false, capacity: entry.capacity };
    const peers = [...entry.members.values()].filter(({ id }) => id !== member.id).map(peerInfo);
    entry.members.set(member.id, { ...member, away: false });
    return { ok: true, peers, capacity: entry.capacity, ...(previous ? { previousSocketId: previous.socketId } : {}) };
  }

  async remove(room: string, id: string, socketId?: string): Promise<Member[]> {
    const entry = this.#rooms.get(room);
    const member = entry?.members.get(id);
    if (!entry || !member || (socketId !== undefined && member.socketId !== socketId)) return [];
    entry.members.delete(id);
    if (entry.members.size === 0) this.#rooms.delete(room);
    return [...entry.members.values()];
  }

  async setMedia(room: string, id: string, media: MediaState): Promise<Member[]> {
    const member = this.#rooms.get(room)?.members.get(id);
    if (!member) return [];
    member.media = media;
    return (await this.members(room)).filter((m) => m.id !== id);
  }

  async get(room: string, id: string): Promise<Member | undefined> {
    return this.#rooms.get(room)?.members.get(id);
  }

  async members(room: string): Promise<Member[]> {
    return [...(this.#rooms.get(room)?.members.values() ?? [])];
  }

  async markAway(room: string, id: string, socketId: string): Promise<boolean> {
    const member = this.#rooms.get(room)?.members.get(id);
    if (member?.socketId !== socketId) return false;
    member.away = true;
    return true;
  }

  async stats(): Promise<{ rooms: number; peers: number }> {
    let peers = 0;
    for (const entry of this.#rooms.values()) peers += entry.members.size;
    return { rooms: this.#rooms.size, peers };
  }
}

/**
 * A store that becomes available later (the Redis one, connected after a dynamic import): calls
 * wait for it; if it never comes, they fail with `unavailable`.
 */
export function deferredStore(pending: Promise<RoomStore>): RoomStore {
  const store = pending.catch((error: unknown) => {
    throw new SignalingError('unavailable', 'Room state is unavailable; try again', { cause: error });
  });
  store.catch(() => {}); // rejections reach the callers, not the process
  return {
    admit: async (room, member, capacity) => (await store).admit(room, member, capacity),
    remove: async (room, id, socketId) => (await store).remove(room, id, socketId),
    get: async (room, id) => (await store).get(room, id),
    members: async (room) => (await store).members(room),
    markAway: async (room, id, socketId) => (await store).markAway(room, id, socketId),
    setMedia: async (room, id, media) => (await store).setMedia(room, id, media),
    stats: async () => (await store).stats(),
    onPurge: (listener) => void store.then((s) => s.onPurge?.(listener), () => {}),
  };
}
