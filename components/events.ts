import type { PeerInfo } from '../protocol/index.js';
import type { PreflightResult } from './core/preflight.js';
import type { RtcErrorCode } from './core/errors.js';

export interface RtcJoinedDetail {
  /** This member's id in the room. */
  id: string;
  room: string;
  /** The members already there. */
  peers: PeerInfo[];
}
export interface RtcLeftDetail {
  room: string;
}
export interface RtcPeerDetail {
  peer: PeerInfo;
}
export interface RtcReconnectingDetail {
  room: string;
  /** Why the signaling connection dropped: `server closing`, `server-disconnect` or `transport`. */
  reason: string;
}
export interface RtcReconnectedDetail extends RtcJoinedDetail {
  /** How long the signaling connection was away, in ms. */
  downtimeMs: number;
}
export interface RtcErrorDetail {
  code: RtcErrorCode;
  message: string;
  /** The underlying error, when there is one (a DOMException from getUserMedia, say). */
  cause?: unknown;
  /** With `rate_limited`: how long the server asked to wait before trying again, in ms. */
  retryAfterMs?: number;
}

const init = <T>(detail: T): CustomEventInit<T> => ({ detail, bubbles: true, composed: true });

/** The room was joined (`detail.peers` lists who is there). */
export class RtcJoinedEvent extends CustomEvent<RtcJoinedDetail> {
  constructor(detail: RtcJoinedDetail) {
    super('rtc-joined', init(detail));
  }
}
/** The room was left, by `leave()`, a new `room` value, or removing the element. */
export class RtcLeftEvent extends CustomEvent<RtcLeftDetail> {
  constructor(detail: RtcLeftDetail) {
    super('rtc-left', init(detail));
  }
}
/** Another member entered the room. */
export class RtcPeerJoinedEvent extends CustomEvent<RtcPeerDetail> {
  constructor(detail: RtcPeerDetail) {
    super('rtc-peer-joined', init(detail));
  }
}
/** Another member left the room (or its connection to the server ended). */
export class RtcPeerLeftEvent extends CustomEvent<RtcPeerDetail> {
  constructor(detail: RtcPeerDetail) {
    super('rtc-peer-left', init(detail));
  }
}
/**
 * The connection to the signaling server dropped (a network change, a server restart). Calls that
 * are flowing go on; the room reconnects and joins again as the same member by itself.
 */
export class RtcReconnectingEvent extends CustomEvent<RtcReconnectingDetail> {
  constructor(detail: RtcReconnectingDetail) {
    super('rtc-reconnecting', init(detail));
  }
}
/** Back in the room as the same member after `rtc-reconnecting`. */
export class RtcReconnectedEvent extends CustomEvent<RtcReconnectedDetail> {
  constructor(detail: RtcReconnectedDetail) {
    super('rtc-reconnected', init(detail));
  }
}
export interface RtcMessageDetail {
  /** Who sent it. */
  peer: PeerInfo;
  /** What it sent with `send()`: any JSON value. */
  data: unknown;
}
/** A message from another member, sent with `send()` over the data channel. */
export class RtcMessageEvent extends CustomEvent<RtcMessageDetail> {
  constructor(detail: RtcMessageDetail) {
    super('rtc-message', init(detail));
  }
}
/** `<rtc-preflight>` finished a check; `detail` is its result. */
export class RtcPreflightEvent extends CustomEvent<PreflightResult> {
  constructor(detail: PreflightResult) {
    super('rtc-preflight', init(detail));
  }
}
/**
 * The browser refused to play the others' sound before the person interacted with the page. The
 * room shows its `audio-prompt` and plays the sound at the next click, tap or key press.
 */
export class RtcAutoplayBlockedEvent extends CustomEvent<{ room: string }> {
  constructor(detail: { room: string }) {
    super('rtc-autoplay-blocked', init(detail));
  }
}
/** Something went wrong; `detail.code` is one of {@link RtcErrorCode}. */
export class RtcErrorEvent extends CustomEvent<RtcErrorDetail> {
  constructor(detail: RtcErrorDetail) {
    super('rtc-error', init(detail));
  }
}

declare global {
  interface HTMLElementEventMap {
    'rtc-joined': RtcJoinedEvent;
    'rtc-left': RtcLeftEvent;
    'rtc-peer-joined': RtcPeerJoinedEvent;
    'rtc-peer-left': RtcPeerLeftEvent;
    'rtc-reconnecting': RtcReconnectingEvent;
    'rtc-reconnected': RtcReconnectedEvent;
    'rtc-autoplay-blocked': RtcAutoplayBlockedEvent;
    'rtc-message': RtcMessageEvent;
    'rtc-preflight': RtcPreflightEvent;
    'rtc-error': RtcErrorEvent;
  }
}

/**
 * `<rtc-controls>`' leave button was pressed. Cancel it (`preventDefault()`) to ask the person
 * first, or to leave some other way; otherwise the room is left.
 */
export class RtcLeaveRequestEvent extends Event {
  constructor() {
    super('rtc-leave-request', { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'rtc-leave-request': RtcLeaveRequestEvent;
  }
}
