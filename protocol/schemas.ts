// Runtime schemas (zod) for every client-to-server payload, with the limits they enforce. The server
// parses every inbound payload with these before it looks at it. The browser never imports this
// file: the message types and limits are in messages.ts (no zod), and the lines at the end fail to
// compile when a schema and its type drift apart.
import { z } from 'zod';
import {
  cleanName,
  MAX_CANDIDATE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PEER_ID_LENGTH,
  MAX_ROOM_MESSAGE_LENGTH,
  MAX_SDP_LENGTH,
  MAX_SFU_ROOM_CAPACITY,
  MAX_TOKEN_LENGTH,
  RESUME_TOKEN_PATTERN,
  ROOM_NAME_PATTERN,
} from './messages.js';
import type * as M from './messages.js';

const displayName = z
  .string()
  .max(MAX_NAME_LENGTH * 4)
  .transform(cleanName);

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

/** `preflight`: what a join into `room` would get, without joining (for `<rtc-preflight>`). */
export const preflightRequestSchema = z.strictObject({
  room: joinRequestSchema.shape.room,
  /** The same access token a join would need, when the server requires one. */
  token: z.string().max(MAX_TOKEN_LENGTH).optional(),
});

/**
 * `refresh-token`: a fresh access token for the member's own seat, mid-call (same `sub`, a room it
 * allows); the server answers fresh ICE servers whose TURN credentials end with the new token.
 */
export const refreshTokenRequestSchema = z.strictObject({ token: z.string().min(1).max(MAX_TOKEN_LENGTH) });

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

/** What a member sends: microphone on, camera on, screen shared. Relayed to the others as `media-state`. */
export const mediaStateSchema = z.strictObject({
  audio: z.boolean(),
  video: z.boolean(),
  screen: z.boolean(),
});

/**
 * `peer-check`: is this member of my room still there? (for a peer whose connection went quiet)
 * With `unreachable: true`: I gave up my connection to it (ICE restarts did not bring it back);
 * tell it (`peer-unreachable`), so that it closes its side too. No probe then.
 */
export const peerCheckRequestSchema = z.strictObject({ id: peerId, unreachable: z.literal(true).optional() });

/**
 * One of a member's two connections to the SFU in an `sfu` room: `publish` carries its own media up
 * (the browser offers, the server answers); `subscribe` carries the other members' media down (the
 * server offers, again whenever publishers come or go; the browser answers).
 */
export const sfuLinkSchema = z.enum(['publish', 'subscribe']);

/** `sfu-signal` from a member of an `sfu` room: a description or a candidate for one of its links. */
export const sfuSignalRequestSchema = z.union([
  z.strictObject({ link: sfuLinkSchema, description: sessionDescriptionSchema }),
  z.strictObject({ link: sfuLinkSchema, candidate: iceCandidateSchema }),
]);

/** `room-message`: a message for every other member of an `sfu` room (a mesh uses data channels). */
export const roomMessageRequestSchema = z.strictObject({ text: z.string().max(MAX_ROOM_MESSAGE_LENGTH) });

/** True when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
/** Fails to compile when a schema and its plain type in messages.ts drift apart (types only, nothing runs). */
export type SchemasMatchTypes = [
  Expect<Same<z.input<typeof joinRequestSchema>, M.JoinRequest>>,
  Expect<Same<z.input<typeof preflightRequestSchema>, M.PreflightRequest>>,
  Expect<Same<z.input<typeof refreshTokenRequestSchema>, M.RefreshTokenRequest>>,
  Expect<Same<z.input<typeof signalRequestSchema>, M.SignalRequest>>,
  Expect<Same<z.infer<typeof sessionDescriptionSchema>, M.SessionDescription>>,
  Expect<Same<z.infer<typeof iceCandidateSchema>, M.IceCandidate>>,
  Expect<Same<z.infer<typeof mediaStateSchema>, M.MediaState>>,
  Expect<Same<z.input<typeof peerCheckRequestSchema>, M.PeerCheckRequest>>,
  Expect<Same<z.infer<typeof sfuLinkSchema>, M.SfuLink>>,
  Expect<Same<z.input<typeof sfuSignalRequestSchema>, M.SfuSignalRequest>>,
  Expect<Same<z.input<typeof roomMessageRequestSchema>, M.RoomMessageRequest>>,
];
