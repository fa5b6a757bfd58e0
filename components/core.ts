/**
 * `rtc-room/core`: the browser core without any element, for apps that draw their own UI.
 * `RoomSession` joins a room and keeps one perfect-negotiation `PeerLink` per member over a
 * typed `SignalingClient`; it emits typed events (`joined`, `peer-joined`, `peer-left`, …).
 * No side effects: nothing here touches `customElements` or the DOM on import.
 */
export { RtcError, type RtcErrorCode } from './core/errors.js';
export {
  openLocalMedia,
  stopStream,
  DEFAULT_VIDEO_CONSTRAINTS,
  type LocalMediaRequest,
  type LocalMediaResult,
} from './core/local-media.js';
export { PeerLink, type IncomingSignal, type OutgoingSignal, type PeerLinkOptions, type SendOutcome } from './core/peer-link.js';
export { SfuConnection, SIMULCAST_LAYERS, type SfuConnectionOptions, type SfuReceiver } from './core/sfu-link.js';
export { RoomSession, type RemotePeer, type RoomSessionEventMap, type RoomSessionOptions, type RoomStatus } from './core/room-session.js';
export {
  runPreflight,
  checkNetwork,
  describeCheck,
  type CheckResult,
  type CheckStatus,
  type NetworkCheck,
  type PreflightCheck,
  type PreflightOptions,
  type PreflightResult,
} from './core/preflight.js';
export { englishStrings, registerStrings, type RtcStrings } from './core/strings.js';
export { gatherCandidates, type GatherResult } from './core/ice-gather.js';
export { MediaControls, type MediaControlsOptions } from './core/media-controls.js';
export { deviceStore, type DeviceKind } from './core/device-store.js';
export { CallActivity } from './core/call-activity.js';
export { rateQuality, QUALITY_THRESHOLDS, type ConnectionQuality, type QualityRating } from './core/connection-quality.js';
export { SignalingClient, type SignalingClientOptions, type SignalingSocket } from './core/signaling-client.js';
export type { IceServer, IceServersGrant, JoinResult, MediaState, PeerInfo, RoomMode, SfuStream } from '../protocol/index.js';
