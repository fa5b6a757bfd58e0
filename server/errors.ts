import type { ErrorBody, ErrorCode } from '../protocol/index.js';

/** An error with a protocol code; signaling handlers turn it into a `{ ok: false, error }` ack. */
export class SignalingError extends Error {
  override readonly name = 'SignalingError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /** With `rate_limited`: when the same request may succeed again, in ms. */
  readonly retryAfterMs?: number;

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}) };
  }
}
