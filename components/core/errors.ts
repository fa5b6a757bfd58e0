import type { ErrorCode } from '../../protocol/index.js';

/**
 * Every code an `rtc-error` event can carry: the server's own codes plus those the browser meets.
 * - `connect_failed`: the signaling server could not be reached; it is tried again until `leave()`.
 * - `timeout`: the server did not answer a request in time.
 * - `media_denied` / `no_device` / `media_failed`: the camera or microphone could not be opened;
 *   the call goes on without sending that media.
 * - `peer_failed`: negotiation with one peer failed (an offer or answer was refused).
 * - `peer_unreachable`: the connection to one peer broke and ICE restarts did not bring it back;
 *   that peer is removed.
 * - `autoplay_blocked`: the browser refused to play a peer's audio before a user gesture; the
 *   video plays muted until the next click or key press on the page.
 * - `replaced`: the same identity (access token `sub`) joined the room again elsewhere (another
 *   tab or device) and took this seat over; this call is over and is not rejoined.
 * From the server, among others: `unauthorized` (the server requires an access token and this one
 * is missing, invalid, expired or for another room; never retried) and `rate_limited` (too many
 * requests; the server's answer says when to try again, as `retryAfterMs`: a join waits that long
 * by itself).
 */
export type RtcErrorCode =
  | ErrorCode
  | 'connect_failed'
  | 'timeout'
  | 'media_denied'
  | 'no_device'
  | 'media_failed'
  | 'peer_failed'
  | 'peer_unreachable'
  | 'autoplay_blocked'
  | 'replaced';

/** An error with a closed code, as carried by `rtc-error`. */
export class RtcError extends Error {
  override readonly name = 'RtcError';
  /** With `rate_limited`: how long to wait before the same request can succeed (ms), as the server said. */
  readonly retryAfterMs?: number;
  constructor(
    readonly code: RtcErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Codes after which joining again unchanged cannot succeed. */
export const FATAL_JOIN_CODES: ReadonlySet<RtcErrorCode> = new Set(['room_full', 'bad_request', 'already_joined', 'unauthorized']);

/**
 * Codes of a first join that pass by themselves (a slow or overloaded server, Redis away): the join
 * is tried again, and `state` stays `connecting`. Every other code ends a first join.
 */
export const RETRIED_JOIN_CODES: ReadonlySet<RtcErrorCode> = new Set(['timeout', 'unavailable', 'internal', 'rate_limited']);

/** Turns a getUserMedia rejection into a typed error. */
export function mediaError(cause: unknown): RtcError {
  const name = (cause as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return new RtcError('media_denied', 'Camera or microphone permission was denied', { cause });
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') {
    return new RtcError('no_device', 'No camera or microphone was found', { cause });
  }
  const text = cause instanceof Error ? cause.message : String(cause);
  return new RtcError('media_failed', `Camera or microphone could not be started: ${text}`, { cause });
}
