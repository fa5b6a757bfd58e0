// Room membership of one server process (no Redis): rooms → members in join order.
import type { MediaState } from '../../protocol/index.js';
import { peerInfo, type Admission, type Member, type RoomStore, type StoreHealth, type StoreStats } from './store.js';

interface Room {
  /** Fixed by the first member for the room's lifetime (until it is empty). */
  readonly capacity: number;
  /** By member id; a Map keeps insertion (join) order, and a member that comes back keeps its place. */
  readonly members: Map<string, Member>;
}

/** Room membership of one server instance. Nothing is shared: each instance has its own rooms. */
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

  async stats(): Promise<StoreStats> {
    let peers = 0;
    for (const entry of this.#rooms.values()) peers += entry.members.size;
    return { rooms: this.#rooms.size, peers };
  }

  /** Always ok: it lives in this process. */
  health(): StoreHealth {
    return { ok: true };
  }
}
