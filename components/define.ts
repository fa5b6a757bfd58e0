/**
 * Registers the five tags. Import this (or load dist/rtc-room.js) once per page; importing the
 * classes from `index.js` registers nothing.
 */
import { RtcControlsElement } from './rtc-controls/rtc-controls.js';
import { RtcLocalVideoElement } from './rtc-local-video/rtc-local-video.js';
import { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
import { RtcRemoteVideosElement } from './rtc-remote-videos/rtc-remote-videos.js';
import { RtcRoomElement } from './rtc-room/rtc-room.js';

export * from './index.js';

const tags = {
  'rtc-room': RtcRoomElement,
  'rtc-local-video': RtcLocalVideoElement,
  'rtc-remote-video': RtcRemoteVideoElement,
  'rtc-remote-videos': RtcRemoteVideosElement,
  'rtc-controls': RtcControlsElement,
} as const;

for (const [tag, ctor] of Object.entries(tags)) {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-room': RtcRoomElement;
    'rtc-local-video': RtcLocalVideoElement;
    'rtc-remote-video': RtcRemoteVideoElement;
    'rtc-remote-videos': RtcRemoteVideosElement;
    'rtc-controls': RtcControlsElement;
  }
}
