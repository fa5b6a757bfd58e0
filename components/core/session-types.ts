import type { MediaState, PeerInfo } from '../../protocol/index.js';
import type { RtcError } from './errors.js';
import type { SessionDeps } from './session-deps.js';

/**
 * `connecting`: opening the signaling connection (tried again until it works) and joining (tried
 * again while the server refuses for a passing reason: `timeout`, `unavailable`, `internal`, `rate_limited`);
 * `reconnecting`: the signaling connection dropped during the call: calls already flowing go on,
 * and the session joins again as the same member once the server is back.
 */
export type RoomStatus = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'error';

/** A remote member as scripts and elements see it. Replaced, not mutated, when it changes. */
export interface RemotePeer {
  readonly id: string;
  readonly name: string;
  /** Who the member is according to its access token (`sub`); only when the server uses tokens. */
  readonly sub?: string;
  /** False for a receive-only member: it sends no audio or video. */
  readonly publish?: false;
  /** The member's audio and video; tracks appear as they arrive. */
  readonly stream: MediaStream;
  readonly connectionState: RTCPeerConnectionState;
  /** What the member says it sends (`media-state`); null until it has said. */
  readonly media: MediaState | null;
}

export interface RoomSessionOptions extends Partial<SessionDeps> {
  room: string;
  name?: string;
  /** Signaling server URL; undefined means the page's own origin. */
  server?: string;
  sendAudio: boolean;
  sendVideo: boolean;
  /**
   * Lowers a new room's capacity (2 to 50); the server's limit wins. Above the server's mesh size
   * (and with an SFU configured) the room is an SFU room.
   */
  capacity?: number;
  /** Access token for servers that require one; sent with every join. */
  token?: string;
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** @default 10000 */
  requestTimeout?: number;
  /** Signaling over WebSocket only (no long-polling fallback). */
  websocketOnly?: boolean;
  /**
   * How long a peer connection may stay `new` or `connecting` (ms) before it is treated as failed:
   * the server is asked whether the member is still there, ICE restarts, and after three restarts
   * the member is given up (`peer_unreachable`).
   * @default 20000
   */
  peerConnectTimeout?: number;
  /**
   * In SFU rooms: send the camera in three simulcast layers, for the SFU to forward the one each
   * member's connection and tile size suits. Off by default (each layer costs encoding time).
   */
  simulcast?: boolean;
}

export interface RoomSessionEventMap {
  /** `status`, `peers` or `localStream` changed. */
  change: Event;
  joined: CustomEvent<{ id: string; room: string; peers: PeerInfo[] }>;
  'peer-joined': CustomEvent<{ peer: PeerInfo }>;
  'peer-left': CustomEvent<{ peer: PeerInfo }>;
  /** A message from another member (`send()` on its side). */
  message: CustomEvent<{ peer: PeerInfo; data: unknown }>;
  /** The signaling connection dropped (`reason`: see `DropReason`); the calls go on while the session reconnects. */
  reconnecting: CustomEvent<{ reason: string }>;
  /** Back in the room as the same member, `downtimeMs` after the connection dropped. */
  reconnected: CustomEvent<{ id: string; room: string; peers: PeerInfo[]; downtimeMs: number }>;
  error: CustomEvent<RtcError>;
}
