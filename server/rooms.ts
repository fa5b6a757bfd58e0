import type { PeerInfo } from './protocol.js';

export interface Member extends PeerInfo {
  socketId: string;
}

/**
 * Room membership of one server instance: rooms → members in join order. Admission is
 * synchronous, so two joins racing for the last place cannot both get it.
 */
export class Rooms {
  readonly #rooms = new Map<string, Map<string, Member>>();

  /** Adds a member unless the room holds `capacity` already; returns the members before it. */
  admit(room: string, member: Member, capacity: number): PeerInfo[] | null {
    let members = this.#rooms.get(room);
    if (!members) {
      members = new Map();
      this.#rooms.set(room, members);
    }
    if (members.size >= capacity) return null;
    const before = [...members.values()].map(({ id, name }) => ({ id, name }));
    members.set(member.id, member);
    return before;
  }

  /** Removes a member; returns the members left behind (to tell them). */
  remove(room: string, id: string): Member[] {
    const members = this.#rooms.get(room);
    if (!members?.delete(id)) return [];
    if (members.size === 0) this.#rooms.delete(room);
    return [...members.values()];
  }

  get(room: string, id: string): Member | undefined {
    return this.#rooms.get(room)?.get(id);
  }

  members(room: string): Member[] {
    return [...(this.#rooms.get(room)?.values() ?? [])];
  }

  stats(): { rooms: number; peers: number } {
    let peers = 0;
    for (const members of this.#rooms.values()) peers += members.size;
    return { rooms: this.#rooms.size, peers };
  }
}
