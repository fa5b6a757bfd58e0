import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  IceServersGrant,
  JoinRequest,
  JoinResult,
  MediaState,
  PreflightRequest,
  ServerToClientEvents,
  SignalRequest,
} from '../../protocol/index.js';
import { RtcError } from './errors.js';

export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SignalingClientOptions {
  /** Signaling server URL; `undefined` means the page's own origin. */
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
 * A typed socket.io-client wrapper speaking protocol v1 (PROTOCOL.md). Requests return promises that
 * resolve with the ack's result or reject with an {@link RtcError} carrying the server's code.
 */
export class SignalingClient {
  readonly socket: SignalingSocket;
  readonly #requestTimeout: number;
  /** Rejects a pending connect() when close() is called. */
  #abortConnect: (() => void) | null = null;

  constructor(options: SignalingClientOptions = {}) {
    this.#requestTimeout = options.requestTimeout ?? 10_000;
    const opts = {
      // WebSocket first: it saves the polling handshake's round trips; polling stays as fallback.
      transports: options.websocketOnly ? ['websocket'] : ['websocket', 'polling'],
      tryAllTransports: !options.websocketOnly,
      forceNew: true,
      autoConnect: false,
      timeout: this.#requestTimeout,
      // Reconnects forever: 0.5 s, then doubling up to 5 s, each +-50 % so that the members of a
      // restarted server do not all come back in the same millisecond.
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    };
    this.socket = options.server ? io(options.server, opts) : io(opts);
    // The server asks whether this page still runs when a peer's connection to it broke; a page
    // that cannot answer within 2 s is disconnected (and soon gone for the others).
    this.socket.on('peer-check', (ack) => {
      if (typeof ack === 'function') ack({ ok: true });
    });
  }

  /**
   * Opens the connection and resolves once connected. A server that cannot be reached is tried again
   * and again (Socket.IO's backoff, 0.5 s growing to 5 s); `onRetry` hears of each failed attempt.
   * Rejects only when `close()` is called first.
   */
  connect(onRetry?: (error: RtcError) => void): Promise<void> {
    const socket = this.socket;
    if (socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onError = (err: Error) =>
        onRetry?.(new RtcError('connect_failed', `Could not reach the signaling server (${err.message}); trying again`, { cause: err }));
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

  async leave(): Promise<void> {
    await this.#request('leave');
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

  /** Fresh STUN/TURN servers; members only (`not_joined` otherwise). */
  async iceServers(): Promise<IceServersGrant> {
    const { iceServers, iceServersExpireAt, iceServersDegraded } = await this.#request<IceServersGrant>('ice-servers');
    return { iceServers, iceServersExpireAt, ...(iceServersDegraded ? { iceServersDegraded } : {}) };
  }

  /** Tells the room this member's microphone/camera/screen state; members only (`not_joined` otherwise). */
  async mediaState(state: MediaState): Promise<void> {
    await this.#request('media-state', state);
  }

  close(): void {
    this.#abortConnect?.();
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  async #request<T extends object>(event: keyof ClientToServerEvents, ...args: unknown[]): Promise<T> {
    let response: Ack<T>;
    try {
      // socket.io's typed emit cannot express "one of three signatures" generically; the payload
      // types are checked at the public methods above.
      const timed = this.socket.timeout(this.#requestTimeout);
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
