import type { MediaState, PeerInfo, SignalMessage } from '../../protocol/index.js';
import type { Clock, TimerId } from './clock.js';
import { RtcError } from './errors.js';
import type { MediaTopology, TopologyHost } from './media-topology.js';
import { decodeMessage, type EncodedMessage } from './messages.js';
import { MAX_ICE_RESTARTS, PeerHealth, peerCheckAnswer, type PeerHealthHost } from './peer-health.js';
import type { OutgoingSignal } from './peer-link.js';
import { RemoteMembers } from './remote-members.js';
import type { PeerLinkLike, SessionDeps } from './session-deps.js';
import type { RemotePeer } from './session-types.js';

/** From this many other members on, each is sent the camera at half size (a mesh encodes once per member). */
export const HALF_SIZE_FROM_PEERS = 4;

/** What the mesh needs from the session. */
export type PeerMeshHost = TopologyHost;

/**
 * One peer connection per other member: creates each {@link PeerLinkLike} with its role and its
 * {@link PeerHealth}, keeps the {@link RemoteMembers} records, repairs members that come back, and
 * closes them. A member given up as unreachable is told so (through the server), and a member
 * that gave this one up is closed here too: neither side keeps an empty tile.
 */
export class PeerMesh implements MediaTopology {
  readonly mode = 'mesh';
  readonly members = new RemoteMembers();
  readonly #host: PeerMeshHost;
  readonly #createPeerLink: SessionDeps['createPeerLink'];
  readonly #clock: Clock;
  /** Members missing after our rejoin: removed unless they come back within the grace. */
  #returnTimer: TimerId | null = null;

  constructor(host: PeerMeshHost, deps: Pick<SessionDeps, 'createPeerLink' | 'clock'>) {
    this.#host = host;
    this.#createPeerLink = deps.createPeerLink;
    this.#clock = deps.clock;
  }

  get peers(): ReadonlyMap<string, RemotePeer> {
    return this.members.peers;
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  ids(): string[] {
    return this.members.ids();
  }

  setMedia(id: string, media: MediaState): boolean {
    return this.members.setMedia(id, media);
  }

  /** Nothing to open: each link started when its member was added. */
  entered(): void {}

  /** A signal from a member goes to the link to it (none from strangers). */
  signal({ from, ...signal }: SignalMessage): void {
    void this.members.get(from)?.link.handleSignal(signal);
  }

  async getStats(id: string): Promise<RTCStatsReport | null> {
    return (await this.members.get(id)?.link.pc.getStats()) ?? null;
  }

  /** Restarts ICE with one member (or all), with fresh STUN/TURN servers when the current ones expire soon. */
  async restartIce(id?: string): Promise<void> {
    const links = this.links(id);
    if (!links.length) return;
    const iceServers = await this.#host.freshIceServers();
    for (const link of links) link.restartIce(iceServers);
  }

  /**
   * Opens a connection to a member (`initiator`: we start it). The polite side of perfect
   * negotiation is the one with the lower id. False when there is one already.
   */
  add(selfId: string, peer: PeerInfo, initiator: boolean): boolean {
    if (this.members.has(peer.id)) return false;
    const host = this.#host;
    const link = this.#createPeerLink({
      peerId: peer.id,
      polite: selfId < peer.id,
      initiator,
      iceServers: host.iceServers(),
      iceTransportPolicy: host.iceTransportPolicy,
      sendAudio: host.sends('audio'),
      sendVideo: host.sends('video'),
      send: (signal) => this.#signal(peer.id, signal),
      onError: (cause) =>
        host.error(new RtcError('peer_failed', `Negotiation with ${this.#label(peer)} failed: ${String(cause)}`, { cause })),
    });
    const health = new PeerHealth(this.#healthHost(peer, link), this.#clock, { connectTimeoutMs: host.connectTimeoutMs });
    const update = () => {
      this.members.refresh(peer.id);
      host.changed();
    };
    link.addEventListener('track', update);
    link.addEventListener('message', (event) => {
      const message = decodeMessage((event as CustomEvent<string>).detail);
      if (message) host.message({ id: peer.id, name: (this.members.get(peer.id)?.info ?? peer).name ?? '' }, message.data);
    });
    link.addEventListener('connectionstatechange', () => {
      update();
      health.update();
    });
    this.members.add(peer, link, health);
    this.#scaleVideo();
    link.setLocalStream(host.localStream());
    host.changed();
    health.update(); // a connection that never gets going is noticed too
    return true;
  }

  /** Closes the connection to one member and says so (`changed`, `left`). */
  remove(id: string): void {
    const member = this.members.delete(id);
    if (!member) return;
    member.health.dispose();
    member.link.close();
    this.#scaleVideo();
    this.#host.changed();
    this.#host.left(member.info);
  }

  /** Closes every connection; `announce`: each with `left`, else silently (one `changed`). */
  clear(announce: boolean): void {
    this.#clock.clearTimeout(this.#returnTimer);
    this.#returnTimer = null;
    if (announce) return this.members.ids().forEach((id) => this.remove(id));
    const closed = this.members.clear();
    for (const { health, link } of closed) {
      health.dispose();
      link.close();
    }
    if (closed.length) this.#host.changed();
  }

