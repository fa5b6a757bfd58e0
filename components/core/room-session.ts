import type { IceServersGrant, JoinResult, PeerInfo, RoomMode } from '../../protocol/index.js';
import { tokenAllowsPublishing } from './access-token.js';
import { CallActivity } from './call-activity.js';
import { sleep } from './clock.js';
import { RtcError } from './errors.js';
import { IceCredentials } from './ice-credentials.js';
import { firstJoin, joinRequest, missingAfterRejoin, Rejoin, toRtcError } from './join-policy.js';
import { mark } from './marks.js';
import { MediaAnnouncer } from './media-announcer.js';
import type { MediaControls } from './media-controls.js';
import { createTopology, routeMediaEvents } from './topology.js';
import type { MediaTopology, TopologyHost } from './media-topology.js';
import { encodeMessage, MAX_MESSAGE_LENGTH } from './messages.js';
import { resolveDeps, type SessionDeps, type SignalingLike } from './session-deps.js';
import type { RemotePeer, RoomSessionEventMap, RoomSessionOptions, RoomStatus } from './session-types.js';
import { TypedEventTarget } from './typed-event-target.js';

export { MAX_MESSAGE_LENGTH, type RemotePeer, type RoomSessionEventMap, type RoomSessionOptions, type RoomStatus };

/**
 * One stay in one room: a signaling connection, the local camera and microphone, and the media
 * topology the room's `join` answer names: a {@link PeerLink} per other member ({@link PeerMesh}),
 * or two connections to the server's SFU ({@link SfuTopology}). Plain TypeScript; the `<rtc-room>`
 * element is a view over it. A session is used once: `join()`, then `leave()`; join again with a
 * new session. It wires the units: the topology (through {@link MediaTopology}),
 * {@link IceCredentials}, {@link MediaAnnouncer}, the join policy, and the signaling client's events.
 */
export class RoomSession extends TypedEventTarget<RoomSessionEventMap> {
  #options: Readonly<RoomSessionOptions>;
  readonly #deps: SessionDeps;
  /** This member's camera, microphone and screen: mute, camera off, devices, screen sharing. */
  readonly media: MediaControls;
  /** Audio levels, who is speaking, and connection quality per peer, while joined. */
  readonly activity: CallActivity = new CallActivity({
    getStats: (id) => this.getStats(id),
    peers: () => this.#topology.peers.values(),
  });
  #status: RoomStatus = 'idle';
  #id: string | null = null;
  #localStream: MediaStream | null = null;
  /** False when this member is receive-only (its token says so; the join answer confirms). */
  #publish: boolean;
  #signaling: SignalingLike | null = null;
  #joining: Promise<void> | null = null;
  #joinResult: JoinResult | null = null;
  #ended = false;
  readonly #abort = new AbortController();
  #unlistenPageHide: (() => void) | null = null;
  /** A mesh until a join answer says otherwise (`mode`). */
  #topology: MediaTopology;
  readonly #topologyHost: TopologyHost;
  readonly #ice: IceCredentials;
  readonly #announcer: MediaAnnouncer;
  readonly #rejoin: Rejoin;
  /** Members announced before our join ack arrived. */
  readonly #early: PeerInfo[] = [];

