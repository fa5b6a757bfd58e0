import type { IceServer, IceServersGrant, JoinResult, MediaState, MediaStateMessage, PeerInfo, SignalMessage } from '../../protocol/index.js';
import { tokenAllowsPublishing } from './access-token.js';
import { FATAL_JOIN_CODES, RETRIED_JOIN_CODES, RtcError } from './errors.js';
import { CallActivity } from './call-activity.js';
import { MediaControls } from './media-controls.js';
import { PeerLink, utf8Length, type OutgoingSignal } from './peer-link.js';
import { SignalingClient } from './signaling-client.js';

/** ICE servers are renewed when they expire within this margin (ms). */
const ICE_EXPIRY_MARGIN_MS = 30_000;
/** ICE restarts tried on a broken connection before giving up with `peer_unreachable`. */
const MAX_ICE_RESTARTS = 3;
/** A `disconnected` connection often comes back by itself; ICE restarts after this long (ms). */
const DISCONNECTED_WAIT_MS = 1_500;
/** An ICE restart that has not connected after this long (ms) counts as failed: the next one starts. */
const RESTART_TIMEOUT_MS = 5_000;
/** A member the server says is away, whose connection is also down this long (ms), is gone. */
const AWAY_DOWN_MS = 1_500;
/** The largest message `send()` takes: bytes of its JSON text as UTF-8 (what data channels count; 64 KiB is what every browser takes). */
export const MAX_MESSAGE_LENGTH = 65_536;
/** Wait between join attempts after a reconnect whose join failed for a passing reason (ms; longer when `rate_limited` says so). */
const REJOIN_RETRY_MS = 2_000;
/** A first join refused for a passing reason is tried again after this long, doubling up to the max (ms). */
const JOIN_RETRY_MS = 1_000;
const JOIN_RETRY_MAX_MS = 8_000;
/** A refused `media-state` is sent again up to this many times, 1 s, 2 s, 3 s later (or when the server says). */
const MEDIA_STATE_RETRIES = 3;
const MEDIA_STATE_RETRY_MS = 1_000;
/** From this many other members on, each is sent the camera at half size (a mesh encodes once per member). */
const HALF_SIZE_FROM_PEERS = 4;

/**
 * `connecting`: opening the signaling connection (tried again until it works) and joining (tried
 * again while the server refuses for a passing reason: `timeout`, `unavailable`, `internal`, `rate_limited`);
 * `reconnecting`: the signaling connection dropped during the call: calls already flowing go on,
 * and the session joins again as the same member once the server is back.
 */
export type RoomStatus = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'error';

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
  /** What the member says it sends (`media-state`); null until it has said. */
  readonly media: MediaState | null;
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
  /** Signaling over WebSocket only (no long-polling fallback). */
  websocketOnly?: boolean;
}

export interface RoomSessionEventMap {
  /** `status`, `peers` or `localStream` changed. */
  change: Event;
  joined: CustomEvent<{ id: string; room: string; peers: PeerInfo[] }>;
  'peer-joined': CustomEvent<{ peer: PeerInfo }>;
  'peer-left': CustomEvent<{ peer: PeerInfo }>;
  /** A message from another member (`send()` on its side). */
  message: CustomEvent<{ peer: PeerInfo; data: unknown }>;
  /** The signaling connection dropped; the calls go on while the session reconnects. */
  reconnecting: CustomEvent<{ reason: string }>;
  /** Back in the room as the same member, `downtimeMs` after the connection dropped. */
  reconnected: CustomEvent<{ id: string; room: string; peers: PeerInfo[]; downtimeMs: number }>;
  error: CustomEvent<RtcError>;
}

/** How the session looks after one peer's connection (ICE restarts, being away). */
interface PeerWatch {
  restarts: number;
  timer: ReturnType<typeof setTimeout> | null;
  /** The server said this member's connection dropped (`peer-away`), or it has not come back after ours did. */
  away: boolean;
  /** A `peer-check` (does the member's page still answer?) is waiting for the server. */
  checking: boolean;
  /** The restart round (`restarts`) for which the server said the member is alive; -1: none yet. */
  checked: number;
}

