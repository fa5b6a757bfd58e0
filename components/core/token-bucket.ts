/**
 * A token bucket per key: up to `burst` at once, then `perSecond`. Used to cut floods from one
 * member (chat lines) to a rate a page can show, on an injected `now()` so tests need no timers.
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: { readonly burst: number; readonly perSecond: number },
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(options.burst >= 1) || !(options.perSecond > 0)) throw new RangeError('TokenBuckets: needs burst >= 1 and perSecond > 0');
  }

  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.options.burst, at: now };
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Forgets `key` (a member who left). */
  delete(key: string): void {
    this.#buckets.delete(key);
  }
}
