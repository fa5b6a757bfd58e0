import type { MediaState } from '../../protocol/index.js';
import type { Clock } from './clock.js';
import { RETRIED_JOIN_CODES, type RtcError } from './errors.js';
import { Retry, type BackoffPolicy } from './retry.js';

/** A refused `media-state` is sent again up to 3 times, about 1, 2, 4 s later (never before the server says). */
export const MEDIA_STATE_RETRY: BackoffPolicy = { initialMs: 1_000, maxMs: 4_000, factor: 2, jitter: 0.2, maxRetries: 3 };

export interface MediaAnnouncerOptions {
  clock: Clock;
  random?: () => number;
  /** This member's media state now. */
  state(): MediaState;
  /** Whether announcing makes sense now (joined, connected); while it does not, it waits for the next join. */
  ready(): boolean;
  /** Sends the state (`media-state`); rejects with the server's RtcError. */
  send(state: MediaState): Promise<void>;
  /** A refusal that is not retried, or the last retry's refusal. */
  onError(error: RtcError): void;
}

/**
 * Tells the others this member's media state once per change. A state the server refused for a
 * passing reason (`rate_limited`, `timeout`, a store that was away) is sent again, as it then is,
 * so that the others do not keep a stale one until the next change.
 */
export class MediaAnnouncer {
  readonly #options: MediaAnnouncerOptions;
  readonly #retry: Retry;
  /** The state last sent (as JSON); null: send whatever comes next. */
  #announced: string | null = null;
  #closed = false;

  constructor(options: MediaAnnouncerOptions) {
    this.#options = options;
    this.#retry = new Retry(MEDIA_STATE_RETRY, { clock: options.clock, random: options.random });
  }

  /** A retry is waiting. */
  get retrying(): boolean {
    return this.#retry.pending;
  }

  /** Sends the current state if it changed since the last one sent and announcing is possible now. */
  announce(): void {
    if (this.#closed || !this.#options.ready()) return;
    const state = this.#options.state();
    const text = JSON.stringify(state);
    if (this.#announced === text) return;
    this.#announced = text;
    this.#retry.cancel();
    this.#options.send(state).then(
      () => {
        if (!this.#closed) this.#retry.reset();
      },
      (error: RtcError) => {
        if (this.#closed) return;
        if (this.#announced === text) this.#announced = null;
        if (RETRIED_JOIN_CODES.has(error.code) && this.#retry.schedule(() => this.announce(), error.retryAfterMs) !== null) return;
        this.#retry.reset();
        this.#options.onError(error);
      },
    );
  }

  /** After a (re)join: the others may have missed changes, so the state is sent again. */
  announceAfterJoin(): void {
    this.#announced = null;
    this.announce();
  }

  /** No more announcements or retries. */
  close(): void {
    this.#closed = true;
    this.#retry.cancel();
  }
}