  /** The server says the member's connection dropped (`peer-away`). */
  away(id: string): void {
    this.members.get(id)?.health.markAway();
  }

  /**
   * The member is in the room again (`peer-joined` for a known id, or listed after our rejoin): takes
   * what the server says of it now (its name), and repairs its connection if signals may have been lost.
   */
  back(peer: PeerInfo): void {
    const member = this.members.get(peer.id);
    if (!member) return;
    if (this.members.update(peer)) this.#host.changed();
    const link = member.link;
    member.health.back(link.connectionState !== 'connected' || link.pc.signalingState !== 'stable');
  }

  /**
   * Member `id` gave up its connection to this one (`peer-unreachable`): it will not answer on it
   * again, so it is closed here too, and said like a loss of our own.
   */
  unreachableFrom(id: string): void {
    const member = this.members.get(id);
    if (!member) return;
    const label = this.#label(member.info);
    this.#host.error(new RtcError('peer_unreachable', `${label} could not reach this member and closed its connection`));
    this.remove(id);
  }

  /**
   * Members that were not back when we rejoined (the server restarted, they are still reconnecting)
   * keep their connection until the grace period ends; `peer-joined` in between means they are back.
   */
  awaitReturn(ids: string[], graceMs: number): void {
    this.#clock.clearTimeout(this.#returnTimer);
    this.#returnTimer = null;
    for (const id of ids) this.away(id);
    if (!ids.length) return;
    this.#returnTimer = this.#clock.setTimeout(() => {
      this.#returnTimer = null;
      for (const id of ids) if (this.members.get(id)?.health.away) this.remove(id);
    }, graceMs);
  }

  /** Every link, or the one to `id` (none for an unknown member). */
  links(id?: string): PeerLinkLike[] {
    if (id !== undefined) return this.members.has(id) ? [this.members.get(id)!.link] : [];
    return [...this.members.values()].map((member) => member.link);
  }

  /**
   * Sends a data-channel message to every member, or to one; returns the ids it went (or will go)
   * to. Throws `unknown_peer` (sending nothing) for an id that is not in the room.
   */
  send({ text, bytes }: EncodedMessage, id?: string): string[] {
    if (id !== undefined && !this.members.has(id)) throw new RtcError('unknown_peer', `No member ${id} in this room`);
    return this.links(id)
      .filter((link) => ['sent', 'queued'].includes(link.send(text, bytes)))
      .map((link) => link.peerId);
  }

  setLocalStream(stream: MediaStream | null): void {
    for (const link of this.links()) link.setLocalStream(stream);
  }

  /** A member's name as people see it in messages (its id when it has none). */
  #label(peer: PeerInfo): string {
    return (this.members.get(peer.id)?.info ?? peer).name || peer.id;
  }

  #scaleVideo(): void {
    const scale = this.members.size >= HALF_SIZE_FROM_PEERS ? 2 : 1;
    for (const link of this.links()) link.setVideoScale(scale);
  }

  #signal(to: string, signal: OutgoingSignal): void {
    // While the server is away nothing is sent: when both sides are back, back() repairs what was
    // lost (a connected call needs nothing).
    if (!this.#host.joined()) return;
    this.#host
      .signaling()
      ?.signal({ to, ...signal })
      .catch((error: RtcError) => {
        // unknown_peer: the member left while this was in flight (peer-left follows); peer_away: it
        // is reconnecting (peer-joined follows); and anything while we are reconnecting ourselves.
        const passing = error.code === 'unknown_peer' || error.code === 'peer_away' || !this.#host.joined();
        if (!passing && this.#host.signaling()) this.#host.error(error);
      });
  }

  /** The rules of {@link PeerHealth} for one member, acting on this mesh and the session. */
  #healthHost(peer: PeerInfo, link: PeerLinkLike): PeerHealthHost {
    const host = this.#host;
    return {
      connectionState: () => link.connectionState,
      joined: () => host.joined(),
      check: () => {
        const signaling = host.signaling();
        return signaling?.connected ? peerCheckAnswer(signaling.peerCheck(peer.id)) : null;
      },
      restartIce: () => host.restartIce(peer.id),
      resync: () =>
        void host
          .freshIceServers()
          .catch(() => undefined)
          .then((iceServers) => link.resync(iceServers)),
      lose: (why) => {
        if (why === 'unreachable') {
          host.error(
            new RtcError(
              'peer_unreachable',
              `Lost the connection to ${this.#label(peer)}; ${MAX_ICE_RESTARTS} ICE restarts did not bring it back`,
            ),
          );
          // The member is still in the room: tell it, so that it does not wait on its side forever.
          const signaling = host.signaling();
          if (signaling?.connected && host.joined()) signaling.peerUnreachable(peer.id).catch(() => {});
        }
        this.remove(peer.id);
      },
    };
  }
}
