import type { ErrorBody, ErrorCode } from './protocol.js';

/** An error with a protocol code; signaling handlers turn it into a `{ ok: false, error }` ack. */
export class SignalingError extends Error {
  override readonly name = 'SignalingError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}
