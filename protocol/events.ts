// The Socket.IO events both ends speak (typed for `Server` and `io()` generics), and what the server
// keeps on each socket. Types only: nothing here runs.
import type { AckCallback } from './errors.js';
import type {
  IceCandidate,
  JoinRequest,
  MediaState,
  PeerCheckRequest,
  PreflightRequest,
  RefreshTokenRequest,
  RoomMessageRequest,
  SessionDescription,
  SfuLink,
  SfuSignalRequest,
  SignalRequest,
} from './messages.js';

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

/**
 * How a room carries media, fixed for its life: `mesh`, one peer connection per other member
 * (`signal`); `sfu`, two connections to the server's SFU (`sfu-signal`), for rooms above the mesh size.
 */
export type RoomMode = 'mesh' | 'sfu';

/** One remote track on a member's `subscribe` link: which transceiver (`mid`) carries whose media. */
export interface SfuStream {
  mid: string;
  /** The member whose media it is. */
  from: string;
  kind: 'audio' | 'video';
}

export interface JoinResult extends IceServersGrant {
  /** How the room carries media; clients treat it absent (an older server) as `mesh`. */
  mode?: RoomMode;
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
  /**
   * A fresh access token for this member's seat (the old one expires soon): same `sub`, a room it
   * allows, same `publish`. The server checks it as at `join`, counts the member's token expiry from
   * it, and answers fresh ICE servers (TURN credentials end with it). Members only.
   */
  'refresh-token': (request: RefreshTokenRequest, ack: AckCallback<IceServersGrant>) => void;
  /** This member's microphone/camera/screen state, for the others. Members only. */
  'media-state': (state: MediaState, ack: AckCallback) => void;
  /**
   * Asks whether member `id` of the sender's room still answers on its socket (the server asks it
   * with its own `peer-check`, 2 s to answer). A member that does not answer is disconnected, which
   * starts its away/grace path (`peer-away`, then `peer-left`). Members only.
   * With `unreachable: true` the sender says it gave up its peer connection to `id`: the server
   * does not probe, tells `id` (`peer-unreachable`) unless it is away, and answers whether it is not away.
   */
  'peer-check': (request: PeerCheckRequest, ack: AckCallback<PeerCheckResult>) => void;
  /** A description or candidate for one of this member's SFU links. Members of `sfu` rooms only. */
  'sfu-signal': (request: SfuSignalRequest, ack: AckCallback) => void;
  /** A message for every other member of an `sfu` room (`text` as a data channel would carry it). */
  'room-message': (request: RoomMessageRequest, ack: AckCallback) => void;
}

// ---- server to client ------------------------------------------------------------------------

export type SignalMessage = { from: string; description: SessionDescription } | { from: string; candidate: IceCandidate };

export interface ServerToClientEvents {
  /** A member came in, or came back (same id) after its connection dropped. */
  'peer-joined': (peer: PeerInfo) => void;
  /** A member's connection dropped; it has `reconnectGraceMs` to come back before `peer-left`. */
  'peer-away': (peer: { id: string }) => void;
  'peer-left': (peer: { id: string }) => void;
  /** The server is shutting down: reconnect (to another instance) and join again with `resume`. */
  'server-closing': (notice: { reason: 'shutdown' }) => void;
  /**
   * This seat was taken over: the same identity (the access token's `sub`) joined the room again
   * elsewhere (another tab or device). The server disconnects this socket right after; the client
   * must not reconnect and rejoin (the two pages would take the seat from each other in turn).
   */
  'seat-taken': (notice: { room: string }) => void;
  signal: (message: SignalMessage) => void;
  /** A member of your room changed its microphone/camera/screen state. */
  'media-state': (message: MediaStateMessage) => void;
  /** The server checks that this socket is alive (for another member's `peer-check`): answer `{ ok: true }` at once. */
  'peer-check': (ack: (response: { ok: true }) => void) => void;
  /**
   * Member `from` gave up its peer connection to you (it could not reach you; its `peer-check` with
   * `unreachable: true`): close yours to it too. It stays in the room.
   */
  'peer-unreachable': (message: { from: string }) => void;
  /** For one of this member's SFU links: the answer (`publish`), an offer (`subscribe`), or a candidate. */
  'sfu-signal': (message: SfuSignalMessage) => void;
  /**
   * The SFU lost this member's media (it restarted or cannot be reached): `ready: false`, wait (close
   * both links); `ready: true`, publish again (a new offer on `publish`); a `subscribe` offer follows.
   */
  'sfu-state': (message: { ready: boolean }) => void;
  /** A `room-message` from another member of an `sfu` room. */
  'room-message': (message: { from: string; text: string }) => void;
}

export type SfuSignalMessage =
  | { link: 'publish'; description: SessionDescription }
  | { link: 'subscribe'; description: SessionDescription; streams: SfuStream[] }
  | { link: SfuLink; candidate: IceCandidate };

/** `media-state` as relayed: the sender's state with a server-stamped `from`. */
export type MediaStateMessage = { from: string } & MediaState;

/** What the server keeps on each socket. `id` is the member id stamped as `from`. */
export interface SocketData {
  id?: string;
  room?: string;
  /** False for a receive-only member (its access token said `publish: false`). */
  publish?: boolean;
  /** The client's IP address (for per-IP limits), set at connection. */
  ip?: string;
  /** With access tokens: when the member's token expires (Unix ms); `ice-servers` is refused after. */
  tokenExpiresAt?: number;
}
