import type { Clock, TimerId } from './clock.js';

/** ICE restarts tried on a broken connection before the member counts as unreachable. */
export const MAX_ICE_RESTARTS = 3;
/** A `disconnected` connection often comes back by itself; ICE restarts after this long (ms). */
export const DISCONNECTED_WAIT_MS = 1_500;
/** An ICE restart that has not connected after this long (ms) counts as failed: the next one starts. */
export const RESTART_TIMEOUT_MS = 5_000;
/** A member the server says is away, whose connection is also down this long (ms), is gone. */
export const AWAY_DOWN_MS = 1_500;
/**
 * A connection still `new` or `connecting` after this long (ms) makes no progress (no candidates
 * came, or the other side gave up): it takes the path of a failed one. ICE over TURN/TLS on a slow
 * network connects within about 10 s.
 */
export const CONNECT_TIMEOUT_MS = 20_000;

export interface PeerHealthOptions {
  /**
   * How long a connection may stay `new` or `connecting` before it counts as failed (ms).
   * @default CONNECT_TIMEOUT_MS
   */
  connectTimeoutMs?: number;
}

/** The server's answer to "does this member's page still answer?" (`peer-check`). */
export type PeerCheckAnswer = 'alive' | 'gone' | 'away';

/**
 * The answer of a `peer-check` request: not alive, or unknown to the server (`not_in_room`), is
 * `gone`; `peer_away` is `away`; any other failure (no answer in time, say) lets ICE restart.
 */
export function peerCheckAnswer(request: Promise<boolean>): Promise<PeerCheckAnswer> {
  return request.then(
    (alive) => (alive ? 'alive' : 'gone'),
    (error: { code?: string }) => (error?.code === 'not_in_room' ? 'gone' : error?.code === 'peer_away' ? 'away' : 'alive'),
  );
}

/** Why {@link PeerHealth} gives a member up. */
export type PeerLoss = 'unreachable' | 'gone';

/** What {@link PeerHealth} reads and does; the session implements it for each peer. */
export interface PeerHealthHost {
  /** The peer connection's state now. */
  connectionState(): RTCPeerConnectionState;
  /** The session is in the room (while it reconnects, its rejoin repairs connections instead). */
  joined(): boolean;
  /** Asks the server whether the member's page still answers; null when the server cannot be asked now. Never rejects. */
  check(): Promise<PeerCheckAnswer> | null;
  /** Restarts ICE with the member. */
  restartIce(): void;
  /** Repairs a connection whose signals may have been lost while the member was away. */
  resync(): void;
  /** Gives the member up: `unreachable` after {@link MAX_ICE_RESTARTS}, `gone` when its page is. */
  lose(why: PeerLoss): void;
}

/**
 * The health of the connection to one member: a state machine over connection state changes, the
 * server's `peer-away`/`peer-joined` and `peer-check` answers, and its own timers (injected clock).
 *
 * `connected` clears everything; `disconnected` waits a moment, `failed` does not, and `new` or
 * `connecting` waits {@link CONNECT_TIMEOUT_MS} (it may still be on its way); then ICE restarts,
 * each given {@link RESTART_TIMEOUT_MS}, up to {@link MAX_ICE_RESTARTS}, then the member is lost
 * as `unreachable`. Before each restart (the first: during the wait) the server is asked
 * whether the member's page still answers: a crashed or frozen page is gone at once. A member the
 * server reports away is not restarted (nothing would carry the offer): once its connection is down
 * too, it is gone.
 */
export class PeerHealth {
  readonly #host: PeerHealthHost;
  readonly #clock: Clock;
  readonly #connectTimeoutMs: number;
  #restarts = 0;
  #timer: TimerId | null = null;
  /** The timer running is the connect timeout (a connection that has not broken, only not connected yet). */
  #connectTimer = false;
  #away = false;
  #checking = false;
  /** The restart round for which the server said the member is alive; -1: none yet. */
  #checked = -1;
  #disposed = false;

