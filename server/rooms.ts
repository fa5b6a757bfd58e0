import type { PeerInfo } from './protocol.js';

export interface Member extends PeerInfo {
  socketId: string;
}

interface Room {
  /** Fixed by the first member for the room's lifetime (until it is empty). */
  readonly capacity: number;
  readonly members: Map<string, Member>;
}

/** What other members are told about a member (everything but its socket). */
export function peerInfo({ socketId: _socketId, ...info }: Member): PeerInfo {
  return info;
}

export type Admission = { ok: true; peers: PeerInfo[]; capacity: number } | { ok: false; capacity: number };

/**
 * Room membership of one server instance: rooms → members in join order. Admission is
 * synchronous, so two joins racing for the last place cannot both get it.
 */
export class Rooms {
  readonly #rooms = new Map<string, Room>();

  /**
   * Adds a member unless the room is full; returns the members before it. A new room takes
   * `capacity`; an existing room keeps the capacity its first member gave it.
   */
  admit(room: string, member: Member, capacity: number): Admission {
    let entry = this.#rooms.get(room);
    if (!entry) {
      entry = { capacity, members: new Map() };
      this.#rooms.set(room, entry);
    }
    if (entry.members.size >= entry.capacity) return { ok: false, capacity: entry.capacity };
    const peers = [...entry.members.values()].map(peerInfo);
    entry.members.set(member.id, member);
    return { ok: true, peers, capacity: entry.capacity };
  }

  /** Removes a member; returns the members left behind (to tell them). */
  remove(room: string, id: string): Member[] {
    const entry = this.#rooms.get(room);
    if (!entry?.members.delete(id)) return [];
    if (entry.members.size === 0) this.#rooms.delete(room);
    return [...entry.members.values()];
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