/**
 * One stay in one room: a signaling connection, the local camera and microphone, and a
 * {@link PeerLink} per other member. Plain TypeScript; the `<rtc-room>` element is a view over it.
 * A session is used once: `join()`, then `leave()`; join again with a new session.
 */
export class RoomSession extends EventTarget {
  #options: Readonly<RoomSessionOptions>;
  /** This member's camera, microphone and screen: mute, camera off, devices, screen sharing. */
  readonly media: MediaControls;
  /** Audio levels, who is speaking, and connection quality per peer, while joined. */
  readonly activity: CallActivity = new CallActivity({
    getStats: (id) => this.getStats(id),
    peers: () => this.#peers.values(),
  });
  #status: RoomStatus = 'idle';
  #id: string | null = null;
  #localStream: MediaStream | null = null;
  #peers = new Map<string, RemotePeer>();
  readonly #links = new Map<string, PeerLink>();
  readonly #names = new Map<string, string>();
  /** Each member's latest `media-state`. */
  readonly #remoteMedia = new Map<string, MediaState>();
  /** The media state last sent to the server (re-sent after every join). */
  #announced: string | null = null;
  /** A `media-state` the server refused for a passing reason, to be sent again; and how often it was. */
  #announceRetry: ReturnType<typeof setTimeout> | null = null;
  #announceTries = 0;
  readonly #infos = new Map<string, PeerInfo>();
  /** False when this member is receive-only (its token says so; the join answer confirms). */
  #publish: boolean;
  #signaling: SignalingClient | null = null;
  #joining: Promise<void> | null = null;
  #joinResult: JoinResult | null = null;
  readonly #watches = new Map<string, PeerWatch>();
  /** When the signaling connection dropped (for `downtimeMs`). */
  #droppedAt = 0;
  #rejoinTimer: ReturnType<typeof setTimeout> | null = null;
  /** Members missing from the room after our rejoin: removed unless they come back within the grace. */
  #returnTimer: ReturnType<typeof setTimeout> | null = null;
  /** The pause before a first join is tried again; leave() ends it early. */
  #joinPause: { timer: ReturnType<typeof setTimeout>; wake: () => void } | null = null;
  /** An outage of the server before joining was reported (once per outage). */
  #connectFailReported = false;
  /** The STUN/TURN servers in use and their expiry (from the join answer or a refresh). */
  #ice: IceServersGrant | null = null;
  #iceRefresh: Promise<IceServer[]> | null = null;
  #ended = false;
  /** Members announced before our join ack arrived. */
  readonly #early: PeerInfo[] = [];

