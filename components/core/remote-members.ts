import type { MediaState, PeerInfo } from '../../protocol/index.js';
import type { PeerHealth } from './peer-health.js';
import type { RemotePeer } from './session-types.js';
import type { PeerLinkLike } from './session-deps.js';

/** What a member record needs of the connection that carries the member's media. */
export type MemberLink = Pick<PeerLinkLike, 'remoteStream' | 'connectionState'>;

/**
 * Everything the session keeps about one other member: who it is, the connection that carries its
 * media (its own peer link in a mesh; a view of the shared SFU link in an SFU room), its health and media.
 */
export interface RemoteMember<L extends MemberLink = PeerLinkLike, H = PeerHealth> {
  /** Who the member is, as the server last said (`peer-joined` again for a known id updates it). */
  info: PeerInfo;
  readonly link: L;
  readonly health: H;
  /** What the member last said it sends (`media-state`); null until it has said. */
  media: MediaState | null;
}

/**
 * The other members of the room, one record each, and the immutable `peers` snapshot that scripts
 * and elements see (a new Map, with a new {@link RemotePeer}, on every change).
 */
export class RemoteMembers<L extends MemberLink = PeerLinkLike, H = PeerHealth> {
  readonly #members = new Map<string, RemoteMember<L, H>>();
  #peers: ReadonlyMap<string, RemotePeer> = new Map();

  /** The snapshot: one {@link RemotePeer} per member. */
  get peers(): ReadonlyMap<string, RemotePeer> {
    return this.#peers;
  }

  get size(): number {
    return this.#members.size;
  }

  has(id: string): boolean {
    return this.#members.has(id);
  }

  get(id: string): RemoteMember<L, H> | undefined {
    return this.#members.get(id);
  }

  ids(): string[] {
    return [...this.#members.keys()];
  }

  values(): IterableIterator<RemoteMember<L, H>> {
    return this.#members.values();
  }

  /** Adds a member (its `media` from `info`) and puts it into the snapshot. False when it is there already. */
  add(info: PeerInfo, link: L, health: H): boolean {
    if (this.#members.has(info.id)) return false;
    this.#members.set(info.id, { info, link, health, media: info.media ?? null });
    this.refresh(info.id);
    return true;
  }

  /** Records a member's `media-state`. False for an unknown member. */
  setMedia(id: string, media: MediaState): boolean {
    const member = this.#members.get(id);
    if (!member) return false;
    member.media = media;
    this.refresh(id);
    return true;
  }

  /**
   * Takes what the server now says of a known member (its name may have changed when it came back);
   * keeps its last media state unless `info` has one. False for an unknown member or no change.
   */
  update(info: PeerInfo): boolean {
    const member = this.#members.get(info.id);
    if (!member) return false;
    const before = snapshot(member);
    member.info = info;
    if (info.media) member.media = info.media;
    const after = snapshot(member);
    const changed =
      before.name !== after.name ||
      before.sub !== after.sub ||
      before.publish !== after.publish ||
      JSON.stringify(before.media) !== JSON.stringify(after.media);
    if (changed) this.refresh(info.id);
    return changed;
  }

  /** Makes a new snapshot of one member (its link's state or tracks changed). */
  refresh(id: string): void {
    const member = this.#members.get(id);
    if (member) this.#peers = new Map(this.#peers).set(id, snapshot(member));
  }

  /** Takes a member out (record and snapshot); returns its record. */
  delete(id: string): RemoteMember<L, H> | undefined {
    const member = this.#members.get(id);
    if (!member) return undefined;
    this.#members.delete(id);
    const peers = new Map(this.#peers);
    peers.delete(id);
    this.#peers = peers;
    return member;
  }

  /** Takes every member out; returns their records. */
  clear(): RemoteMember<L, H>[] {
    const all = [...this.#members.values()];
    this.#members.clear();
    if (this.#peers.size) this.#peers = new Map();
    return all;
  }
}

/** How one member looks to scripts and elements. */
export function snapshot({ info, link, media }: RemoteMember<MemberLink, unknown>): RemotePeer {
  return {
    id: info.id,
    name: info.name ?? '',
    ...(info.sub !== undefined ? { sub: info.sub } : {}),
    ...(info.publish === false ? { publish: false as const } : {}),
    stream: link.remoteStream,
    connectionState: link.connectionState,
    media,
  };
}
