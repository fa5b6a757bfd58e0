import type { JoinRequest, JoinResult, PeerInfo } from '../../protocol/index.js';
import { sleep, type Clock } from './clock.js';
import { FATAL_JOIN_CODES, RETRIED_JOIN_CODES, RtcError } from './errors.js';
import { backoffDelay, Retry, type BackoffPolicy } from './retry.js';
import type { RoomSessionOptions } from './session-types.js';
import type { SignalingLike } from './session-deps.js';

/** A first join refused for a passing reason is tried again after 1 s, doubling up to 8 s (+-50 %). */
export const FIRST_JOIN_RETRY: BackoffPolicy = { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0.5 };
/** A rejoin after a reconnect refused for a passing reason: 2 s, doubling up to 8 s (+-25 %). */
export const REJOIN_RETRY: BackoffPolicy = { initialMs: 2_000, maxMs: 8_000, factor: 2, jitter: 0.25 };

/** The `join` request for these options; `resume` (the last join's token) to come back as the same member. */
export function joinRequest(options: Pick<RoomSessionOptions, 'room' | 'name' | 'capacity' | 'token'>, resume?: string): JoinRequest {
  const { room, name, capacity, token } = options;
  return { room, ...(name ? { name } : {}), ...(capacity ? { capacity } : {}), ...(token ? { token } : {}), ...(resume ? { resume } : {}) };
}

/** Any rejection as an RtcError (`internal` for what is not one). */
export function toRtcError(cause: unknown): RtcError {
  return cause instanceof RtcError ? cause : new RtcError('internal', String(cause), { cause });
}

/**
 * What to do after a first join failed: `retry` while the server refuses for a passing reason
 * ({@link RETRIED_JOIN_CODES}); `already_joined` right after a join that timed out means that one got
 * in (and the leave sent before retrying came too early), so it is passing too. `leaveFirst`: the
 * next attempt first leaves, as this one may have got in unanswered.
 */
export function firstJoinDecision(error: RtcError, afterTimeout: boolean): { retry: boolean; leaveFirst: boolean } {
  const retry = RETRIED_JOIN_CODES.has(error.code) || (afterTimeout && error.code === 'already_joined');
  return { retry, leaveFirst: retry && (error.code === 'timeout' || error.code === 'already_joined') };
}

/** After a failed rejoin: `fatal` when the place is gone or was never ours (the call is over), else `retry`. */
export function rejoinDecision(error: RtcError): 'fatal' | 'retry' {
  return FATAL_JOIN_CODES.has(error.code) ? 'fatal' : 'retry';
}

/** Members we hold a connection to that the rejoin answer does not list: they may still be coming back. */
export function missingAfterRejoin(known: Iterable<string>, present: readonly PeerInfo[]): string[] {
  const here = new Set(present.map((peer) => peer.id));
  return [...known].filter((id) => !here.has(id));
}

export interface FirstJoinOptions {
  clock: Clock;
  random?: () => number;
  /** Each failure that is tried again. */
  onRetry(error: RtcError): void;
  /** Aborted by `leave()`: the join resolves null. */
  signal: AbortSignal;
}

/**
 * The first `join`, tried again while the server refuses for a passing reason, after the
 * {@link FIRST_JOIN_RETRY} backoff (never before the wait a `rate_limited` answer names). Resolves
 * null once `signal` aborts; rejects with the first error that is not passing.
 */
export async function firstJoin(signaling: SignalingLike, request: JoinRequest, options: FirstJoinOptions): Promise<JoinResult | null> {
  let leaveFirst = false;
  for (let retry = 0; ; retry++) {
    try {
      if (leaveFirst) await signaling.leave().catch(() => {}); // the unanswered join may have got in
      return await signaling.join(request);
    } catch (cause) {
      const error = toRtcError(cause);
      if (options.signal.aborted) return null;
      const decision = firstJoinDecision(error, leaveFirst);
      if (!decision.retry) throw error;
      leaveFirst = decision.leaveFirst;
      options.onRetry(error);
      const wait = backoffDelay(FIRST_JOIN_RETRY, retry, error.code === 'rate_limited' ? error.retryAfterMs : undefined, options.random);
      await sleep(options.clock, wait, options.signal);
      if (options.signal.aborted) return null;
    }
  }
}

export interface RejoinOptions {
  clock: Clock;
  random?: () => number;
  /** The join request now (with the last join's `resume` token). */
  request(): JoinRequest;
  /** Back in the room, `downtimeMs` after `dropped()`. */
  joined(result: JoinResult, downtimeMs: number): void;
  /** Every refusal; `fatal`: the place is gone or was never ours, and nothing is tried again. */
  refused(error: RtcError, fatal: boolean): void;
}

/**
 * Joining again as the same member after the signaling connection came back: a refusal for a
 * passing reason is tried again after the {@link REJOIN_RETRY} backoff (never before the wait the
 * server names) while the connection is up; a fatal one ends it.
 */
export class Rejoin {
  readonly #options: RejoinOptions;
  readonly #retry: Retry;
  #droppedAt = 0;
  #attempt = 0;

  constructor(options: RejoinOptions) {
    this.#options = options;
    this.#retry = new Retry(REJOIN_RETRY, options);
  }

  /** The connection dropped now (for `downtimeMs`). */
  dropped(): void {
    this.#droppedAt = this.#options.clock.now();
  }

  /** Joins again on `signaling` (the connection is back). A later call supersedes an earlier one. */
  start(signaling: SignalingLike): void {
    this.#retry.cancel();
    const attempt = ++this.#attempt;
    signaling.join(this.#options.request()).then(
      (result) => {
        if (attempt !== this.#attempt) return;
        this.#retry.reset();
        this.#options.joined(result, Math.round(this.#options.clock.now() - this.#droppedAt));
      },
      (cause: unknown) => {
        if (attempt !== this.#attempt) return;
        const error = toRtcError(cause);
        const fatal = rejoinDecision(error) === 'fatal';
        this.#options.refused(error, fatal);
        if (!fatal && signaling.connected) this.#retry.schedule(() => this.start(signaling), error.retryAfterMs);
      },
    );
  }

  /** Nothing more happens: a pending retry is dropped and an answer still on its way is ignored. */
  cancel(): void {
    this.#retry.cancel();
    this.#attempt++;
  }
}