  constructor(options: RoomSessionOptions) {
    super();
    this.#options = Object.freeze({ ...options });
    this.#publish = tokenAllowsPublishing(options.token);
    this.media = new MediaControls({ audio: this.#sends('audio'), video: this.#sends('video') });
    this.media.addEventListener('change', () => {
      if (this.#ended) return;
      this.#localStream = this.media.stream;
      for (const link of this.#links.values()) link.setLocalStream(this.#localStream);
      this.#changed();
      this.#announceMedia();
    });
    this.media.addEventListener('error', (e) => this.#emitError(e.detail));
  }

  /** What the session was made with (`token` as last given to `updateToken()`). */
  get options(): Readonly<RoomSessionOptions> {
    return this.#options;
  }

  /**
   * Takes a fresh access token for the joins still to come (a rejoin after a dropped connection or
   * a server restart), without leaving: a call can outlive a short-lived token. Returns false, and
   * changes nothing, when the new token would change whether this member may send media; that
   * needs a new session.
   */
  updateToken(token: string | undefined): boolean {
    if (tokenAllowsPublishing(token) !== tokenAllowsPublishing(this.#options.token)) return false;
    this.#options = Object.freeze({ ...this.#options, token });
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
    if (this.#joinPause) {
      clearTimeout(this.#joinPause.timer);
      this.#joinPause.wake();
      this.#joinPause = null;
    }
    const signaling = this.#signaling;
    this.#signaling = null;
    globalThis.removeEventListener?.('pagehide', this.#onPageHide);
    if (signaling?.socket.connected && this.#id) {
      await Promise.race([signaling.leave().catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
    }
    signaling?.close();
    this.#clearTimers();
    this.#closeLinks(false);
    this.media.close();
    this.activity.stop();
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
    const text = data === undefined ? undefined : JSON.stringify({ data });
    if (text === undefined) throw new TypeError('send(): data must be a JSON value');
    const bytes = utf8Length(text);
    if (bytes > MAX_MESSAGE_LENGTH) throw new RangeError(`send(): the message is ${bytes} bytes as JSON; at most ${MAX_MESSAGE_LENGTH}`);
    const targets = peerId === undefined ? [...this.#links.values()] : [this.#links.get(peerId)];
    if (targets.some((link) => !link)) throw new RtcError('unknown_peer', `No member ${peerId} in this room`);
    return targets.filter((link) => ['sent', 'queued'].includes(link!.send(text, bytes))).map((link) => link!.peerId);
  }

  /** The WebRTC statistics of the connection to one peer, or null for an unknown peer. */
  async getStats(peerId: string): Promise<RTCStatsReport | null> {
    return (await this.#links.get(peerId)?.pc.getStats()) ?? null;
  }

  async #run(): Promise<void> {
    this.#setStatus('connecting');
    // The camera starts while the socket connects and joins: neither waits for the other.
    const media = this.media.open().then((error) => {
      if (error && !this.#ended) this.#emitError(error);
    });
    try {
      const signaling = new SignalingClient({
        server: this.options.server,
        requestTimeout: this.options.requestTimeout,
        websocketOnly: this.options.websocketOnly,
      });
      this.#signaling = signaling;
      this.#listen(signaling);
      globalThis.addEventListener?.('pagehide', this.#onPageHide);
      await signaling.connect((error) => {
        // Said once per outage; Socket.IO keeps trying and the status stays `connecting`.
        if (this.#connectFailReported || this.#ended) return;
        this.#connectFailReported = true;
        this.#emitError(error);
      });
      this.#connectFailReported = false;
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
    const result = await this.#firstJoin(signaling);
    if (!result || this.#ended) return;
    if (result.publish === false && this.#publish) this.#stopPublishing();
    this.#joinResult = result;
    this.#ice = { iceServers: result.iceServers, iceServersExpireAt: result.iceServersExpireAt };
    this.#id = result.id;
    this.#setStatus('joined');
    for (const peer of result.peers) this.#addPeer(peer, true);
    this.#announced = null;
    this.#announceMedia();
    this.activity.start();
    this.dispatchEvent(new CustomEvent('joined', { detail: { id: result.id, room: result.room, peers: result.peers } }));
    for (const peer of this.#early.splice(0)) {
      this.#addPeer(peer, false);
      this.dispatchEvent(new CustomEvent('peer-joined', { detail: { peer } }));
    }
  }

  /**
   * The first `join`, tried again (status `connecting`, each failure said with `error`) while the
   * server refuses for a passing reason: {@link RETRIED_JOIN_CODES}, after the wait the server
   * asks for with `rate_limited`, else 1 s doubling up to 8 s. Resolves null after `leave()`.
   */
  async #firstJoin(signaling: SignalingClient): Promise<JoinResult | null> {
    const { room, name, capacity, token } = this.options;
    const request = { room, ...(name ? { name } : {}), ...(capacity ? { capacity } : {}), ...(token ? { token } : {}) };
    let timedOut = false;
    for (let attempt = 0; ; attempt++) {
      try {
        if (timedOut) await signaling.leave().catch(() => {}); // the unanswered join may have got in
        return await signaling.join(request);
      } catch (cause) {
        const error = cause instanceof RtcError ? cause : new RtcError('internal', String(cause), { cause });
        if (this.#ended) return null;
        // already_joined right after a join that timed out: that one got in, and the leave came too early
        const passing = RETRIED_JOIN_CODES.has(error.code) || (timedOut && error.code === 'already_joined');
        if (!passing) throw error;
        timedOut = error.code === 'timeout' || error.code === 'already_joined';
        this.#emitError(error);
        const backoff = Math.min(JOIN_RETRY_MAX_MS, JOIN_RETRY_MS * 2 ** attempt) * (0.5 + Math.random());
        const ms = error.code === 'rate_limited' && error.retryAfterMs !== undefined ? error.retryAfterMs + Math.random() * 250 : backoff;
        await new Promise<void>((wake) => (this.#joinPause = { timer: setTimeout(wake, ms), wake }));
        this.#joinPause = null;
        if (this.#ended) return null;
      }
    }
  }

  #listen(signaling: SignalingClient): void {
    const socket = signaling.socket;
    socket.on('peer-joined', (peer) => {
      // A member that joined at the same moment may be announced before our own ack arrives.
      if (!this.#id) return void this.#early.push(peer);
      if (this.#links.has(peer.id)) return this.#peerBack(peer.id);
      this.#addPeer(peer, false);
      this.dispatchEvent(new CustomEvent('peer-joined', { detail: { peer } }));
    });
    socket.on('peer-away', ({ id }) => this.#peerAway(id));
    socket.on('peer-left', ({ id }) => this.#removePeer(id));
    socket.on('media-state', ({ from, ...media }: MediaStateMessage) => {
      const link = this.#links.get(from);
      if (!link) return;
      this.#remoteMedia.set(from, media);
      this.#peers = new Map(this.#peers).set(from, this.#snapshot(from, link));
      this.#changed();
    });
    socket.on('signal', (message: SignalMessage) => {
      const { from, ...signal } = message;
      void this.#links.get(from)?.handleSignal(signal);
    });
    socket.on('server-closing', () => this.#signalingDropped('server closing'));
    socket.on('disconnect', (reason) => {
      if (this.#ended || reason === 'io client disconnect') return;
      this.#signalingDropped(reason);
      // Socket.IO reconnects by itself after a lost transport, not after the server's own disconnect.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect', () => {
      if (this.#status === 'reconnecting') this.#rejoin(signaling);
    });
  }

  /**
   * The page is going away for good (closed, reloaded, navigated): say goodbye, so that the others
   * see this member leave at once rather than after the reconnect grace. A page kept in the
   * back/forward cache (`persisted`) may come back, and keeps its place.
   */
  readonly #onPageHide = (event: Event) => {
    if ((event as PageTransitionEvent).persisted || !this.#signaling?.socket.connected || !this.#id) return;
    this.#signaling.socket.emit('leave', () => {});
  };

  /** The signaling connection is gone: peer connections stay up, the session rejoins when it is back. */
  #signalingDropped(reason: string): void {
    if (this.#status !== 'joined') return;
    this.#droppedAt = performance.now();
    this.#setStatus('reconnecting');
    this.dispatchEvent(new CustomEvent('reconnecting', { detail: { reason } }));
  }

  /** Joins again as the same member (`resume`), keeping the peer connections that still work. */
  #rejoin(signaling: SignalingClient): void {
    if (this.#rejoinTimer) clearTimeout(this.#rejoinTimer);
    this.#rejoinTimer = null;
    const { room, name, capacity, token } = this.options;
    const resume = this.#joinResult?.resumeToken;
    signaling
      .join({ room, ...(name ? { name } : {}), ...(capacity ? { capacity } : {}), ...(token ? { token } : {}), ...(resume ? { resume } : {}) })
      .then((result) => {
        if (this.#ended || this.#signaling !== signaling) return;
        this.#joinResult = result;
        this.#ice = { iceServers: result.iceServers, iceServersExpireAt: result.iceServersExpireAt };
        if (result.id !== this.#id) this.#closeLinks(true); // not the same member: start afresh
        this.#id = result.id;
        this.#setStatus('joined');
        // The others may have missed changes while we were away (and a restarted server knows none).
        this.#announced = null;
        this.#announceMedia();
        const present = new Set(result.peers.map((peer) => peer.id));
        for (const peer of result.peers) {
          if (this.#links.has(peer.id)) this.#peerBack(peer.id);
          else {
            this.#addPeer(peer, true);
            this.dispatchEvent(new CustomEvent('peer-joined', { detail: { peer } }));
          }
        }
        this.#awaitReturn([...this.#links.keys()].filter((id) => !present.has(id)), result.reconnectGraceMs);
        const downtimeMs = Math.round(performance.now() - this.#droppedAt);
        this.dispatchEvent(new CustomEvent('reconnected', { detail: { id: result.id, room: result.room, peers: result.peers, downtimeMs } }));
      })
      .catch((error: RtcError) => {
        if (this.#ended || this.#signaling !== signaling) return;
        this.#emitError(error);
        if (FATAL_JOIN_CODES.has(error.code)) {
          // The place is gone (or was never ours): this call is over.
          this.#clearTimers();
          this.#closeLinks(true);
          this.#setStatus('error');
          signaling.close();
        } else if (signaling.socket.connected) {
          // never before the wait a rate_limited answer names
          this.#rejoinTimer = setTimeout(() => this.#rejoin(signaling), Math.max(REJOIN_RETRY_MS, error.retryAfterMs ?? 0));
        }
      });
  }

  /**
   * Members that were not back when we rejoined (the server restarted, they are still reconnecting)
   * keep their connection until the grace period ends; `peer-joined` in between means they are back.
   */
  #awaitReturn(ids: string[], graceMs: number): void {
    if (this.#returnTimer) clearTimeout(this.#returnTimer);
    this.#returnTimer = null;
    for (const id of ids) this.#peerAway(id);
    if (!ids.length) return;
    this.#returnTimer = setTimeout(() => {
      this.#returnTimer = null;
      for (const id of ids) if (this.#watches.get(id)?.away) this.#removePeer(id);
    }, graceMs);
  }

  #peerAway(id: string): void {
    const watch = this.#watches.get(id);
    if (!watch) return;
    watch.away = true;
    this.#checkPeer(id);
  }

  /** The member is in the room again: its connection is repaired if signals may have been lost. */
  #peerBack(id: string): void {
    const watch = this.#watches.get(id);
    const link = this.#links.get(id);
    if (!watch || !link) return;
    watch.away = false;
    if (link.connectionState !== 'connected' || link.pc.signalingState !== 'stable') {
      watch.restarts = 0;
      watch.checked = -1;
      this.#setWatchTimer(id, null);
      void this.#freshIceServers()
        .catch(() => undefined)
        .then((iceServers) => link.resync(iceServers));
      this.#setWatchTimer(id, RESTART_TIMEOUT_MS);
    }
  }

  /**
   * The ICE policy, run on every connection state change of one peer: `connected` clears everything;
   * `disconnected` waits a moment, `failed` does not; then ICE restarts (fresh servers when the old
   * ones expire), each given a few seconds, up to {@link MAX_ICE_RESTARTS}, then `peer_unreachable`.
   * Before each restart (the first one: as soon as the connection is `disconnected`, during the wait)
   * the server is asked whether the member's page still answers (`peer-check`): a crashed or frozen
   * page whose socket lingers is gone at once.
   * A member the server reports away is not restarted (nothing would carry the offer): once its
   * connection is down too, it is gone.
   */
  #checkPeer(id: string, timedOut = false): void {
    const link = this.#links.get(id);
    const watch = this.#watches.get(id);
    if (!link || !watch || this.#ended) return;
    const state = link.connectionState;
    if (state === 'connected') {
      watch.restarts = 0;
      watch.checked = -1;
      return this.#setWatchTimer(id, null);
    }
    const down = state === 'disconnected' || state === 'failed';
    if (watch.away) {
      if (down) this.#setWatchTimer(id, AWAY_DOWN_MS, () => this.#removePeer(id));
      return;
    }
    if (this.#status !== 'joined') return; // the rejoin repairs it
    if (!timedOut && !(state === 'failed' && !watch.timer)) {
      // disconnected (or a restart still connecting): wait first, unless a wait is already running
      if (down && !watch.timer) {
        this.#setWatchTimer(id, DISCONNECTED_WAIT_MS);
        // Meanwhile ask whether the member's page still answers: a frozen one is gone 1.5 s sooner.
        if (watch.checked !== watch.restarts) this.#askServer(id, watch);
      }
      return;
    }
    if (watch.checked !== watch.restarts) return this.#askServer(id, watch);
    if (watch.restarts >= MAX_ICE_RESTARTS) {
      const name = this.#names.get(id) || id;
      this.#emitError(new RtcError('peer_unreachable', `Lost the connection to ${name}; ${MAX_ICE_RESTARTS} ICE restarts did not bring it back`));
      return this.#removePeer(id);
    }
    watch.restarts++;
    this.restartIce(id).catch((error: RtcError) => this.#emitError(error));
    this.#setWatchTimer(id, RESTART_TIMEOUT_MS);
  }

  /**
   * `peer-check`: the server asks the member's page, which answers within 2 s unless it crashed or
   * froze. Not alive: removed (`peer-left`), like a member whose socket vanished. Alive (or no
   * answer from the server): the ICE restart goes ahead once no wait is running.
   */
  #askServer(id: string, watch: PeerWatch): void {
    if (watch.checking) return;
    const proceed = () => {
      watch.checked = watch.restarts;
      if (!watch.timer) this.#checkPeer(id, true);
    };
    const signaling = this.#signaling;
    if (!signaling?.socket.connected) return proceed();
    watch.checking = true;
    signaling
      .peerCheck(id)
      .then(
        (alive) => ({ alive, code: null }),
        (error: RtcError) => ({ alive: true, code: error.code }),
      )
      .then(({ alive, code }) => {
        watch.checking = false;
        const link = this.#links.get(id);
        if (this.#ended || !link || this.#watches.get(id) !== watch) return;
        // not_in_room: the server knows no such member. Connected again meanwhile: the member's
        // page lives and is reconnecting its socket (peer-joined follows).
        if (!alive || code === 'not_in_room') return link.connectionState === 'connected' ? this.#peerAway(id) : this.#removePeer(id);
        if (code === 'peer_away') return this.#peerAway(id);
        proceed();
      });
  }

  /** One timer per peer: `ms` null clears it; when it fires, `then` runs (default: check again, timed out). */
  #setWatchTimer(id: string, ms: number | null, then?: () => void): void {
    const watch = this.#watches.get(id);
    if (!watch) return;
    if (watch.timer) clearTimeout(watch.timer);
    watch.timer =
      ms === null
        ? null
        : setTimeout(() => {
            watch.timer = null;
            if (then) then();
            else this.#checkPeer(id, true);
          }, ms);
  }

  #clearTimers(): void {
    for (const watch of this.#watches.values()) if (watch.timer) clearTimeout(watch.timer);
    if (this.#rejoinTimer) clearTimeout(this.#rejoinTimer);
    if (this.#returnTimer) clearTimeout(this.#returnTimer);
    if (this.#announceRetry) clearTimeout(this.#announceRetry);
    this.#rejoinTimer = this.#returnTimer = this.#announceRetry = null;
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
    link.addEventListener('message', (event) => this.#onMessage(peer.id, (event as CustomEvent<string>).detail));
    link.addEventListener('connectionstatechange', () => {
      update();
      this.#checkPeer(peer.id);
    });
    this.#links.set(peer.id, link);
    this.#watches.set(peer.id, { restarts: 0, timer: null, away: false, checking: false, checked: -1 });
    this.#names.set(peer.id, peer.name);
    this.#infos.set(peer.id, peer);
    if (peer.media) this.#remoteMedia.set(peer.id, peer.media);
    this.#scaleVideo();
    link.setLocalStream(this.#localStream);
    update();
  }

  #onMessage(peerId: string, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return; // not from an rtc-room peer
    }
    if (!message || typeof message !== 'object' || !('data' in message)) return;
    const peer = { id: peerId, name: this.#names.get(peerId) ?? '' };
    this.dispatchEvent(new CustomEvent('message', { detail: { peer, data: message.data } }));
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
    this.media.close();
    this.#localStream = null;
    for (const link of this.#links.values()) link.setLocalStream(null);
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
    this.#dropWatch(id);
    this.#scaleVideo();
    const peer = this.#infos.get(id) ?? { id, name: this.#names.get(id) ?? '' };
    this.#infos.delete(id);
    this.#names.delete(id);
    this.#remoteMedia.delete(id);
    const peers = new Map(this.#peers);
    peers.delete(id);
    this.#peers = peers;
    this.#changed();
    this.dispatchEvent(new CustomEvent('peer-left', { detail: { peer } }));
  }

  #dropWatch(id: string): void {
    const timer = this.#watches.get(id)?.timer;
    if (timer) clearTimeout(timer);
    this.#watches.delete(id);
  }

  #closeLinks(announce: boolean): void {
    for (const id of [...this.#links.keys()]) {
      if (announce) this.#removePeer(id);
      else this.#links.get(id)?.close();
      this.#dropWatch(id);
    }
    this.#links.clear();
    this.#names.clear();
    this.#infos.clear();
    this.#remoteMedia.clear();
    if (this.#peers.size) {
      this.#peers = new Map();
      this.#changed();
    }
  }

  #snapshot(id: string, link: PeerLink): RemotePeer {
    const { sub, publish } = this.#infos.get(id) ?? {};
    return {
      id,
      name: this.#names.get(id) ?? '',
      ...(sub !== undefined ? { sub } : {}),
      ...(publish === false ? { publish } : {}),
      stream: link.remoteStream,
      connectionState: link.connectionState,
      media: this.#remoteMedia.get(id) ?? null,
    };
  }

  #send(to: string, signal: OutgoingSignal): void {
    // While the server is away nothing is sent: when both sides are back, #peerBack repairs what
    // was lost (a connected call needs nothing).
    if (this.#status !== 'joined') return;
    this.#signaling?.signal({ to, ...signal }).catch((error: RtcError) => {
      // unknown_peer: the peer left while this was in flight (peer-left follows); peer_away: it is
      // reconnecting (peer-joined follows); and anything while we are reconnecting ourselves.
      const passing = error.code === 'unknown_peer' || error.code === 'peer_away' || this.#status !== 'joined';
      if (!passing && !this.#ended) this.#emitError(error);
    });
  }

  /** Tells the others this member's media state, once per change; call again after every (re-)join. */
  #announceMedia(): void {
    const state = this.media.state;
    const text = JSON.stringify(state);
    // While reconnecting it waits: the rejoin announces the state then.
    if (!this.#id || !this.#signaling || this.#status !== 'joined' || this.#announced === text) return;
    this.#announced = text;
    if (this.#announceRetry) clearTimeout(this.#announceRetry);
    this.#announceRetry = null;
    this.#signaling.mediaState(state).then(
      () => {
        this.#announceTries = 0;
      },
      (error: RtcError) => {
        if (this.#ended) return;
        if (this.#announced === text) this.#announced = null;
        // Refused for a passing reason (rate_limited, timeout, Redis away): send the then current
        // state again, so the others do not keep a stale one until the next change.
        if (RETRIED_JOIN_CODES.has(error.code) && this.#announceTries < MEDIA_STATE_RETRIES) {
          this.#announceTries++;
          const wait = Math.max(error.retryAfterMs ?? 0, MEDIA_STATE_RETRY_MS * this.#announceTries);
          this.#announceRetry = setTimeout(() => {
            this.#announceRetry = null;
            this.#announceMedia();
          }, wait);
          return;
        }
        this.#announceTries = 0;
        this.#emitError(error);
      },
    );
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
