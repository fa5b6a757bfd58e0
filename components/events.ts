import type { PeerInfo } from '../server/protocol.js';
import type { RtcErrorCode } from './internal/errors.js';

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
export interface RtcErrorDetail {
  code: RtcErrorCode;
  message: string;
  /** The underlying error, when there is one (a DOMException from getUserMedia, say). */
  cause?: unknown;
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
