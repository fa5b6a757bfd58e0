import type { IceServer, IceServersGrant, JoinResult, PeerInfo, SignalMessage } from '../../server/protocol.js';
import { tokenAllowsPublishing } from './access-token.js';
import { RtcError } from './errors.js';
import { openLocalMedia, stopStream } from './local-media.js';
import { PeerLink, type OutgoingSignal } from './peer-link.js';
import { SignalingClient } from './signaling-client.js';

/** ICE servers are renewed when they expire within this margin (ms). */
const ICE_EXPIRY_MARGIN_MS = 30_000;
/** ICE restarts tried on a failed connection before giving up with `peer_failed`. */
const MAX_ICE_RESTARTS = 3;
/** From this many other members on, each is sent the camera at half size (a mesh encodes once per member). */
const HALF_SIZE_FROM_PEERS = 4;

export type RoomStatus = 'idle' | 'connecting' | 'joined' | 'error';

/** A remote member as scripts and elements see it. Replaced, not mutated, when it changes. */
export interface RemotePeer {
  readonly id: string;
  readonly name: string;
  /** Who the member is according to its access token (`sub`); only when the server uses tokens. */
  readonly sub?: string;
  /** False for a receive-only member: it sends no audio or video. */
  readonly publish?: false;
  /** The member's audio and video; tracks appear as they arrive. */
  readonly stream: MediaStream;
  readonly connectionState: RTCPeerConnectionState;
}

export interface RoomSessionOptions {
  room: string;
  name?: string;
  /** Signaling server URL; undefined means the page's own origin. */
  server?: string;
  sendAudio: boolean;
  sendVideo: boolean;
  /** Lowers a new room's capacity (2 to 8); the server's limit wins. */
  capacity?: number;
  /** Access token for servers that require one; sent with every join. */
  token?: string;
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** @default 10000 */
  requestTimeout?: number;
}

export interface RoomSessionEventMap {
  /** `status`, `peers` or `localStream` changed. */
  change: Event;
  joined: CustomEvent<{ id: string; room: string; peers: PeerInfo[] }>;
  'peer-joined': CustomEvent<{ peer: PeerInfo }>;
  'peer-left': CustomEvent<{ peer: PeerInfo }>;
  error: CustomEvent<RtcError>;
}

/**
 * One stay in one room: a signaling connection, the local camera and microphone, and a
 * {@link PeerLink} per other member. Plain TypeScript; the `<rtc-room>` element is a view over it.
 * A session is used once: `join()`, then `leave()`; join again with a new session.
 */
export class RoomSession extends EventTarget {
  readonly options: Readonly<RoomSessionOptions>;
  #status: RoomStatus = 'idle';
  #id: string | null = null;
  #localStream: MediaStream | null = null;
  #peers = new Map<string, RemotePeer>();
  readonly #links = new Map<string, PeerLink>();
  readonly #infos = new Map<string, PeerInfo>();
  /** False when this member is receive-only (its token says so; the join answer confirms). */
  #publish: boolean;
  #signaling: SignalingClient | null = null;
  #joining: Promise<void> | null = null;
  #joinResult: JoinResult | null = null;
  /** The STUN/TURN servers in use and their expiry (from the join answer or a refresh). */
  #ice: IceServersGrant | null = null;
  #iceRefresh: Promise<IceServer[]> | null = null;
  #ended = false;
  /** Members announced before our join ack arrived. */
  readonly #early: PeerInfo[] = [];

  constructor(options: RoomSessionOptions) {
    super();
    this.options = Object.freeze({ ...options });
    this.#publish = tokenAllowsPublishing(options.token);
  }

  /** False for a receive-only member (`publish: false` in its access token): nothing is sent. */
  get publish(): boolean {
    return this.#publish;
  }

  get status(): RoomStatus {
    return this.#status;
  }
  /** This member's id in the room, once joined. */
  get id(): string | null {
    return this.#id;
  }
  get localStream(): MediaStream | null {
    return this.#localStream;
  }
  get peers(): ReadonlyMap<string, RemotePeer> {
    return this.#peers;
  }

  /** Connects, joins and starts the camera and microphone at the same time. Rejects with an RtcError. */
  join(): Promise<void> {
    this.#joining ??= this.#run();
    return this.#joining;
  }

