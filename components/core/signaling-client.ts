import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  IceServersGrant,
  JoinRequest,
  JoinResult,
  MediaState,
  MediaStateMessage,
  PeerInfo,
  PreflightRequest,
  ServerToClientEvents,
  SfuSignalMessage,
  SfuSignalRequest,
  SignalMessage,
  SignalRequest,
} from '../../protocol/index.js';
import { RtcError } from './errors.js';
import type { BackoffPolicy } from './retry.js';
import { connectFailureMessage, serverTarget, type ServerTarget } from './server-url.js';
import { TypedEventTarget } from './typed-event-target.js';

export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Reconnection after a lost connection (Socket.IO runs it): 0.5 s, doubling up to 5 s, each +-50 %
 * so that the members of a restarted server do not all come back in the same millisecond.
 */
export const RECONNECT_POLICY: BackoffPolicy = { initialMs: 500, maxMs: 5_000, factor: 2, jitter: 0.5 };

/**
 * Why the connection dropped: the server said it is shutting down (`server closing`), the server
 * disconnected this client (`server-disconnect`), or the transport broke (`transport`: network,
 * ping timeout, a server that died). The client reconnects by itself after each.
 */
export type DropReason = 'server closing' | 'server-disconnect' | 'transport';

/** Socket.IO's `disconnect` reason as a {@link DropReason}; null when this client disconnected itself. */
export function dropReason(socketReason: string): DropReason | null {
  if (socketReason === 'io client disconnect') return null;
  return socketReason === 'io server disconnect' ? 'server-disconnect' : 'transport';
}

export interface SignalingClientEventMap {
  'peer-joined': CustomEvent<PeerInfo>;
  /** The member's connection dropped; it may come back (`peer-joined` again) within the grace. */
  'peer-away': CustomEvent<{ id: string }>;
  'peer-left': CustomEvent<{ id: string }>;
  /** Member `from` gave up its peer connection to this member (it could not reach it); it stays in the room. */
  'peer-unreachable': CustomEvent<{ from: string }>;
  'media-state': CustomEvent<MediaStateMessage>;
  signal: CustomEvent<SignalMessage>;
  /** SFU rooms: the answer, an offer (with its `streams`) or a candidate for one of this member's two links. */
  'sfu-signal': CustomEvent<SfuSignalMessage>;
  /** SFU rooms: the SFU lost this member's media (`ready: false`), or has it back (`ready: true`: publish again). */
  'sfu-state': CustomEvent<{ ready: boolean }>;
  /** SFU rooms: a message from another member (`text` as a data channel would carry it). */
  'room-message': CustomEvent<{ from: string; text: string }>;
  /** The connection dropped (said once per outage); `restored` follows when it is back. */
  dropped: CustomEvent<{ reason: DropReason }>;
  /** Connected again after `dropped`. */
  restored: Event;
  /**
   * The same identity joined `room` again elsewhere (another tab or device) and took this seat
   * over. The connection is closed for good: no `dropped`, no reconnection.
   */
  replaced: CustomEvent<{ room: string }>;
}

export interface SignalingClientOptions {
  /**
   * Signaling server URL; its path is a prefix (`https://host/rtc`: Socket.IO at `/rtc/socket.io/`).
   * `undefined` means the page's own origin.
   */
  server?: string;
  /**
   * How long a request may wait for its acknowledgement, in ms.
   * @default 10000
   */
  requestTimeout?: number;
  /** WebSocket only, never HTTP long-polling: for servers behind a load balancer without sticky sessions. */
  websocketOnly?: boolean;
}

/**
 * The connection to the signaling server, speaking protocol v1 (PROTOCOL.md) over Socket.IO, which
 * it hides: what the server pushes comes out as typed events, requests return promises that resolve
 * with the ack's result or reject with an {@link RtcError} carrying the server's code.
 */
export class SignalingClient extends TypedEventTarget<SignalingClientEventMap> {
  readonly #socket: SignalingSocket;
  readonly #requestTimeout: number;
  readonly #target: ServerTarget;
  /** Rejects a pending connect() when close() is called. */
  #abortConnect: (() => void) | null = null;
  /** A drop was reported and the connection has not come back yet. */
  #dropped = false;

