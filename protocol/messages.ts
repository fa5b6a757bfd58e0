// The client-to-server messages and their limits, as plain types (no zod): what the browser uses.
// protocol/schemas.ts holds the zod schemas the server parses them with, checked against these.

/** Room names: 1 to 64 characters of `[A-Za-z0-9_.-]`. */
export const ROOM_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_NAME_LENGTH = 64;
/**
 * An SDP blob is a few KB; 48 KB leaves room for many m-lines, and the whole `signal` message
 * (with JSON escapes) still fits the server's 64 KB message cap.
 */
export const MAX_SDP_LENGTH = 49_152;
export const MAX_CANDIDATE_LENGTH = 1_024;
export const MAX_PEER_ID_LENGTH = 64;
/** Resume tokens are 43 base64url characters (32 random bytes). */
export const RESUME_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A display name as other members see it: control, format (bidi overrides, zero-width), line
 * separator, private-use and lone surrogate characters removed, runs of spaces made one, trimmed,
 * at most 64 characters (whole code points).
 */
export function cleanName(name: string): string {
  const cleaned = name
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  return [...cleaned].slice(0, MAX_NAME_LENGTH).join('').trim();
}

/** An access token (a JWT: three base64url parts); verified only when the server requires tokens. */
export const MAX_TOKEN_LENGTH = 4_096;
/** The most members a mesh room can hold (each member sends one stream per other member). */
export const MAX_ROOM_CAPACITY = 8;
/** The most members an SFU room can hold (each member sends one stream up; needs `JANUS_URL`). */
export const MAX_SFU_ROOM_CAPACITY = 50;
/** The largest `room-message` text (UTF-8 bytes): an SFU room's messages go through the server. */
export const MAX_ROOM_MESSAGE_LENGTH = 32_768;

export interface JoinRequest {
  room: string;
  name?: string | undefined;
  /** Lowers a new room's capacity (the server's limit wins; an existing room keeps its own). */
  capacity?: number | undefined;
  /** The `resumeToken` of an earlier join: the member comes back with the same id. */
  resume?: string | undefined;
  /** An access token; required when the server requires tokens. */
  token?: string | undefined;
}

/** `preflight`: what a join into `room` would get, without joining (for `<rtc-preflight>`). */
export interface PreflightRequest {
  room: string;
  token?: string | undefined;
}

/** `refresh-token`: a member's new access token, mid-call. */
export interface RefreshTokenRequest {
  token: string;
}

export interface SessionDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface IceCandidate {
  /** `candidate:…` as in RTCIceCandidate.toJSON(), or `""` for end-of-candidates. */
  candidate: string;
  sdpMid?: string | null | undefined;
  sdpMLineIndex?: number | null | undefined;
  usernameFragment?: string | null | undefined;
}

export type SignalRequest = { to: string; description: SessionDescription } | { to: string; candidate: IceCandidate };

/** What a member sends: microphone on, camera on, screen shared. Relayed to the others as `media-state`. */
export interface MediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

/** `peer-check`: is this member of my room still there? `unreachable: true`: I gave my connection to it up. */
export interface PeerCheckRequest {
  id: string;
  unreachable?: true | undefined;
}

/** One of a member's two connections to the SFU: `publish` (its media up), `subscribe` (the others' down). */
export type SfuLink = 'publish' | 'subscribe';

/** `sfu-signal` from a member of an `sfu` room: a description or a candidate for one of its links. */
export type SfuSignalRequest = { link: SfuLink; description: SessionDescription } | { link: SfuLink; candidate: IceCandidate };

/** `room-message`: a message for every other member of an `sfu` room (a mesh uses data channels). */
export interface RoomMessageRequest {
  text: string;
}