  /** Leaves the room, closes every peer connection and stops the camera and microphone. */
  async leave(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    const signaling = this.#signaling;
    this.#signaling = null;
    if (signaling?.socket.connected && this.#id) {
      await Promise.race([signaling.leave().catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
    }
    signaling?.close();
    this.#closeLinks(false);
    stopStream(this.#localStream);
    this.#localStream = null;
    this.#id = null;
    this.#setStatus('idle');
  }

  /** The STUN/TURN servers handed out by the server, with their expiry; null before joining. */
  get iceServers(): Readonly<IceServersGrant> | null {
    return this.#ice;
  }

  /**
   * Restarts ICE with one peer (or all), first asking the server for fresh STUN/TURN servers when
   * the current ones have expired or are about to. Used on failed connections; public for scripts.
   */
  async restartIce(peerId?: string): Promise<void> {
    const links = peerId ? [this.#links.get(peerId)].filter((l): l is PeerLink => !!l) : [...this.#links.values()];
    if (!links.length) return;
    const iceServers = await this.#freshIceServers();
    for (const link of links) link.restartIce(iceServers);
  }

  /** The WebRTC statistics of the connection to one peer, or null for an unknown peer. */
  async getStats(peerId: string): Promise<RTCStatsReport | null> {
    return (await this.#links.get(peerId)?.pc.getStats()) ?? null;
  }

  async #run(): Promise<void> {
    const sendAudio = this.#sends('audio');
    const sendVideo = this.#sends('video');
    this.#setStatus('connecting');
    // The camera starts while the socket connects and joins: neither waits for the other.
    const media = openLocalMedia({ audio: sendAudio, video: sendVideo }).then(({ stream, error }) => {
      if (this.#ended || !this.#publish) {
        stopStream(stream);
        return;
      }
      this.#localStream = stream;
      for (const link of this.#links.values()) link.setLocalStream(stream);
      this.#changed();
      if (error) this.#emitError(error);
    });
    try {
      const signaling = new SignalingClient({ server: this.options.server, requestTimeout: this.options.requestTimeout });
      this.#signaling = signaling;
      this.#listen(signaling);
      await signaling.connect();
      await this.#enterRoom(signaling);
    } catch (cause) {
      const error = cause instanceof RtcError ? cause : new RtcError('internal', String(cause), { cause });
      const leftOnPurpose = this.#ended;
      await this.leave();
      await media;
      if (leftOnPurpose) return;
      this.#setStatus('error');
      throw error;
    }
  }

  async #enterRoom(signaling: SignalingClient): Promise<void> {
    const { room, name, capacity, token } = this.options;
    const result = await signaling.join({ room, ...(name ? { name } : {}), ...(capacity ? { capacity } : {}), ...(token ? { token } : {}) });
    if (this.#ended) return;
    if (result.publish === false && this.#publish) this.#stopPublishing();
    this.#joinResult = result;
    this.#ice = { iceServers: result.iceServers, iceServersExpireAt: result.iceServersExpireAt };
    this.#id = result.id;
    for (const peer of result.peers) this.#addPeer(peer, true);
    this.#setStatus('joined');
    this.dispatchEvent(new CustomEvent('joined', { detail: { id: result.id, room: result.room, peers: result.peers } }));
    for (const peer of this.#early.splice(0)) {
      this.#addPeer(peer, false);
      this.dispatchEvent(new CustomEvent('peer-joined', { detail: { peer } }));
    }
  }

  #listen(signaling: SignalingClient): void {
    const socket = signaling.socket;
    socket.on('peer-joined', (peer) => {
      // A member that joined at the same moment may be announced before our own ack arrives.
      if (!this.#id) return void this.#early.push(peer);
      this.#addPeer(peer, false);
      this.dispatchEvent(new CustomEvent('peer-joined', { detail: { peer } }));
    });
    socket.on('peer-left', ({ id }) => this.#removePeer(id));
    socket.on('signal', (message: SignalMessage) => {
      const { from, ...signal } = message;
      void this.#links.get(from)?.handleSignal(signal);
    });
    socket.on('disconnect', (reason) => {
      if (this.#ended || reason === 'io client disconnect') return;
      // The server forgot us: peers are gone for it too. Rejoin on reconnect (socket.io retries).
      this.#closeLinks(true);
      this.#id = null;
      this.#setStatus('connecting');
      this.#emitError(new RtcError('disconnected', `Lost the signaling connection (${reason}); reconnecting`));
    });
    socket.io.on('reconnect', () => {
      if (this.#ended || !this.#joinResult) return;
      this.#enterRoom(signaling).catch((error: RtcError) => {
        this.#setStatus('error');
        this.#emitError(error);
      });
    });
  }

  #addPeer(peer: PeerInfo, initiator: boolean): void {
    if (this.#links.has(peer.id) || !this.#id) return;
    const link = new PeerLink({
      peerId: peer.id,
      polite: this.#id < peer.id,
      initiator,
      iceServers: this.#ice?.iceServers ?? [],
      iceTransportPolicy: this.options.iceTransportPolicy,
      sendAudio: this.#sends('audio'),
      sendVideo: this.#sends('video'),
      send: (signal) => this.#send(peer.id, signal),
      onError: (cause) =>
        this.#emitError(new RtcError('peer_failed', `Negotiation with ${peer.name || peer.id} failed: ${String(cause)}`, { cause })),
    });
    const update = () => {
      this.#peers = new Map(this.#peers).set(peer.id, this.#snapshot(peer.id, link));
      this.#changed();
    };
    link.addEventListener('track', update);
    let restarts = 0;
    link.addEventListener('connectionstatechange', () => {
      update();
      if (link.connectionState === 'connected') restarts = 0;
      if (link.connectionState !== 'failed' || this.#ended) return;
      if (restarts++ < MAX_ICE_RESTARTS) {
        this.restartIce(peer.id).catch((error: RtcError) => this.#emitError(error));
      } else {
        this.#emitError(new RtcError('peer_failed', `The connection to ${peer.name || peer.id} failed`));
      }
    });
    this.#links.set(peer.id, link);
    this.#infos.set(peer.id, peer);
    this.#scaleVideo();
    link.setLocalStream(this.#localStream);
    update();
  }

  /** The current ICE servers, renewed through `ice-servers` when they expire soon. One request at a time. */
  #freshIceServers(): Promise<IceServer[]> {
    const ice = this.#ice;
    const expiring = ice?.iceServersExpireAt != null && ice.iceServersExpireAt - Date.now() < ICE_EXPIRY_MARGIN_MS;
    if (!expiring || !this.#signaling) return Promise.resolve(ice?.iceServers ?? []);
    this.#iceRefresh ??= this.#signaling
      .iceServers()
      .then((grant) => {
        this.#ice = grant;
        return grant.iceServers;
      })
      .finally(() => {
        this.#iceRefresh = null;
      });
    return this.#iceRefresh;
  }

  #sends(kind: 'audio' | 'video'): boolean {
    return this.#publish && (kind === 'audio' ? this.options.sendAudio : this.options.sendVideo);
  }

  /** The server says receive-only although the token could not be read here: stop what was started. */
  #stopPublishing(): void {
    this.#publish = false;
    stopStream(this.#localStream);
    this.#localStream = null;
    this.#changed();
  }

  #scaleVideo(): void {
    const scale = this.#links.size >= HALF_SIZE_FROM_PEERS ? 2 : 1;
    for (const link of this.#links.values()) link.setVideoScale(scale);
  }

  #removePeer(id: string): void {
    const link = this.#links.get(id);
    if (!link) return;
    link.close();
    this.#links.delete(id);
    this.#scaleVideo();
    const peer = this.#infos.get(id) ?? { id, name: '' };
    this.#infos.delete(id);
    const peers = new Map(this.#peers);
    peers.delete(id);
    this.#peers = peers;
    this.#changed();
    this.dispatchEvent(new CustomEvent('peer-left', { detail: { peer } }));
  }

  #closeLinks(announce: boolean): void {
    for (const id of [...this.#links.keys()]) {
      if (announce) this.#removePeer(id);
      else this.#links.get(id)?.close();
    }
    this.#links.clear();
    this.#infos.clear();
    if (this.#peers.size) {
      this.#peers = new Map();
      this.#changed();
    }
  }

  #snapshot(id: string, link: PeerLink): RemotePeer {
    const { name = '', sub, publish } = this.#infos.get(id) ?? {};
    return {
      id,
      name,
      ...(sub !== undefined ? { sub } : {}),
      ...(publish === false ? { publish } : {}),
      stream: link.remoteStream,
      connectionState: link.connectionState,
    };
  }

  #send(to: string, signal: OutgoingSignal): void {
    this.#signaling?.signal({ to, ...signal }).catch((error: RtcError) => {
      // unknown_peer: the peer left while this was in flight; peer-left follows.
      if (error.code !== 'unknown_peer' && !this.#ended) this.#emitError(error);
    });
  }

  #setStatus(status: RoomStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#changed();
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  #emitError(error: RtcError): void {
    this.dispatchEvent(new CustomEvent('error', { detail: error }));
  }
}

export interface RoomSession {
  addEventListener<K extends keyof RoomSessionEventMap>(
    type: K,
    listener: (event: RoomSessionEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof RoomSessionEventMap>(
    type: K,
    listener: (event: RoomSessionEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
