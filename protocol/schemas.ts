// Runtime schemas (zod) for every client-to-server payload, with the limits they enforce. The server
// parses every inbound payload with these before it looks at it; the browser imports types only.
import { z } from 'zod';

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

const displayName = z
  .string()
  .max(MAX_NAME_LENGTH * 4)
  .transform(cleanName);
/** An access token (a JWT: three base64url parts); verified only when the server requires tokens. */
export const MAX_TOKEN_LENGTH = 4_096;

/** The most members a mesh room can hold (each member sends one stream per other member). */
export const MAX_ROOM_CAPACITY = 8;
/** The most members an SFU room can hold (each member sends one stream up; needs `JANUS_URL`). */
export const MAX_SFU_ROOM_CAPACITY = 50;

export const joinRequestSchema = z.strictObject({
  room: z.string().regex(ROOM_NAME_PATTERN, 'room: 1 to 64 characters of A-Z a-z 0-9 _ . -'),
  name: displayName.optional(),
  /** Lowers a new room's capacity (the server's limit wins; an existing room keeps its own). */
  capacity: z.number().int().min(2).max(MAX_SFU_ROOM_CAPACITY).optional(),
  /**
   * The `resumeToken` of an earlier join: the member comes back with the same id (after a dropped
   * connection or a server restart), and its place is the one it held.
   */
  resume: z.string().regex(RESUME_TOKEN_PATTERN, 'resume: a resumeToken from an earlier join').optional(),
  /** An access token; required when the server has `ACCESS_TOKEN_SECRET` or `ACCESS_TOKEN_PUBLIC_KEY`. */
  token: z.string().max(MAX_TOKEN_LENGTH).optional(),
});
export type JoinRequest = z.input<typeof joinRequestSchema>;

/** `preflight`: what a join into `room` would get, without joining (for `<rtc-preflight>`). */
export const preflightRequestSchema = z.strictObject({
  room: joinRequestSchema.shape.room,
  /** The same access token a join would need, when the server requires one. */
  token: z.string().max(MAX_TOKEN_LENGTH).optional(),
});
export type PreflightRequest = z.input<typeof preflightRequestSchema>;

/**
 * `refresh-token`: a fresh access token for the member's own seat, mid-call (same `sub`, a room it
 * allows); the server answers fresh ICE servers whose TURN credentials end with the new token.
 */
export const refreshTokenRequestSchema = z.strictObject({ token: z.string().min(1).max(MAX_TOKEN_LENGTH) });
export type RefreshTokenRequest = z.input<typeof refreshTokenRequestSchema>;

/** Text without control characters other than tab, CR and LF (SDP lines end in CRLF). */
const NO_CONTROLS = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$/;

export const sessionDescriptionSchema = z.strictObject({
  type: z.enum(['offer', 'answer']),
  sdp: z
    .string()
    .max(MAX_SDP_LENGTH)
    .startsWith('v=0', 'sdp: a session description starts with v=0')
    .regex(NO_CONTROLS, 'sdp: control characters'),
});

export const iceCandidateSchema = z.strictObject({
  /** `candidate:…` as in RTCIceCandidate.toJSON(), or `""` for end-of-candidates. */
  candidate: z
    .string()
    .max(MAX_CANDIDATE_LENGTH)
    .regex(/^(candidate:[\x20-\x7e]*)?$/, 'candidate: "candidate:…" in printable ASCII, or ""'),
  sdpMid: z
    .string()
    .max(64)
    .regex(/^[\x21-\x7e]*$/, 'sdpMid: a token')
    .nullable()
    .optional(),
  sdpMLineIndex: z.number().int().min(0).max(1024).nullable().optional(),
  usernameFragment: z
    .string()
    .max(256)
    .regex(/^[\x21-\x7e]*$/, 'usernameFragment: ICE characters')
    .nullable()
    .optional(),
});

const peerId = z.string().min(1).max(MAX_PEER_ID_LENGTH);

export const signalRequestSchema = z.union([
  z.strictObject({ to: peerId, description: sessionDescriptionSchema }),
  z.strictObject({ to: peerId, candidate: iceCandidateSchema }),
]);
export type SignalRequest = z.input<typeof signalRequestSchema>;
export type SessionDescription = z.infer<typeof sessionDescriptionSchema>;
export type IceCandidate = z.infer<typeof iceCandidateSchema>;

/** What a member sends: microphone on, camera on, screen shared. Relayed to the others as `media-state`. */
export const mediaStateSchema = z.strictObject({
  audio: z.boolean(),
  video: z.boolean(),
  screen: z.boolean(),
});
export type MediaState = z.infer<typeof mediaStateSchema>;

/**
 * `peer-check`: is this member of my room still there? (for a peer whose connection went quiet)
 * With `unreachable: true`: I gave up my connection to it (ICE restarts did not bring it back);
 * tell it (`peer-unreachable`), so that it closes its side too. No probe then.
 */
export const peerCheckRequestSchema = z.strictObject({ id: peerId, unreachable: z.literal(true).optional() });
export type PeerCheckRequest = z.input<typeof peerCheckRequestSchema>;

/**
 * One of a member's two connections to the SFU in an `sfu` room: `publish` carries its own media up
 * (the browser offers, the server answers); `subscribe` carries the other members' media down (the
 * server offers, again whenever publishers come or go; the browser answers).
 */
export const sfuLinkSchema = z.enum(['publish', 'subscribe']);
export type SfuLink = z.infer<typeof sfuLinkSchema>;

/** `sfu-signal` from a member of an `sfu` room: a description or a candidate for one of its links. */
export const sfuSignalRequestSchema = z.union([
  z.strictObject({ link: sfuLinkSchema, description: sessionDescriptionSchema }),
  z.strictObject({ link: sfuLinkSchema, candidate: iceCandidateSchema }),
]);
export type SfuSignalRequest = z.input<typeof sfuSignalRequestSchema>;

/** The largest `room-message` text (UTF-8 bytes): an SFU room's messages go through the server. */
export const MAX_ROOM_MESSAGE_LENGTH = 32_768;

/** `room-message`: a message for every other member of an `sfu` room (a mesh uses data channels). */
export const roomMessageRequestSchema = z.strictObject({ text: z.string().max(MAX_ROOM_MESSAGE_LENGTH) });
export type RoomMessageRequest = z.input<typeof roomMessageRequestSchema>;
