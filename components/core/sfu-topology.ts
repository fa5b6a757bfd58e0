import type { MediaState, PeerInfo, SfuLink, SfuSignalMessage } from '../../protocol/index.js';
import { MAX_ROOM_MESSAGE_LENGTH } from '../../protocol/messages.js';
import type { TimerId } from './clock.js';
import { RtcError } from './errors.js';
import type { MediaTopology, TopologyHost } from './media-topology.js';
import { decodeMessage, type EncodedMessage } from './messages.js';
import { MAX_ICE_RESTARTS } from './peer-health.js';
import type { OutgoingSignal } from './peer-link.js';
import { RemoteMembers, type MemberLink } from './remote-members.js';
import type { SessionDeps, SfuLinkLike } from './session-deps.js';
import type { RemotePeer } from './session-types.js';
import { SfuStreams } from './sfu-streams.js';

/** The largest message an SFU room carries (UTF-8 bytes of its JSON text): the protocol's `room-message` limit. */
export const MAX_SFU_MESSAGE_LENGTH = MAX_ROOM_MESSAGE_LENGTH;

export interface SfuTopologyOptions {
  /** Send the camera in three simulcast layers (see `SIMULCAST_LAYERS`). */
  simulcast?: boolean;
}

/**
 * An SFU room's media: one `publish` connection carrying this member's camera and microphone up to
 * the server's SFU, and one `subscribe` connection carrying every other member's media down (the
 * SFU offers it, and offers again whenever publishers come or go; its `streams` say which `mid` is
 * whose, see {@link SfuStreams}). Members come from `peer-joined`/`peer-left` as in a mesh; their
 * tiles fill from the `subscribe` link. Messages (`send()`, the chat) go through the server as
 * `room-message`. A receive-only member opens only the `subscribe` link.
 *
 * When the SFU loses this member's media (`sfu-state` `ready: false`), both links close, every
 * member shows `disconnected`, and an `unavailable` error says why; `ready: true` publishes afresh
 * and the SFU's next offer opens a new `subscribe` link.
 */
export class SfuTopology implements MediaTopology {
  readonly mode = 'sfu';
  readonly #members = new RemoteMembers<MemberLink, null>();
  readonly #streams: SfuStreams;
  readonly #host: TopologyHost;
  readonly #deps: Pick<SessionDeps, 'createSfuLink' | 'clock'>;
  readonly #options: SfuTopologyOptions;
  #publish: SfuLinkLike | null = null;
  #subscribe: SfuLinkLike | null = null;
  /** The SFU has this member's media (false between `sfu-state` false and true). */
  #ready = true;
  /** ICE restarts of the publish link since it was last connected. */
  #restarts = 0;
  /** Members missing after our rejoin, and the timer that removes those still missing. */
  readonly #awaited = new Set<string>();
  #returnTimer: TimerId | null = null;

  constructor(
    host: TopologyHost,
    deps: Pick<SessionDeps, 'createSfuLink' | 'createMediaStream' | 'clock'>,
    options: SfuTopologyOptions = {},
  ) {
    this.#host = host;
    this.#deps = deps;
    this.#options = options;
    this.#streams = new SfuStreams(deps.createMediaStream);
  }

  get peers(): ReadonlyMap<string, RemotePeer> {
    return this.#members.peers;
  }
  has(id: string): boolean {
    return this.#members.has(id);
  }
  ids(): string[] {
    return this.#members.ids();
  }

