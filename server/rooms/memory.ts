// Room membership of one server process (no Redis): rooms → members in join order.
import type { MediaState } from '../../protocol/index.js';
import { peerInfo, type Admission, type AdmitOptions, type Member, type RoomStore, type StoreHealth, type StoreStats } from './store.js';

interface Room {
  /** Fixed by the first member for the room's lifetime (until it is empty). */
  readonly capacity: number;
  /** By member id; a Map keeps insertion (join) order, and a member that comes back keeps its place. */
  readonly members: Map<string, Member>;
}

/** Room membership of one server instance. Nothing is shared: each instance has its own rooms. */
export class Rooms implements RoomStore {
  readonly #rooms = new Map<string, Room>();

  async admit(room: string, member: Member, capacity: number, options: AdmitOptions = {}): Promise<Admission> {
    let entry = this.#rooms.get(room);
    if (!entry) {
      entry = { capacity, members: new Map() };
      this.#rooms.set(room, entry);
    }
    const previous = entry.members.get(member.id);
    const others = [...entry.members.values()].filter(({ id }) => id !== member.id);
    // One seat per identity: the same sub's other seat goes, unless this is a resume that lost its seat to it.
    const released = member.sub === undefined ? [] : others.filter(({ sub }) => sub === member.sub);
    if (!previous && options.resume && released.length) return { ok: false, capacity: entry.capacity, taken: true };
    const cap = options.graceSeatsPerIp ?? 0;
    if (!previous && member.sub === undefined && member.ip !== undefined && cap > 0) {
      const held = others.filter(({ away, ip }) => away && ip === member.ip); // in join order
      released.push(...held.slice(0, Math.max(0, held.length - cap + 1)));
    }
    if (!previous && others.length - released.length >= entry.capacity) return { ok: false, capacity: entry.capacity };
    for (const { id } of released) entry.members.delete(id);
    entry.members.set(member.id, { ...member, away: false });
    const left = others.filter((m) => !released.includes(m));
    return {
      ok: true,
      peers: left.map(peerInfo),
      capacity: entry.capacity,
      ...(previous ? { previousSocketId: previous.socketId } : {}),
      ...(released.length ? { released: released.map((m) => ({ member: m, others: left })) } : {}),
    };
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
