/** Exponential backoff: `initialMs` for the first retry, doubling (or times `factor`) up to `maxMs`. */
export interface BackoffOptions {
  /** The wait before the first retry. */
  readonly initialMs: number;
  /** The longest wait. */
  readonly maxMs: number;
  /** @default 2 */
  readonly factor?: number;
}

/**
 * The server's one retry policy (the Twilio token fetch and the Redis reconnection use it): the
 * wait before retry number `attempt` (1 for the first), in ms.
 */
export function backoffDelay(attempt: number, { initialMs, maxMs, factor = 2 }: BackoffOptions): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`backoff: attempt must be a positive integer (got ${attempt})`);
  return Math.min(maxMs, initialMs * factor ** (attempt - 1));
}

/** `backoffDelay` with its options bound: `(attempt) => ms`. */
export function exponentialBackoff(options: BackoffOptions): (attempt: number) => number {
  if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs) || !((options.factor ?? 2) >= 1)) {
    throw new RangeError('backoff: needs 0 < initialMs <= maxMs and factor >= 1');
  }
  return (attempt) => backoffDelay(attempt, options);
}
