import type { MediaState, PeerInfo } from './protocol.js';

export interface Member extends PeerInfo {
  socketId: string;
}

interface Room {
  /** Fixed by the first member for the room's lifetime (until it is empty). */
  readonly capacity: number;
  readonly members: Map<string, Member>;
}

/** A member as the others see it: id, name and, once sent, its media state. */
export function peerInfo({ id, name, media }: Member): PeerInfo {
  return media ? { id, name, media } : { id, name };
}

export type Admission =
  | {
      ok: true;
      peers: PeerInfo[];
      capacity: number;
      /** The member was already in the room (it came back): the socket it had until now. */
      previousSocketId?: string;
    }
  | { ok: false; capacity: number };

/**
 * Room membership of one server instance: rooms → members in join order. Admission is
 * synchronous, so two joins racing for the last place cannot both get it.
 */
export class Rooms {
  readonly #rooms = new Map<string, Room>();

  /**
   * Adds a member unless the room is full; returns the other members. A new room takes
   * `capacity`; an existing room keeps the capacity its first member gave it. A member whose id is
   * already there comes back into its own place (on its new socket), full room or not.
   */
  admit(room: string, member: Member, capacity: number): Admission {
    let entry = this.#rooms.get(room);
    if (!entry) {
      entry = { capacity, members: new Map() };
      this.#rooms.set(room, entry);
    }
    const previous = entry.members.get(member.id);
    if (!previous && entry.members.size >= entry.capacity) return { ok: false, capacity: entry.capacity };
    const peers = [...entry.members.values()].filter(({ id }) => id !== member.id).map(peerInfo);
    entry.members.set(member.id, member);
    return { ok: true, peers, capacity: entry.capacity, ...(previous ? { previousSocketId: previous.socketId } : {}) };
  }

  /** Removes a member; returns the members left behind (to tell them). */
  remove(room: string, id: string): Member[] {
    const entry = this.#rooms.get(room);
    if (!entry?.members.delete(id)) return [];
    if (entry.members.size === 0) this.#rooms.delete(room);
    return [...entry.members.values()];
  }

  /** Keeps a member's latest media state (for those who join later); returns the other members. */
  setMedia(room: string, id: string, media: MediaState): Member[] {
    const member = this.#rooms.get(room)?.members.get(id);
    if (!member) return [];
    member.media = media;
    return this.members(room).filter((m) => m.id !== id);
  }

  get(room: string, id: string): Member | undefined {
    return this.#rooms.get(room)?.members.get(id);
  }

  members(room: string): Member[] {
    return [...(this.#rooms.get(room)?.members.values() ?? [])];
  }

  stats(): { rooms: number; peers: number } {
    let peers = 0;
    for (const entry of this.#rooms.values()) peers += entry.members.size;
    return { rooms: this.#rooms.size, peers };
  }
}
