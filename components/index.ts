/** The classes and types, with no side effects: `define.js` registers the tags. */
export { RtcRoomElement } from './rtc-room/rtc-room.js';
export { RtcLocalVideoElement } from './rtc-local-video/rtc-local-video.js';
export { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
export { RtcRemoteVideosElement } from './rtc-remote-videos/rtc-remote-videos.js';
export { RtcControlsElement, DEFAULT_CONTROLS_STRINGS, type RtcControlsStrings } from './rtc-controls/rtc-controls.js';
export * from './events.js';
export { RtcError, type RtcErrorCode } from './internal/errors.js';
export { RoomSession, type RemotePeer, type RoomSessionOptions, type RoomStatus } from './internal/room-session.js';
export { MediaControls, type MediaControlsOptions } from './internal/media-controls.js';
export { deviceStore, type DeviceKind } from './internal/device-store.js';
export { CallActivity } from './internal/call-activity.js';
export { rateQuality, QUALITY_THRESHOLDS, type ConnectionQuality, type QualityRating } from './internal/connection-quality.js';
export { PeerLink, type PeerLinkOptions } from './internal/peer-link.js';
export { SignalingClient, type SignalingClientOptions } from './internal/signaling-client.js';
export type { RoomState } from './internal/room-context.js';
export type { IceServer, PeerInfo, JoinResult, MediaState } from '../server/protocol.js';
