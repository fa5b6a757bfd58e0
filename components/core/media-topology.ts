import type { IceServer, MediaState, PeerInfo, RoomMode, SfuSignalMessage, SignalMessage } from '../../protocol/index.js';
import type { RtcError } from './errors.js';
import type { EncodedMessage } from './messages.js';
import type { PeerHealthOptions } from './peer-health.js';
import type { SignalingLike } from './session-deps.js';
import type { RemotePeer } from './session-types.js';

/** What a media topology needs from the session. */
export interface TopologyHost {
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** How long a peer connection may stay `new` or `connecting` before it counts as failed (ms). */
  connectTimeoutMs?: PeerHealthOptions['connectTimeoutMs'];
  /** The ICE servers now, and fresh ones (renewed when they expire soon). */
  iceServers(): IceServer[];
  freshIceServers(): Promise<IceServer[]>;
  sends(kind: 'audio' | 'video'): boolean;
  localStream(): MediaStream | null;
  /** The signaling connection (null once the session ended). */
  signaling(): SignalingLike | null;
  /** The session is in the room (not reconnecting): only then are signals sent. */
  joined(): boolean;
  /** Restarts ICE with one member (with fresh servers). */
  restartIce(id: string): void;
  /** `peers` changed. */
  changed(): void;
  /** A message from one member (`send()` on its side). */
  message(peer: { id: string; name: string }, data: unknown): void;
  /** A member was removed (it left, was lost, or its grace ran out). */
  left(peer: PeerInfo): void;
  error(error: RtcError): void;
}

/**
 * How the session's media travels: a mesh ({@link PeerMesh}, one peer connection per other member)
 * or an SFU ({@link SfuTopology}, one connection up and one down, to the server's SFU). The room's
 * `join` answer says which (`mode`); `RoomSession` talks to either through this interface only.
 */
export interface MediaTopology {
  readonly mode: RoomMode;
  /** The other members as scripts and elements see them (a new Map on every change). */
  readonly peers: ReadonlyMap<string, RemotePeer>;
  has(id: string): boolean;
  ids(): string[];
  /** A member is in the room (`initiator`, in a mesh: we offer). False when it is known already. */
  add(selfId: string, peer: PeerInfo, initiator: boolean): boolean;
  /** Takes a member out, says so (`changed`, `left`) and closes what carried its media. */
  remove(id: string): void;
  /** Takes every member out: `announce`, each with `left`; else silently. Closes every connection. */
  clear(announce: boolean): void;
  /** The server says the member's connection dropped (`peer-away`). */
  away(id: string): void;
  /** The member is in the room again (`peer-joined` for a known id, or listed after our rejoin). */
  back(peer: PeerInfo): void;
  /** Member `id` gave up its connection to this one (`peer-unreachable`). */
  unreachableFrom(id: string): void;
  /** Members missing after our rejoin are removed unless they come back within `graceMs`. */
  awaitReturn(ids: string[], graceMs: number): void;
  /** Records a member's `media-state`; false for an unknown member. */
  setMedia(id: string, media: MediaState): boolean;
  /** After every join and rejoin, once the members are in: opens (or repairs) what needs opening. */
  entered(): void;
  /** This member's camera, microphone or screen changed: the senders take the new tracks (`replaceTrack`). */
  setLocalStream(stream: MediaStream | null): void;
  /** Sends a message to every member, or to one; returns the ids it went (or will go) to. */
  send(message: EncodedMessage, id?: string): string[];
  /** The WebRTC statistics of the media from one member; null for an unknown member (or none yet). */
  getStats(id: string): Promise<RTCStatsReport | null>;
  /** Restarts ICE with one member or all (with fresh servers when they expire soon). */
  restartIce(id?: string): Promise<void>;
  /** A mesh `signal` from another member. */
  signal(message: SignalMessage): void;
  /** An `sfu-signal` from the server (SFU rooms). */
  sfuSignal?(message: SfuSignalMessage): void;
  /** `sfu-state` from the server (SFU rooms). */
  sfuState?(ready: boolean): void;
  /** A `room-message` from another member (SFU rooms). */
  roomMessage?(message: { from: string; text: string }): void;
}
