/**
 * rtc-room wire protocol, version 1: the one place where both ends' message shapes are defined.
 *
 * The browser core imports this module with `import type` only, so zod never reaches the bundle.
 * The server parses every inbound payload with the schemas below before it looks at it.
 * PROTOCOL.md is the prose version of this file; keep them in step.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

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

/** Every error code a server answers with. Closed: clients may switch over it exhaustively. */
export const ERROR_CODES = [
  'bad_request',
  'room_full',
  'not_joined',
  'unknown_peer',
  'peer_away',
  /** `peer-check` for an id that is not a member of the sender's room. */
  'not_in_room',
  'already_joined',
  'unavailable',
  'unauthorized',
  'rate_limited',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** With `rate_limited`: how long to wait before the same request can succeed, in ms. */
  retryAfterMs?: number;
}

/** Every acknowledgement is either `{ ok: true, ...result }` or `{ ok: false, error }`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };
export type AckCallback<T extends object = object> = (response: Ack<T>) => void;

/** W3C RTCIceServer as handed to browsers: always `urls`, never the removed `url`. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface PeerInfo {
  id: string;
  name: string;
  /** The member's latest `media-state`; absent until it has sent one. */
  media?: MediaState;
  /** The `sub` of the member's access token (who the back-end says it is); only with tokens. */
  sub?: string;
  /** Present and false for a receive-only member (its token says `publish: false`). */
  publish?: false;
}

// ---- client to server ------------------------------------------------------------------------

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

const displayName = z.string().max(MAX_NAME_LENGTH * 4).transform(cleanName);
/** An access token (a JWT: three base64url parts); verified only when the server requires tokens. */
export const MAX_TOKEN_LENGTH = 4_096;

/** The most members a mesh room can hold (each member sends one stream per other member). */
export const MAX_ROOM_CAPACITY = 8;

export const joinRequestSchema = z.strictObject({
  room: z.string().regex(ROOM_NAME_PATTERN, 'room: 1 to 64 characters of A-Z a-z 0-9 _ . -'),
  name: displayName.optional(),
  /** Lowers a new room's capacity (the server's limit wins; an existing room keeps its own). */
  capacity: z.number().int().min(2).max(MAX_ROOM_CAPACITY).optional(),
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
  sdpMid: z.string().max(64).regex(/^[\x21-\x7e]*$/, 'sdpMid: a token').nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(1024).nullable().optional(),
  usernameFragment: z.string().max(256).regex(/^[\x21-\x7e]*$/, 'usernameFragment: ICE characters').nullable().optional(),
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

/** `peer-check`: is this member of my room still there? (for a peer whose connection went quiet) */
export const peerCheckRequestSchema = z.strictObject({ id: peerId });
export type PeerCheckRequest = z.input<typeof peerCheckRequestSchema>;

/** The `peer-check` answer: `alive: false` means the server found the member's socket dead and closed it. */
export interface PeerCheckResult {
  alive: boolean;
}

/** STUN/TURN servers for a member: in the `join` answer and the `ice-servers` answer. */
export interface IceServersGrant {
  iceServers: IceServer[];
  /** Unix time in milliseconds after which `iceServers` credentials stop working; null: never. */
  iceServersExpireAt: number | null;
  /** Present and true when the server's provider failed and these are its fallback list. */
  iceServersDegraded?: true;
}

export interface JoinResult extends IceServersGrant {
  /** This member's id in the room, stamped by the server as `from` on everything it relays. */
  id: string;
  /** This member's display name as the others see it (the token's `name` when it has one). */
  name: string;
  /** The `sub` of this member's access token; only with tokens. */
  sub?: string;
  /** Present and false when this member is receive-only: it must not send media. */
  publish?: false;
  room: string;
  /** The room's capacity: the server's, or lower when its first member asked for less. */
  capacity: number;
  /** The other members, in the order they joined. */
  peers: PeerInfo[];
  /**
   * Secret proof of this member's id: join again with `resume` set to it to come back as the same
   * member (the id is derived from it, so it also works on a restarted or another server).
   */
  resumeToken: string;
  /** How long the server keeps this member's place after its connection drops, in ms. */
  reconnectGraceMs: number;
}

export interface ClientToServerEvents {
  join: (request: JoinRequest, ack: AckCallback<JoinResult>) => void;
  signal: (request: SignalRequest, ack: AckCallback) => void;
  leave: (ack: AckCallback) => void;
  /**
   * The ICE servers a member of `room` would get, without joining: for a check before the call.
   * Allowed to whoever may join that room.
   */
  preflight: (request: PreflightRequest, ack: AckCallback<IceServersGrant & { protocol: number }>) => void;
  /** Fresh ICE servers (e.g. before an ICE restart once the old credentials expired). Members only. */
  'ice-servers': (ack: AckCallback<IceServersGrant>) => void;
  /** This member's microphone/camera/screen state, for the others. Members only. */
  'media-state': (state: MediaState, ack: AckCallback) => void;
  /**
   * Asks whether member `id` of the sender's room still answers on its socket (the server asks it
   * with its own `peer-check`, 2 s to answer). A member that does not answer is disconnected, which
   * starts its away/grace path (`peer-away`, then `peer-left`). Members only.
   */
  'peer-check': (request: PeerCheckRequest, ack: AckCallback<PeerCheckResult>) => void;
}

// ---- server to client ------------------------------------------------------------------------

export type SignalMessage =
  | { from: string; description: SessionDescription }
  | { from: string; candidate: IceCandidate };

export interface ServerToClientEvents {
  /** A member came in, or came back (same id) after its connection dropped. */
  'peer-joined': (peer: PeerInfo) => void;
  /** A member's connection dropped; it has `reconnectGraceMs` to come back before `peer-left`. */
  'peer-away': (peer: { id: string }) => void;
  'peer-left': (peer: { id: string }) => void;
  /** The server is shutting down: reconnect (to another instance) and join again with `resume`. */
  'server-closing': (notice: { reason: 'shutdown' }) => void;
  signal: (message: SignalMessage) => void;
  /** A member of your room changed its microphone/camera/screen state. */
  'media-state': (message: MediaStateMessage) => void;
  /** The server checks that this socket is alive (for another member's `peer-check`): answer `{ ok: true }` at once. */
  'peer-check': (ack: (response: { ok: true }) => void) => void;
}

/** `media-state` as relayed: the sender's state with a server-stamped `from`. */
export type MediaStateMessage = { from: string } & MediaState;
