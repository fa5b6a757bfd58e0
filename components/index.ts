/**
 * `rtc-room/elements`: the element classes, event classes and types, with no side effects
 * (registers no tag). `rtc-room` itself (`define.js`) registers the tags and re-exports all of this.
 */
export { RtcRoomElement } from './rtc-room/rtc-room.js';
export { RtcLocalVideoElement } from './rtc-local-video/rtc-local-video.js';
export { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
export { RtcRemoteVideosElement } from './rtc-remote-videos/rtc-remote-videos.js';
export { RtcChatElement, type RtcChatMessage } from './rtc-chat/rtc-chat.js';
export { RtcPreflightElement } from './rtc-preflight/rtc-preflight.js';
export { RtcControlsElement, DEFAULT_CONTROLS_STRINGS, type RtcControlsStrings } from './rtc-controls/rtc-controls.js';
export * from './events.js';
export { registerStrings, type RtcStrings } from './core/strings.js';
export type { RoomState } from './internal/room-context.js';
export * from './core.js';