  constructor(options: SignalingClientOptions = {}) {
    super();
    this.#requestTimeout = options.requestTimeout ?? 10_000;
    const opts = {
      // WebSocket first: it saves the polling handshake's round trips; polling stays as fallback.
      transports: options.websocketOnly ? ['websocket'] : ['websocket', 'polling'],
      tryAllTransports: !options.websocketOnly,
      forceNew: true,
      autoConnect: false,
      timeout: this.#requestTimeout,
      // Reconnects forever, with the backoff of RECONNECT_POLICY.
      reconnectionDelay: RECONNECT_POLICY.initialMs,
      reconnectionDelayMax: RECONNECT_POLICY.maxMs,
      randomizationFactor: RECONNECT_POLICY.jitter,
    };
    const target = serverTarget(options.server, typeof location === 'undefined' ? undefined : location.href);
    this.#target = target;
    const socket: SignalingSocket = target.origin ? io(target.origin, { ...opts, path: target.path }) : io({ ...opts, path: target.path });
    this.#socket = socket;
    // The server asks whether this page still runs when a peer's connection to it broke; a page
    // that cannot answer within 2 s is disconnected (and soon gone for the others).
    socket.on('peer-check', (ack) => {
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('peer-joined', (peer) => this.#emit('peer-joined', peer));
    socket.on('peer-away', ({ id }) => this.#emit('peer-away', { id }));
    socket.on('peer-left', ({ id }) => this.#emit('peer-left', { id }));
    socket.on('peer-unreachable', ({ from }) => this.#emit('peer-unreachable', { from }));
    socket.on('media-state', (message) => this.#emit('media-state', message));
    socket.on('signal', (message) => this.#emit('signal', message));
    socket.on('sfu-signal', (message) => this.#emit('sfu-signal', message));
    socket.on('sfu-state', ({ ready }) => this.#emit('sfu-state', { ready: ready === true }));
    socket.on('room-message', ({ from, text }) => this.#emit('room-message', { from, text }));
    socket.on('server-closing', () => this.#drop('server closing'));
    socket.on('seat-taken', ({ room }) => {
      // Taking the seat back would take it from the other page, which would take it back in turn.
      socket.removeAllListeners();
      socket.disconnect();
      this.#emit('replaced', { room: typeof room === 'string' ? room : '' });
    });
    socket.on('disconnect', (why) => {
      const reason = dropReason(why);
      if (!reason) return; // close() or our own disconnect
      this.#drop(reason);
      // Socket.IO reconnects by itself after a lost transport, not after the server's own disconnect.
      if (reason === 'server-disconnect') socket.connect();
    });
    socket.on('connect', () => {
      if (!this.#dropped) return;
      this.#dropped = false;
      this.dispatchEvent(new Event('restored'));
    });
  }

  /**
   * The Socket.IO socket underneath.
   * @deprecated Listen to this client's events and use `connected` instead; the socket is an
   * implementation detail kept for scripts written against earlier versions.
   */
  get socket(): SignalingSocket {
    return this.#socket;
  }

  /** The connection is open now. */
  get connected(): boolean {
    return this.#socket.connected;
  }

  /**
   * Opens the connection and resolves once connected. A server that cannot be reached is tried again
   * and again (Socket.IO's backoff, {@link RECONNECT_POLICY}); `onRetry` hears of each failed attempt
   * (its `cause` is the transport's error). Rejects only when `close()` is called first.
   */
  connect(onRetry?: (error: RtcError) => void): Promise<void> {
    const socket = this.#socket;
    if (socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onError = (err: Error) =>
        onRetry?.(new RtcError('connect_failed', connectFailureMessage(this.#target, err.message), { cause: err }));
      const cleanup = () => {
        this.#abortConnect = null;
        socket.off('connect', onConnect);
        socket.off('connect_error', onError);
      };
      const onConnect = () => {
        cleanup();
        resolve();
      };
      this.#abortConnect = () => {
        cleanup();
        reject(new RtcError('connect_failed', 'The connection was closed before it was made'));
      };
      socket.on('connect', onConnect);
      socket.on('connect_error', onError);
      socket.connect();
    });
  }

  join(request: JoinRequest): Promise<JoinResult> {
    return this.#request<JoinResult>('join', request);
  }

  async signal(request: SignalRequest): Promise<void> {
    await this.#request('signal', request);
  }

  /** SFU rooms: a description or candidate for one of this member's links (`publish` or `subscribe`). */
  async sfuSignal(request: SfuSignalRequest): Promise<void> {
    await this.#request('sfu-signal', request);
  }

  /** SFU rooms: a message for every other member, through the server (`bad_request` in a mesh room). */
  async roomMessage(text: string): Promise<void> {
    await this.#request('room-message', { text });
  }

  async leave(): Promise<void> {
    await this.#request('leave');
  }

  /**
   * Says goodbye without waiting for an answer (the page is going away: nothing would be there to
   * hear it). Does nothing while disconnected.
   */
  leaveBeacon(): void {
    if (this.#socket.connected) this.#socket.emit('leave', () => {});
  }

  /**
   * The STUN/TURN servers a member of `room` would get, without joining (for a check before a call).
   * `token`: the access token a join would need, on servers that require one (`unauthorized` otherwise).
   */
  async preflight(room: string, token?: string): Promise<IceServersGrant & { protocol: number }> {
    const request: PreflightRequest = token ? { room, token } : { room };
    const { ok: _ok, ...grant } = await this.#request<IceServersGrant & { protocol: number; ok: true }>('preflight', request);
    return grant;
  }

  /**
   * Asks the server whether member `id` still runs (its page answers on its socket). False: it did
   * not, and the server has dropped its connection. Members only (`not_joined` otherwise).
   */
  async peerCheck(id: string): Promise<boolean> {
    const { alive } = await this.#request<{ alive: boolean }>('peer-check', { id });
    return alive === true;
  }

  /**
   * Tells member `id` (through the server) that this member gave up its peer connection to it, so
   * that it closes its side too. Members only (`not_joined` otherwise).
   */
  async peerUnreachable(id: string): Promise<void> {
    await this.#request('peer-check', { id, unreachable: true });
  }

  /** Fresh STUN/TURN servers; members only (`not_joined` otherwise). */
  async iceServers(): Promise<IceServersGrant> {
    const { iceServers, iceServersExpireAt, iceServersDegraded } = await this.#request<IceServersGrant>('ice-servers');
    return { iceServers, iceServersExpireAt, ...(iceServersDegraded ? { iceServersDegraded } : {}) };
  }

  /**
   * Hands the server a fresh access token for this member's seat (same `sub`, same `publish`) and
   * returns fresh STUN/TURN servers whose credentials end with it. Members only (`not_joined`);
   * `unauthorized` for a token the server refuses (the seat keeps the old one).
   */
  async refreshToken(token: string): Promise<IceServersGrant> {
    const { iceServers, iceServersExpireAt, iceServersDegraded } = await this.#request<IceServersGrant>('refresh-token', { token });
    return { iceServers, iceServersExpireAt, ...(iceServersDegraded ? { iceServersDegraded } : {}) };
  }

  /** Tells the room this member's microphone/camera/screen state; members only (`not_joined` otherwise). */
  async mediaState(state: MediaState): Promise<void> {
    await this.#request('media-state', state);
  }

  /** Closes the connection for good; no event follows. */
  close(): void {
    this.#abortConnect?.();
    this.#socket.removeAllListeners();
    this.#socket.disconnect();
  }

  #emit<K extends keyof SignalingClientEventMap>(
    type: K,
    detail: SignalingClientEventMap[K] extends CustomEvent<infer D> ? D : never,
  ): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #drop(reason: DropReason): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.#emit('dropped', { reason });
  }

  async #request<T extends object>(event: keyof ClientToServerEvents, ...args: unknown[]): Promise<T> {
    let response: Ack<T>;
    try {
      // socket.io's typed emit cannot express "one of three signatures" generically; the payload
      // types are checked at the public methods above.
      const timed = this.#socket.timeout(this.#requestTimeout);
      const emit = timed.emitWithAck as (ev: string, ...a: unknown[]) => Promise<Ack<T>>;
      response = await emit.call(timed, event, ...args);
    } catch (cause) {
      throw new RtcError('timeout', `The server did not answer '${event}' in time`, { cause });
    }
    if (!response || typeof response !== 'object' || !('ok' in response)) {
      throw new RtcError('internal', `Unexpected answer to '${event}'`);
    }
    if (!response.ok) {
      const { code, message, retryAfterMs } = response.error;
      throw new RtcError(code, message, typeof retryAfterMs === 'number' ? { retryAfterMs } : undefined);
    }
    return response;
  }
}
