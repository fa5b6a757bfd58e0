import type { RtcError } from '../core/errors.js';
import { RtcErrorEvent, type RtcErrorDetail } from '../events.js';

/** Dispatches `error` from `target` as an `rtc-error` event (`{ code, message, cause?, retryAfterMs? }`). */
export function reportError(target: EventTarget, error: RtcError): void {
  const detail: RtcErrorDetail = { code: error.code, message: error.message };
  if (error.cause !== undefined) detail.cause = error.cause;
  if (error.retryAfterMs !== undefined) detail.retryAfterMs = error.retryAfterMs;
  target.dispatchEvent(new RtcErrorEvent(detail));
}
