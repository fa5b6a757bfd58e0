/**
 * `rtc-room/react`: React components for the tags, made with `@lit/react`'s `createComponent`.
 * Importing this module registers the tags (it imports `rtc-room`). Props are the elements'
 * properties; events are camelCase `on…` props typed with their event class, so a misspelt prop
 * or event is a type error:
 *
 * ```tsx
 * <RtcRoom room="standup" onRtcPeerJoined={(e) => add(e.detail.peer)}>
 *   <RtcRemoteVideos />
 *   <RtcLocalVideo mirror />
 * </RtcRoom>
 * ```
 *
 * Works with React 17 and later (React 19 also takes the bare tags: `rtc-room/jsx-react`).
 */
import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import './define.js';
import type {
  RtcAutoplayBlockedEvent,
  RtcErrorEvent,
  RtcJoinedEvent,
  RtcLeaveRequestEvent,
  RtcLeftEvent,
  RtcMessageEvent,
  RtcPeerJoinedEvent,
  RtcPeerLeftEvent,
  RtcPreflightEvent,
  RtcReconnectedEvent,
  RtcReconnectingEvent,
} from './events.js';
import { RtcChatElement } from './rtc-chat/rtc-chat.js';
import { RtcControlsElement } from './rtc-controls/rtc-controls.js';
import { RtcLocalVideoElement } from './rtc-local-video/rtc-local-video.js';
import { RtcPreflightElement } from './rtc-preflight/rtc-preflight.js';
import { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
import { RtcRemoteVideosElement } from './rtc-remote-videos/rtc-remote-videos.js';
import { RtcRoomElement } from './rtc-room/rtc-room.js';

/** `<rtc-room>`: the call. Its events bubble, so a wrapper around it may listen too. */
export const RtcRoom = createComponent({
  react: React,
  tagName: 'rtc-room',
  elementClass: RtcRoomElement,
  displayName: 'RtcRoom',
  events: {
    onRtcJoined: 'rtc-joined' as EventName<RtcJoinedEvent>,
    onRtcLeft: 'rtc-left' as EventName<RtcLeftEvent>,
    onRtcPeerJoined: 'rtc-peer-joined' as EventName<RtcPeerJoinedEvent>,
    onRtcPeerLeft: 'rtc-peer-left' as EventName<RtcPeerLeftEvent>,
    onRtcReconnecting: 'rtc-reconnecting' as EventName<RtcReconnectingEvent>,
    onRtcReconnected: 'rtc-reconnected' as EventName<RtcReconnectedEvent>,
    onRtcMessage: 'rtc-message' as EventName<RtcMessageEvent>,
    onRtcAutoplayBlocked: 'rtc-autoplay-blocked' as EventName<RtcAutoplayBlockedEvent>,
    onRtcError: 'rtc-error' as EventName<RtcErrorEvent>,
  },
});

export const RtcLocalVideo = createComponent({
  react: React,
  tagName: 'rtc-local-video',
  elementClass: RtcLocalVideoElement,
  displayName: 'RtcLocalVideo',
});

export const RtcRemoteVideo = createComponent({
  react: React,
  tagName: 'rtc-remote-video',
  elementClass: RtcRemoteVideoElement,
  displayName: 'RtcRemoteVideo',
});

export const RtcRemoteVideos = createComponent({
  react: React,
  tagName: 'rtc-remote-videos',
  elementClass: RtcRemoteVideosElement,
  displayName: 'RtcRemoteVideos',
});

export const RtcChat = createComponent({
  react: React,
  tagName: 'rtc-chat',
  elementClass: RtcChatElement,
  displayName: 'RtcChat',
});

export const RtcControls = createComponent({
  react: React,
  tagName: 'rtc-controls',
  elementClass: RtcControlsElement,
  displayName: 'RtcControls',
  events: { onRtcLeaveRequest: 'rtc-leave-request' as EventName<RtcLeaveRequestEvent> },
});

export const RtcPreflight = createComponent({
  react: React,
  tagName: 'rtc-preflight',
  elementClass: RtcPreflightElement,
  displayName: 'RtcPreflight',
  events: { onRtcPreflight: 'rtc-preflight' as EventName<RtcPreflightEvent> },
});
