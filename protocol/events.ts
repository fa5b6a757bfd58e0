// The Socket.IO events both ends speak (typed for `Server` and `io()` generics), and what the server
// keeps on each socket. Types only: nothing here runs.
import type { AckCallback } from './errors.js';
import type {
  IceCandidate,
  JoinRequest,
  MediaState,
  PeerCheckRequest,
  PreflightRequest,
  SessionDescription,
  SignalRequest,
} from './schemas.js';

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
   * With `unreachable: true` the sender says it gave up its peer connection to `id`: the server
   * does not probe, tells `id` (`peer-unreachable`) unless it is away, and answers whether it is not away.
   */
  'peer-check': (request: PeerCheckRequest, ack: AckCallback<PeerCheckResult>) => void;
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
}

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