  add(_selfId: string, peer: PeerInfo): boolean {
    if (this.#members.has(peer.id)) return false;
    const state = () => this.#stateOf(peer.id);
    const view: MemberLink = {
      remoteStream: this.#streams.streamOf(peer.id),
      get connectionState() {
        return state();
      },
    };
    this.#members.add(peer, view, null);
    this.#host.changed();
    return true;
  }

  remove(id: string): void {
    const member = this.#members.delete(id);
    if (!member) return;
    this.#streams.delete(id);
    this.#awaited.delete(id);
    this.#host.changed();
    this.#host.left(member.info);
  }

  clear(announce: boolean): void {
    this.#deps.clock.clearTimeout(this.#returnTimer);
    this.#returnTimer = null;
    this.#closeLinks();
    if (announce) return this.ids().forEach((id) => this.remove(id));
    for (const id of this.ids()) this.#streams.delete(id);
    if (this.#members.clear().length) this.#host.changed();
  }

  /** Nothing to do: the member's media goes through the SFU, which keeps it while the member reconnects. */
  away(): void {}

  back(peer: PeerInfo): void {
    this.#awaited.delete(peer.id);
    if (this.#members.update(peer)) this.#host.changed();
  }

  /** Only meshes give members up; in an SFU room nobody connects to another member directly. */
  unreachableFrom(): void {}

  awaitReturn(ids: string[], graceMs: number): void {
    this.#deps.clock.clearTimeout(this.#returnTimer);
    this.#returnTimer = null;
    this.#awaited.clear();
    for (const id of ids) this.#awaited.add(id);
    if (!ids.length) return;
    this.#returnTimer = this.#deps.clock.setTimeout(() => {
      this.#returnTimer = null;
      for (const id of [...this.#awaited]) this.remove(id);
    }, graceMs);
  }

  setMedia(id: string, media: MediaState): boolean {
    return this.#members.setMedia(id, media);
  }

  /**
   * After every join and rejoin the server starts this member's links afresh (it drops the SFU
   * handles it had for a member that comes back): any old links close, a new publish link offers,
   * and the SFU's next offer opens a new subscribe link. While the SFU is away the server says
   * `sfu-state` false again right after the join answer.
   */
  entered(): void {
    this.#ready = true;
    this.#closeLinks();
    this.#openPublish();
    this.#refreshAll();
  }

  setLocalStream(stream: MediaStream | null): void {
    this.#publish?.setLocalStream(stream);
  }

  /**
   * Sends a message to every other member through the server (`room-message`). The SFU carries no
   * data channels, and the server cannot address one member: a message to one member is refused.
   */
  send({ text, bytes }: EncodedMessage, id?: string): string[] {
    if (id !== undefined) {
      if (!this.#members.has(id)) throw new RtcError('unknown_peer', `No member ${id} in this room`);
      throw new RtcError('bad_request', 'In an SFU room messages go to every member: call send() without a member id');
    }
    if (bytes > MAX_SFU_MESSAGE_LENGTH) {
      throw new RangeError(`send(): the message is ${bytes} bytes as JSON; an SFU room takes at most ${MAX_SFU_MESSAGE_LENGTH}`);
    }
    const signaling = this.#host.signaling();
    const ids = this.ids();
    if (!ids.length || !signaling || !this.#host.joined()) return [];
    signaling.roomMessage(text).catch((error: RtcError) => {
      if (this.#host.signaling()) this.#host.error(error);
    });
    return ids;
  }

  /** The statistics of the receivers that carry this member's media on the `subscribe` link (plus its transport). */
  async getStats(id: string): Promise<RTCStatsReport | null> {
    const mids = this.#streams.midsOf(id);
    const receivers = this.#subscribe?.receivers().filter((r) => mids.includes(r.mid)) ?? [];
    if (!this.#members.has(id) || !receivers.length) return null;
    const merged = new Map<string, unknown>();
    for (const report of await Promise.all(receivers.map((r) => r.getStats()))) report.forEach((value, key) => merged.set(key, value));
    return merged as unknown as RTCStatsReport;
  }

  /** Restarts ICE on the publish link (a new offer); the SFU restarts the subscribe link's itself. */
  async restartIce(): Promise<void> {
    const link = this.#publish;
    if (!link) return;
    const iceServers = await this.#host.freshIceServers();
    if (link === this.#publish) link.restartIce(iceServers);
  }

  /** Mesh signals have no place in an SFU room. */
  signal(): void {}

  sfuSignal(message: SfuSignalMessage): void {
    if (!this.#ready) return; // for links the SFU has lost; new ones follow `sfu-state` true
    const link = message.link === 'publish' ? this.#publish : this.#openSubscribe();
    if (!link) return;
    if ('candidate' in message) return void link.handleSignal({ candidate: message.candidate });
    const applied = link.handleSignal({ description: message.description });
    if (!('streams' in message)) return;
    void applied.then(() => {
      if (link !== this.#subscribe) return;
      this.#streams.setStreams(message.streams);
      this.#remap();
    });
  }

  sfuState(ready: boolean): void {
    if (!ready) {
      if (!this.#ready) return;
      this.#ready = false;
      this.#closeLinks();
      this.#refreshAll();
      this.#host.error(
        new RtcError('unavailable', 'The media server is unavailable: no audio or video until it is back (the call resumes by itself)'),
      );
      return;
    }
    // The SFU has new handles for this member: new connections (old ones belong to what it lost).
    this.#ready = true;
    this.#closeLinks();
    this.#openPublish();
    this.#refreshAll();
  }

  roomMessage({ from, text }: { from: string; text: string }): void {
    const member = this.#members.get(from);
    const message = member && decodeMessage(text);
    if (member && message) this.#host.message({ id: from, name: member.info.name ?? '' }, message.data);
  }

  /** The state a member's tile shows: the subscribe link's when its media is on it, else the way to the SFU. */
  #stateOf(id: string): RTCPeerConnectionState {
    if (!this.#ready) return 'disconnected';
    const subscribe = this.#subscribe?.connectionState;
    if (this.#streams.midsOf(id).length) return subscribe ?? 'new';
    return subscribe ?? this.#publish?.connectionState ?? 'new';
  }

  #openPublish(): void {
    const host = this.#host;
    const [sendAudio, sendVideo] = [host.sends('audio'), host.sends('video')];
    if (this.#publish || (!sendAudio && !sendVideo)) return; // receive-only: nothing to publish
    const link = this.#openLink('publish', { sendAudio, sendVideo, simulcast: sendVideo && !!this.#options.simulcast });
    this.#publish = link;
    this.#restarts = 0;
    link.setLocalStream(host.localStream());
  }

  #openSubscribe(): SfuLinkLike {
    return (this.#subscribe ??= this.#openLink('subscribe', { sendAudio: false, sendVideo: false }));
  }

  #openLink(role: SfuLink, media: { sendAudio: boolean; sendVideo: boolean; simulcast?: boolean }): SfuLinkLike {
    const host = this.#host;
    const link = this.#deps.createSfuLink({
      role,
      iceServers: host.iceServers(),
      iceTransportPolicy: host.iceTransportPolicy,
      ...media,
      send: (signal) => this.#send(role, signal),
      onError: (cause) =>
        host.error(new RtcError('peer_failed', `Negotiation with the media server (${role}) failed: ${String(cause)}`, { cause })),
    });
    link.addEventListener('connectionstatechange', () => this.#linkStateChanged(link));
    return link;
  }

  #linkStateChanged(link: SfuLinkLike): void {
    if (link !== this.#publish && link !== this.#subscribe) return;
    this.#refreshAll();
    if (link !== this.#publish) return;
    if (link.connectionState === 'connected') this.#restarts = 0;
    else if (link.connectionState === 'failed' && this.#host.joined()) {
      if (this.#restarts++ < MAX_ICE_RESTARTS) return void this.restartIce().catch((error: RtcError) => this.#host.error(error));
      this.#host.error(
        new RtcError('peer_unreachable', `Lost the connection to the media server; ${MAX_ICE_RESTARTS} ICE restarts did not bring it back`),
      );
    }
  }

  #send(link: SfuLink, signal: OutgoingSignal): void {
    // While our signaling is away nothing is sent: entered() repairs the publish link after the rejoin.
    if (!this.#host.joined()) return;
    this.#host
      .signaling()
      ?.sfuSignal({ link, ...signal })
      .catch((error: RtcError) => {
        // `unavailable`: the SFU is away, which `sfu-state` says (once) better than each refused signal.
        if (error.code === 'unavailable' || !this.#ready) return;
        if (this.#host.joined() && this.#host.signaling()) this.#host.error(error);
      });
  }

  #remap(): void {
    const changed = this.#streams.apply(this.#subscribe?.receivers() ?? []);
    for (const id of changed) this.#members.refresh(id);
    if (changed.size) this.#host.changed();
  }

  #closeLinks(): void {
    const links = [this.#publish, this.#subscribe];
    this.#publish = this.#subscribe = null;
    for (const link of links) link?.close();
    for (const id of this.#streams.empty()) this.#members.refresh(id);
  }

  #refreshAll(): void {
    for (const id of this.ids()) this.#members.refresh(id);
    this.#host.changed();
  }
}
