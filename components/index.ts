/** The classes and types, with no side effects: `define.js` registers the tags. */
export { RtcRoomElement } from './rtc-room/rtc-room.js';
export { RtcLocalVideoElement } from './rtc-local-video/rtc-local-video.js';
export { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
export { RtcRemoteVideosElement } from './rtc-remote-videos/rtc-remote-videos.js';
export { RtcChatElement, type RtcChatMessage } from './rtc-chat/rtc-chat.js';
export { RtcPreflightElement } from './rtc-preflight/rtc-preflight.js';
export { runPreflight, type PreflightResult, type PreflightOptions, type CheckResult } from './internal/preflight.js';
export * from './events.js';
export { registerStrings, type RtcStrings } from './internal/strings.js';
export { RtcError, type RtcErrorCode } from './internal/errors.js';
export { RoomSession, type RemotePeer, type RoomSessionOptions, type RoomStatus } from './internal/room-session.js';
export { PeerLink, type PeerLinkOptions } from './internal/peer-link.js';
export { SignalingClient, type SignalingClientOptions } from './internal/signaling-client.js';
export type { RoomState } from './internal/room-context.js';
export type { IceServer, PeerInfo, JoinResult } from '../server/protocol.js';