  constructor(options: RoomSessionOptions) {
    super();
    this.#options = Object.freeze({ ...options });
    const deps = (this.#deps = resolveDeps(options));
    this.#publish = tokenAllowsPublishing(options.token);
    this.#ice = new IceCredentials({ request: () => this.#signaling?.iceServers() ?? null });
    this.#rejoin = new Rejoin({
      ...deps,
      request: () => joinRequest(this.options, this.#joinResult?.resumeToken),
      joined: (result, downtimeMs) => this.#rejoined(result, downtimeMs),
      refused: (error, fatal) => this.#rejoinRefused(error, fatal),
    });
    this.#topologyHost = {
      iceTransportPolicy: options.iceTransportPolicy,
      connectTimeoutMs: options.peerConnectTimeout,
      iceServers: () => this.#ice.servers,
      freshIceServers: () => this.#ice.fresh(),
      sends: (kind) => this.#sends(kind),
      localStream: () => this.#localStream,
      signaling: () => this.#signaling,
      joined: () => this.#status === 'joined',
      restartIce: (id) => void this.restartIce(id).catch((error: RtcError) => this.#emitError(error)),
      changed: () => this.#changed(),
      message: (peer, data) => this.dispatchEvent(new CustomEvent('message', { detail: { peer, data } })),
      left: (peer) => this.dispatchEvent(new CustomEvent('peer-left', { detail: { peer } })),
      error: (error) => this.#emitError(error),
    };
    this.#topology = createTopology('mesh', this.#topologyHost, deps);
    this.#announcer = new MediaAnnouncer({
      ...deps,
      state: () => this.media.state,
      ready: () => !!this.#id && !!this.#signaling && this.#status === 'joined',
      send: (state) => this.#signaling!.mediaState(state),
      onError: (error) => this.#emitError(error),
    });
    this.media = deps.createMedia({ audio: this.#sends('audio'), video: this.#sends('video') });
    this.media.addEventListener('change', () => {
      if (this.#ended) return;
      this.#localStream = this.media.stream;
      if (this.#localStream) mark('camera-ready');
      this.#topology.setLocalStream(this.#localStream);
      this.#changed();
      this.#announcer.announce();
    });
    this.media.addEventListener('error', (e) => this.#emitError(e.detail));
  }

  /** What the session was made with (`token` as last given to `updateToken()`). */
  get options(): Readonly<RoomSessionOptions> {
    return this.#options;
  }

  /**
   * Takes a fresh access token without leaving: a call can outlive a short-lived token. While
   * joined it goes to the server at once (`refresh-token`) for fresh TURN credentials; a refusal
   * is an `error` event and the call goes on. It is also used for the joins still to come (a
   * rejoin after a dropped connection or a server restart). Returns false, and changes nothing,
   * when the new token would change whether this member may send media; that needs a new session.
   */
  updateToken(token: string | undefined): boolean {
    if (tokenAllowsPublishing(token) !== tokenAllowsPublishing(this.#options.token)) return false;
    this.#options = Object.freeze({ ...this.#options, token });
    if (token && this.#signaling && this.#status === 'joined') {
      this.#ice.renew(this.#signaling.refreshToken(token)).catch((error: unknown) => {
        if (!this.#ended) this.#emitError(toRtcError(error));
      });
    }
    return true;
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
  /** How the room carries media (`mesh`, or `sfu` through the server's SFU), once joined; null before. */
  get mode(): RoomMode | null {
    return this.#id ? this.#topology.mode : null;
  }
  get localStream(): MediaStream | null {
    return this.#localStream;
  }
  get peers(): ReadonlyMap<string, RemotePeer> {
    return this.#topology.peers;
  }
  /** The STUN/TURN servers handed out by the server, with their expiry; null before joining. */
  get iceServers(): Readonly<IceServersGrant> | null {
    return this.#ice.grant;
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
    this.#abort.abort();
    const signaling = this.#signaling;
    this.#signaling = null;
    this.#unlistenPageHide?.();
    if (signaling?.connected && this.#id) {
      await Promise.race([signaling.leave().catch(() => {}), sleep(this.#deps.clock, 1_000)]);
    }
    signaling?.close();
    this.#rejoin.cancel();
    this.#announcer.close();
    this.#topology.clear(false);
    this.media.close();
    this.activity.stop();
    this.#localStream = null;
    this.#id = null;
    this.#setStatus('idle');
  }

  /**
   * Restarts ICE with one peer (or all), first asking the server for fresh STUN/TURN servers when
   * the current ones have expired or are about to. Used on failed connections; public for scripts.
   */
  restartIce(peerId?: string): Promise<void> {
    return this.#topology.restartIce(peerId);
  }

  /**
   * Sends `data` (any JSON value, at most {@link MAX_MESSAGE_LENGTH} bytes as JSON in UTF-8) to
   * every other member, or to one, over the peer connections' data channels (never through the
   * server). Messages to a member whose channel is still opening, or whose send buffer is full, are
   * queued (in order) and sent when it can take them.
   * Returns the ids of the members it went (or will go) to; a member left out did not get it (its
   * connection is closing, its queue is full, or its browser takes smaller messages). Checks
   * everything before sending to anyone: it throws for all or for none.
   * @throws TypeError for data JSON cannot carry, RangeError when it is too long,
   *   RtcError `unknown_peer` for a peer id that is not in the room.
   */
  send(data: unknown, peerId?: string): string[] {
    return this.#topology.send(encodeMessage(data), peerId);
  }

  /** The WebRTC statistics of the connection to one peer, or null for an unknown peer. */
  async getStats(peerId: string): Promise<RTCStatsReport | null> {
    return this.#topology.getStats(peerId);
  }

  async #run(): Promise<void> {
    this.#setStatus('connecting');
    // The camera starts while the socket connects and joins: neither waits for the other.
    const media = this.media.open().then((error) => {
      if (error && !this.#ended) this.#emitError(error);
    });
    try {
      const { server, requestTimeout, websocketOnly } = this.options;
      const signaling = this.#deps.createSignaling({ server, requestTimeout, websocketOnly });
      this.#signaling = signaling;
      this.#listen(signaling);
      this.#unlistenPageHide = this.#deps.onPageHide(this.#onPageHide);
      let reported = false; // an outage before joining is said once
      await signaling.connect((error) => {
        if (!reported && !this.#ended) this.#emitError(error);
        reported = true;
      });
      mark('socket-open');
      const signal = this.#abort.signal;
      const result = await firstJoin(signaling, joinRequest(this.options), { ...this.#deps, onRetry: (e) => this.#emitError(e), signal });
      mark('join-answer');
      if (result && !this.#ended) this.#entered(result);
    } catch (cause) {
      const error = toRtcError(cause);
      const leftOnPurpose = this.#ended;
      await this.leave();
      await media;
      if (leftOnPurpose) return;
      this.#setStatus('error');
      throw error;
    }
  }

  /** In the room (first join or rejoin): takes the answer, and tells the others our media state afresh. */
  #take(result: JoinResult): void {
    this.#joinResult = result;
    this.#ice.set(result);
    if (this.#id && result.id !== this.#id) this.#topology.clear(true); // not the same member: start afresh
    this.#useTopology(result.mode ?? 'mesh');
    this.#id = result.id;
    this.#setStatus('joined');
    // The others may have missed changes while we were away (and a restarted server knows none).
    this.#announcer.announceAfterJoin();
  }

  #entered(result: JoinResult): void {
    if (result.publish === false && this.#publish) {
      // The server says receive-only although the token could not be read here: stop what was started.
      this.#publish = false;
      this.media.close();
      this.#localStream = null;
    }
    this.#take(result);
    for (const peer of result.peers) this.#topology.add(result.id, peer, true);
    this.#topology.entered();
    this.activity.start();
    this.dispatchEvent(new CustomEvent('joined', { detail: { id: result.id, room: result.room, peers: result.peers } }));
    for (const peer of this.#early.splice(0)) this.#peerJoined(peer);
  }

  #listen(signaling: SignalingLike): void {
    signaling.addEventListener('peer-joined', ({ detail: peer }) => {
      // A member that joined at the same moment may be announced before our own ack arrives.
      if (!this.#id) return void this.#early.push(peer);
      if (this.#topology.has(peer.id)) return this.#topology.back(peer);
      this.#peerJoined(peer);
    });
    routeMediaEvents(
      signaling,
      () => this.#topology,
      () => this.#changed(),
    );
    signaling.addEventListener('dropped', ({ detail }) => this.#dropped(detail.reason));
    signaling.addEventListener('replaced', () =>
      this.#rejoinRefused(
        new RtcError('replaced', 'This identity joined the room again elsewhere (another tab or device): the call goes on there'),
        true,
      ),
    );
    signaling.addEventListener('restored', () => {
      if (this.#status === 'reconnecting') this.#rejoin.start(signaling);
    });
  }

  /** The page goes for good: say goodbye, so the others see us leave now, not after the grace (bfcache pages keep their place). */
  readonly #onPageHide = (event: Event) => {
    if ((event as PageTransitionEvent).persisted || !this.#id) return;
    this.#signaling?.leaveBeacon();
  };

  /** The signaling connection is gone: peer connections stay up, the session rejoins when it is back. */
  #dropped(reason: string): void {
    if (this.#status !== 'joined' || this.#ended) return;
    this.#rejoin.dropped();
    this.#setStatus('reconnecting');
    this.dispatchEvent(new CustomEvent('reconnecting', { detail: { reason } }));
  }

  /** Back in the room after a dropped connection: peers that are still there are kept (and repaired if need be). */
  #rejoined(result: JoinResult, downtimeMs: number): void {
    if (this.#ended) return;
    this.#take(result);
    const missing = missingAfterRejoin(this.#topology.ids(), result.peers);
    for (const peer of result.peers) {
      if (this.#topology.has(peer.id)) this.#topology.back(peer);
      else this.#peerJoined(peer, true);
    }
    this.#topology.awaitReturn(missing, result.reconnectGraceMs);
    this.#topology.entered();
    const { id, room, peers } = result;
    this.dispatchEvent(new CustomEvent('reconnected', { detail: { id, room, peers, downtimeMs } }));
  }

  /** The rejoin was refused; `fatal`: the place is gone (or was never ours), so this call is over. */
  #rejoinRefused(error: RtcError, fatal: boolean): void {
    if (this.#ended) return;
    this.#emitError(error);
    if (!fatal) return;
    this.#rejoin.cancel();
    this.#announcer.close();
    this.#topology.clear(true);
    this.#setStatus('error');
    this.#signaling?.close();
  }

  #peerJoined(peer: PeerInfo, initiator = false): void {
    if (this.#id && this.#topology.add(this.#id, peer, initiator)) this.dispatchEvent(new CustomEvent('peer-joined', { detail: { peer } }));
  }

  /**
   * Takes the room's mode from a join answer: a room is one or the other for its life, but a rejoin
   * may find it gone and made anew with another mode (its members are then new to this one).
   */
  #useTopology(mode: RoomMode): void {
    if (this.#topology.mode === mode) return;
    this.#topology.clear(true);
    this.#topology = createTopology(mode, this.#topologyHost, this.#deps, { simulcast: this.options.simulcast });
    this.#topology.setLocalStream(this.#localStream);
  }

  #sends(kind: 'audio' | 'video'): boolean {
    return this.#publish && (kind === 'audio' ? this.options.sendAudio : this.options.sendVideo);
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