  constructor(host: PeerHealthHost, clock: Clock, options: PeerHealthOptions = {}) {
    this.#host = host;
    this.#clock = clock;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  }

  /** The server said the member's connection dropped, or it has not come back after ours did. */
  get away(): boolean {
    return this.#away;
  }

  /** ICE restarts tried since the connection was last `connected`. */
  get restarts(): number {
    return this.#restarts;
  }

  /** A timer (wait, restart timeout, away countdown) is running. */
  get waiting(): boolean {
    return this.#timer !== null;
  }

  /** Runs when the connection is made, on every state change of it, and when a timer fires (`timedOut`). */
  update(timedOut = false): void {
    if (this.#disposed) return;
    const state = this.#host.connectionState();
    if (state === 'connected') {
      this.#restarts = 0;
      this.#checked = -1;
      return this.#setTimer(null);
    }
    const down = state === 'disconnected' || state === 'failed';
    // A connection that broke takes the path of a broken one, not the connect timeout.
    if (down && this.#connectTimer) this.#setTimer(null);
    if (this.#away) {
      if (down) this.#setTimer(AWAY_DOWN_MS, () => this.#host.lose('gone'));
      return;
    }
    if (!this.#host.joined()) return;
    if (!timedOut && !(state === 'failed' && !this.#timer)) {
      // disconnected (or a restart still connecting): wait first, unless a wait is already running
      if (down && !this.#timer) {
        this.#setTimer(DISCONNECTED_WAIT_MS);
        // Meanwhile ask whether the member's page still answers: a frozen one is gone sooner.
        if (this.#checked !== this.#restarts) this.#check();
      } else if (!down && !this.#timer && !this.#checking && (state === 'new' || state === 'connecting')) {
        // Not connected yet: give it time, then treat it as failed (check, restart, give up).
        this.#setTimer(this.#connectTimeoutMs);
        this.#connectTimer = true;
      }
      return;
    }
    if (this.#checked !== this.#restarts) return this.#check();
    if (this.#restarts >= MAX_ICE_RESTARTS) return this.#host.lose('unreachable');
    this.#restarts++;
    this.#host.restartIce();
    this.#setTimer(RESTART_TIMEOUT_MS);
  }

  /** The server says the member's connection dropped (`peer-away`). */
  markAway(): void {
    this.#away = true;
    this.update();
  }

  /** The member is in the room again; `repair`: its connection is not sound, so it is resynced. */
  back(repair: boolean): void {
    if (this.#disposed) return;
    this.#away = false;
    if (!repair) return;
    this.#restarts = 0;
    this.#checked = -1;
    this.#setTimer(null);
    this.#host.resync();
    this.#setTimer(RESTART_TIMEOUT_MS);
  }

  /** The member is gone or the session ended: no timer runs, nothing more happens. */
  dispose(): void {
    this.#disposed = true;
    this.#setTimer(null);
  }

  /**
   * `peer-check`: not alive (or unknown to the server) means gone, unless the connection works
   * (then the member's page lives and is reconnecting its socket); alive, or no answer: the ICE
   * restart goes ahead once no wait is running.
   */
  #check(): void {
    if (this.#checking) return;
    const proceed = () => {
      this.#checked = this.#restarts;
      if (!this.#timer) this.update(true);
    };
    const answer = this.#host.check();
    if (!answer) return proceed();
    this.#checking = true;
    void answer.then((result) => {
      this.#checking = false;
      if (this.#disposed) return;
      if (result === 'gone') return this.#host.connectionState() === 'connected' ? this.markAway() : this.#host.lose('gone');
      if (result === 'away') return this.markAway();
      proceed();
    });
  }

  /** One timer: `ms` null clears it; when it fires, `then` runs (default: update, timed out). */
  #setTimer(ms: number | null, then?: () => void): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#connectTimer = false;
    this.#timer =
      ms === null
        ? null
        : this.#clock.setTimeout(() => {
            this.#timer = null;
            this.#connectTimer = false;
            if (then) then();
            else this.update(true);
          }, ms);
  }
}
