// The room store's contract: what signaling asks of the place where room membership lives.
// Two implementations: `Rooms` (memory.ts, this process only) and `RedisRooms` (redis/store.ts,
// shared by several nodes). `deferredStore` (deferred.ts) stands in for one that connects later.
import type { MediaState, PeerInfo } from '../../protocol/index.js';

export interface Member extends PeerInfo {
  socketId: string;
  /** Its connection dropped and it has not come back yet (signals to it are refused with `peer_away`). */
  away?: boolean;
  /** The client's IP address, kept only where seats held in grace are capped per IP (joins without tokens); never shown to others. */
  ip?: string;
}

/** A member as the others see it: everything but its socket and bookkeeping (id, name, and once known its media state, token subject, receive-only flag). */
export function peerInfo({ id, name, media, sub, publish }: Member): PeerInfo {
  return { id, name, ...(media ? { media } : {}), ...(sub !== undefined ? { sub } : {}), ...(publish === false ? { publish } : {}) };
}

/** Members of dead server nodes removed by a shared store: each `id`, and the members left in its room to tell. */
export type Purged = { id: string; others: Member[] }[];

/** Seats an admission released for the newcomer (see `AdmitOptions`): each member, and the members left in the room to tell. */
export type Released = { member: Member; others: Member[] }[];

/** How an admission treats the seats already held by the newcomer's identity or address. */
export interface AdmitOptions {
  /**
   * The join came with a resume token: the member may come back into its own seat, but never take
   * over another seat of its `sub` (a later join took it over): that is refused (`taken`).
   */
  resume?: boolean;
  /**
   * For a new seat of a member without `sub` but with `ip`: the oldest seats held in grace (away)
   * from that IP in the room are released first, so that the IP holds fewer than this many.
   * 0: no cap.
   * @default 0
   */
  graceSeatsPerIp?: number;
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
      purged?: Purged;
      /**
       * Seats released for the newcomer: one seat per identity (the earlier seat of the same `sub`,
       * connected or away), and the oldest seats held in grace from its IP past `graceSeatsPerIp`.
       * Their sockets are closed if still open; the members left hear `peer-left`.
       */
      released?: Released;
    }
  | {
      ok: false;
      capacity: number;
      purged?: Purged;
      /** A resume whose seat is gone while another seat of the same `sub` is in the room: it was taken over. */
      taken?: true;
    };

/** Whether a store can take members now; read by `/healthz`. */
export interface StoreHealth {
  /** Members can be admitted (with Redis: the command client and the adapter's pub/sub clients are connected). */
  ok: boolean;
  /** Stores shared by several nodes: this node's id (its member records and its heartbeat carry it). */
  node?: string;
}

/** Rooms with members, and members (with Redis: the members connected to this node, and their rooms). */
export interface StoreStats {
  rooms: number;
  /** Members; named `peers` as in `/healthz` and the metrics, which show it. */
  peers: number;
}

/**
 * Where room membership lives: in this process (`Rooms`), or in Redis so that several server
 * nodes share it (`RedisRooms`). Every method but `health` is asynchronous; admission is atomic in
 * both, so two joins racing for the last place cannot both get it.
 */
export interface RoomStore {
  /**
   * Adds a member unless the room is full; returns the other members. A new room takes
   * `capacity`; an existing room keeps the capacity its first member gave it. A member whose id is
   * already there comes back into its own place (on its new socket), full room or not. With a
   * `sub`, the member takes over any other seat of that `sub` (one seat per identity); see
   * `AdmitOptions` for resumes and the cap per IP. All of it is one atomic step.
   */
  admit(room: string, member: Member, capacity: number, options?: AdmitOptions): Promise<Admission>;
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
  stats(): Promise<StoreStats>;
  /** Whether the store can take members now (cheap, synchronous: no round trip). */
  health(): StoreHealth;
  /** Stores shared by several nodes: called with the members of dead nodes they removed. */
  onPurge?(listener: (purged: Purged) => void): void;
}
