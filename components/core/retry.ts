import type { Clock, TimerId } from './clock.js';

/**
 * How a retried action waits: `initialMs` before the second attempt, times `factor` after each
 * further failure up to `maxMs`, each wait spread by +-`jitter` (a fraction) so that many clients
 * that failed together do not come back in the same millisecond. This is the one policy shape of
 * the core; Socket.IO's reconnection is configured from one too.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** @default 2 */
  readonly factor?: number;
  /** A fraction from 0 to 1: each wait is multiplied by a random number in [1 - jitter, 1 + jitter). @default 0.5 */
  readonly jitter?: number;
  /** Retries after the first attempt; Infinity: no limit. @default Infinity */
  readonly maxRetries?: number;
}

/** A wait the server names (`retryAfterMs` of `rate_limited`) is spread by up to this much (ms). */
export const RETRY_AFTER_SPREAD_MS = 250;

/**
 * The wait before retry number `retry` (0 for the first retry): the policy's backoff, and never less
 * than `retryAfterMs` (what the server asked for) plus a little spread. `random` returns [0, 1).
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const { initialMs, maxMs, factor = 2, jitter = 0.5 } = policy;
  const base = Math.min(maxMs, initialMs * factor ** Math.max(0, retry));
  const spread = base * (1 - jitter + 2 * jitter * random());
  if (retryAfterMs === undefined) return spread;
  return Math.max(spread, retryAfterMs + RETRY_AFTER_SPREAD_MS * random());
}

export interface RetryOptions {
  clock: Clock;
  /** @default Math.random */
  random?: () => number;
}

/**
 * One retried action's schedule: `schedule()` after each failure runs the action after the next
 * backoff wait, until the policy's `maxRetries` are spent; `reset()` after a success starts over;
 * `cancel()` drops a pending retry. At most one retry is pending at a time.
 */
export class Retry {
  readonly #policy: BackoffPolicy;
  readonly #clock: Clock;
  readonly #random: () => number;
  #retries = 0;
  #timer: TimerId | null = null;

  constructor(policy: BackoffPolicy, options: RetryOptions) {
    this.#policy = policy;
    this.#clock = options.clock;
    this.#random = options.random ?? Math.random;
  }

  /** Retries scheduled since the last `reset()`. */
  get retries(): number {
    return this.#retries;
  }

  /** A retry is waiting to run. */
  get pending(): boolean {
    return this.#timer !== null;
  }

  /**
   * Runs `action` after the next wait (replacing a pending retry). Returns the wait in ms, or null
   * (and schedules nothing) when the retries are spent.
   */
  schedule(action: () => void, retryAfterMs?: number): number | null {
    this.cancel();
    if (this.#retries >= (this.#policy.maxRetries ?? Infinity)) return null;
    const ms = backoffDelay(this.#policy, this.#retries++, retryAfterMs, this.#random);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      action();
    }, ms);
    return ms;
  }

  /** Drops a pending retry, if any. */
  cancel(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** The action worked: the next failure waits the shortest time again. Cancels a pending retry. */
  reset(): void {
    this.cancel();
    this.#retries = 0;
  }
}
