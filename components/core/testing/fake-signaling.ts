import type {
  IceServersGrant,
  JoinRequest,
  JoinResult,
  MediaState,
  PeerInfo,
  SfuSignalMessage,
  SfuSignalRequest,
  SignalRequest,
} from '../../../protocol/index.js';
import type { RtcError } from '../errors.js';
import type { SignalingLike } from '../session-deps.js';
import type { DropReason, SignalingClientOptions } from '../signaling-client.js';

/** A join answer with defaults for what a test does not care about. */
export function joinResult(overrides: Partial<JoinResult> = {}): JoinResult {
  return {
    id: 'me',
    name: '',
    room: 'room',
    capacity: 8,
    peers: [],
    iceServers: [{ urls: 'stun:stun.example' }],
    iceServersExpireAt: null,
    resumeToken: 'resume-1',
    reconnectGraceMs: 10_000,
    ...overrides,
  };
}

/**
 * A signaling client without a server: requests are recorded and answered by replaceable handlers,
 * and the test pushes server events with `emit`, `drop` and `restore`.
 */
export class FakeSignaling extends EventTarget implements SignalingLike {
  readonly options: SignalingClientOptions;
  connected = false;
  closed = false;
  beacons = 0;
  readonly joins: JoinRequest[] = [];
  readonly signals: SignalRequest[] = [];
  readonly mediaStates: MediaState[] = [];
  readonly peerChecks: string[] = [];
  /** `sfu-signal` requests (SFU rooms), in order. */
  readonly sfuSignals: SfuSignalRequest[] = [];
  /** `room-message` texts (SFU rooms), in order. */
  readonly roomMessages: string[] = [];
  /** The members this one told it gave up its connection to (`peerUnreachable`). */
  readonly unreachables: string[] = [];
  leaves = 0;
  iceRequests = 0;
  /** The tokens handed over with `refreshToken`. */
  readonly refreshes: string[] = [];
  /** Failed attempts `connect()` reports before it connects. */
  connectFailures: RtcError[] = [];
  onJoin: (request: JoinRequest) => Promise<JoinResult> = async () => joinResult();
  onSignal: (request: SignalRequest) => Promise<void> = async () => {};
  onMediaState: (state: MediaState) => Promise<void> = async () => {};
  onPeerCheck: (id: string) => Promise<boolean> = async () => true;
  onIceServers: () => Promise<IceServersGrant> = async () => ({ iceServers: [], iceServersExpireAt: null });
  onRefreshToken: (token: string) => Promise<IceServersGrant> = async () => ({ iceServers: [], iceServersExpireAt: null });
  onLeave: () => Promise<void> = async () => {};
  onSfuSignal: (request: SfuSignalRequest) => Promise<void> = async () => {};
  onRoomMessage: (text: string) => Promise<void> = async () => {};

  constructor(options: SignalingClientOptions = {}) {
    super();
    this.options = options;
  }

  async connect(onRetry?: (error: RtcError) => void): Promise<void> {
    for (const error of this.connectFailures) onRetry?.(error);
    this.connected = true;
  }
  join(request: JoinRequest): Promise<JoinResult> {
    this.joins.push(request);
    return this.onJoin(request);
  }
  signal(request: SignalRequest): Promise<void> {
    this.signals.push(request);
    return this.onSignal(request);
  }
  sfuSignal(request: SfuSignalRequest): Promise<void> {
    this.sfuSignals.push(request);
    return this.onSfuSignal(request);
  }
  roomMessage(text: string): Promise<void> {
    this.roomMessages.push(text);
    return this.onRoomMessage(text);
  }
  leave(): Promise<void> {
    this.leaves++;
    return this.onLeave();
  }
  leaveBeacon(): void {
    if (this.connected) this.beacons++;
  }
  peerCheck(id: string): Promise<boolean> {
    this.peerChecks.push(id);
    return this.onPeerCheck(id);
  }
  async peerUnreachable(id: string): Promise<void> {
    this.unreachables.push(id);
  }
  iceServers(): Promise<IceServersGrant> {
    this.iceRequests++;
    return this.onIceServers();
  }
  refreshToken(token: string): Promise<IceServersGrant> {
    this.refreshes.push(token);
    return this.onRefreshToken(token);
  }
  mediaState(state: MediaState): Promise<void> {
    this.mediaStates.push(state);
    return this.onMediaState(state);
  }
  close(): void {
    this.closed = true;
    this.connected = false;
  }

  /** The server pushes an event. */
  emit(type: 'peer-joined', detail: PeerInfo): void;
  emit(type: 'peer-away' | 'peer-left', detail: { id: string }): void;
  emit(type: 'media-state', detail: MediaState & { from: string }): void;
  emit(type: 'peer-unreachable', detail: { from: string }): void;
  emit(type: 'replaced', detail: { room: string }): void;
  emit(type: 'sfu-signal', detail: SfuSignalMessage): void;
  emit(type: 'sfu-state', detail: { ready: boolean }): void;
  emit(type: 'room-message', detail: { from: string; text: string }): void;
  emit(type: 'signal', detail: SignalRequest extends infer S ? Omit<S & object, 'to'> & { from: string } : never): void;
  emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** The connection drops. */
  drop(reason: DropReason = 'transport'): void {
    this.connected = false;
    this.dispatchEvent(new CustomEvent('dropped', { detail: { reason } }));
  }

  /** The connection is back. */
  restore(): void {
    this.connected = true;
    this.dispatchEvent(new Event('restored'));
  }
}
