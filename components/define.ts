/**
 * `rtc-room` (and `rtc-room/define.js`): registers the tags, each only if no other element has it,
 * and re-exports everything from `index.js`. Importing the classes from `rtc-room/elements`
 * registers nothing. `HTMLElementTagNameMap` entries sit next to each class.
 */
import { RtcChatElement } from './rtc-chat/rtc-chat.js';
import { RtcControlsElement } from './rtc-controls/rtc-controls.js';
import { RtcPreflightElement } from './rtc-preflight/rtc-preflight.js';
import { RtcLocalVideoElement } from './rtc-local-video/rtc-local-video.js';
import { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
import { RtcRemoteVideosElement } from './rtc-remote-videos/rtc-remote-videos.js';
import { RtcRoomElement } from './rtc-room/rtc-room.js';
import { mark } from './core/marks.js';

export * from './index.js';

const tags = {
  'rtc-room': RtcRoomElement,
  'rtc-local-video': RtcLocalVideoElement,
  'rtc-remote-video': RtcRemoteVideoElement,
  'rtc-remote-videos': RtcRemoteVideosElement,
  'rtc-chat': RtcChatElement,
  'rtc-preflight': RtcPreflightElement,
  'rtc-controls': RtcControlsElement,
} as const;

for (const [tag, ctor] of Object.entries(tags)) {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}
mark('module');
