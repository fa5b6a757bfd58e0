import type { ReactiveController, ReactiveElement } from 'lit';
import { RtcError } from '../core/errors.js';
import { RoomSession, type RoomSessionEventMap, type RoomSessionOptions } from '../core/room-session.js';
import {
  RtcJoinedEvent,
  RtcLeftEvent,
  RtcMessageEvent,
  RtcPeerJoinedEvent,
  RtcPeerLeftEvent,
  RtcReconnectedEvent,
  RtcReconnectingEvent,
} from '../events.js';
import { reportError } from './report-error.js';

/** How long a host removed from the page waits to be put back before it leaves the room (ms). */
const DETACH_GRACE_MS = 1_000;

type Forwarded = Exclude<keyof RoomSessionEventMap, 'change'>;

/** What each session event becomes on the host: the one table of forwarded events. */
const FORWARD: { readonly [K in Forwarded]: (event: RoomSessionEventMap[K], session: RoomSession, host: EventTarget) => void } = {
  joined: (e, _, host) => host.dispatchEvent(new RtcJoinedEvent(e.detail)),
  'peer-joined': (e, _, host) => host.dispatchEvent(new RtcPeerJoinedEvent(e.detail)),
  'peer-left': (e, _, host) => host.dispatchEvent(new RtcPeerLeftEvent(e.detail)),
  message: (e, _, host) => host.dispatchEvent(new RtcMessageEvent(e.detail)),
  reconnecting: (e, session, host) => host.dispatchEvent(new RtcReconnectingEvent({ room: session.options.room, reason: e.detail.reason })),
  reconnected: (e, _, host) => host.dispatchEvent(new RtcReconnectedEvent(e.detail)),
  error: (e, _, host) => reportError(host, e.detail),
};

export interface SessionControllerOptions {
  /** The session the host asks for now. */
  options(): RoomSessionOptions;
  /** The session changed (or is gone): publish a new snapshot. `failed`: its join was refused. */
  onChange(session: RoomSession | null, failed: boolean): void;
  /** The host was removed for good (after the grace), just before it leaves the room. */
  onDetach?(): void;
}

/** What changed on the host since the last `update()`. */
export interface SessionUpdate {
  /** A property the page sets (room, server, name, ...): ends a `leave()`'s stay-out. */
  ownerChanged: boolean;
  tokenChanged: boolean;
  /** Join by itself when there is a room (the host is not `manual`). */
  autoJoin: boolean;
}

/**
 * Owns the host's {@link RoomSession}: joins and leaves, follows the host's options, forwards the
 * session's events as `rtc-*` events on the host, and leaves once the host has been out of the page
 * for a grace period (a move in the DOM keeps the call).
 */
export class SessionController implements ReactiveController {
  readonly #host: ReactiveElement;
  readonly #options: SessionControllerOptions;
  #session: RoomSession | null = null;
  /** Aborted to remove every listener on the current session. */
  #bound: AbortController | null = null;
  /** Set by `leave()`: no joining by itself until an owner property changes, `join()` or a re-attach. */
  #stayOut = false;
  #detachTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: ReactiveElement, options: SessionControllerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  get session(): RoomSession | null {
    return this.#session;
  }

  /** Joins with the host's options, leaving any session first; rejects after reporting `rtc-error`. */
  async join(): Promise<void> {
    await this.leave();
    this.#stayOut = false;
    const session = new RoomSession(this.#options.options());
    this.#bind(session);
    try {
      await session.join();
    } catch (error) {
      if (this.#session === session && error instanceof RtcError) {
        this.#options.onChange(session, true);
        reportError(this.#host, error);
      }
      throw error;
    }
  }

  /** Leaves the room; stays out until `join()`, an owner property changes or the host is re-attached. */
  async leave(): Promise<void> {
    this.#stayOut = true;
    const session = this.#session;
    if (!session) return;
    const wasJoined = session.status === 'joined' || session.status === 'reconnecting';
    this.#bound?.abort();
    this.#bound = null;
    this.#session = null;
    await session.leave();
    this.#options.onChange(null, false);
    if (wasJoined) this.#host.dispatchEvent(new RtcLeftEvent({ room: session.options.room }));
  }

  /** Brings the session in line with the host's options; call after each host update. */
  update({ ownerChanged, tokenChanged, autoJoin }: SessionUpdate): void {
    if (ownerChanged) this.#stayOut = false;
    const session = this.#session;
    const wanted = this.#options.options();
    // A new token alone is kept for later rejoins; the call goes on (unless it changes publishing).
    if (
      session &&
      tokenChanged &&
      session.status !== 'error' &&
      session.status !== 'idle' &&
      sameOptions(session.options, { ...wanted, token: session.options.token })
    ) {
      session.updateToken(wanted.token);
    }
    if (session && !sameOptions(session.options, wanted)) {
      if (wanted.room) this.join().catch(() => {});
      else void this.leave();
    } else if (!session && autoJoin && wanted.room && !this.#stayOut) {
      this.join().catch(() => {});
    }
  }

  hostConnected(): void {
    // Moved in the page: the same call goes on. Back after leaving when removed: join again.
    clearTimeout(this.#detachTimer);
    this.#detachTimer = undefined;
    this.#stayOut = false;
    if (this.#host.hasUpdated) this.#host.requestUpdate();
  }

  hostDisconnected(): void {
    // A move in the DOM (a layout change, a framework re-render, React StrictMode's double mount) is
    // a removal and an insertion: the call waits a moment for the insertion before it leaves.
    clearTimeout(this.#detachTimer);
    this.#detachTimer = setTimeout(() => {
      this.#detachTimer = undefined;
      if (this.#host.isConnected) return;
      this.#options.onDetach?.();
      void this.leave();
    }, DETACH_GRACE_MS);
  }

  #bind(session: RoomSession): void {
    this.#session = session;
    this.#bound = new AbortController();
    const { signal } = this.#bound;
    session.addEventListener('change', () => this.#options.onChange(session, false), { signal });
    for (const [type, forward] of Object.entries(FORWARD) as [Forwarded, (e: Event, s: RoomSession, host: EventTarget) => void][]) {
      session.addEventListener(type, (event) => forward(event, session, this.#host), { signal });
    }
    this.#options.onChange(session, false);
  }
}

function sameOptions(a: Readonly<RoomSessionOptions>, b: RoomSessionOptions): boolean {
  return (Object.keys(b) as (keyof RoomSessionOptions)[]).every((key) => a[key] === b[key]);
}
