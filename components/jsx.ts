/**
 * `rtc-room/jsx`: the elements' props for JSX, without naming a framework. `rtc-room/jsx-react`
 * and `rtc-room/jsx-preact` add them to React 19's and Preact's `JSX.IntrinsicElements`; other
 * JSX libraries can do the same with {@link RtcElementProps}.
 *
 * Props are the elements' properties (React 19 and Preact set a prop as a property when the
 * element has it) and `on<event-name>` listeners (`onrtc-peer-joined`), which both attach with
 * `addEventListener` under the name after `on`.
 */
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
import type { RtcChatElement } from './rtc-chat/rtc-chat.js';
import type { RtcControlsElement } from './rtc-controls/rtc-controls.js';
import type { RtcPreflightElement } from './rtc-preflight/rtc-preflight.js';
import type { RtcLocalVideoElement } from './rtc-local-video/rtc-local-video.js';
import type { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
import type { RtcRemoteVideosElement } from './rtc-remote-videos/rtc-remote-videos.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';

/** `on<event>` listener props for the events in `M`. */
export type EventListenerProps<M> = { [K in keyof M & string as `on${K}`]?: (event: M[K]) => void };

/** The events `<rtc-room>` fires (all bubble, so any ancestor may listen too). */
export interface RtcRoomEventMap {
  'rtc-joined': RtcJoinedEvent;
  'rtc-left': RtcLeftEvent;
  'rtc-peer-joined': RtcPeerJoinedEvent;
  'rtc-peer-left': RtcPeerLeftEvent;
  'rtc-reconnecting': RtcReconnectingEvent;
  'rtc-reconnected': RtcReconnectedEvent;
  'rtc-message': RtcMessageEvent;
  'rtc-autoplay-blocked': RtcAutoplayBlockedEvent;
  'rtc-error': RtcErrorEvent;
}

export type RtcRoomProps = Partial<
  Pick<
    RtcRoomElement,
    | 'room'
    | 'server'
    | 'name'
    | 'token'
    | 'noVideo'
    | 'noAudio'
    | 'manual'
    | 'capacity'
    | 'iceTransportPolicy'
    | 'websocketOnly'
    | 'connectTimeout'
  >
> &
  EventListenerProps<RtcRoomEventMap>;
export type RtcLocalVideoProps = Partial<Pick<RtcLocalVideoElement, 'mirror'>>;
export type RtcRemoteVideoProps = Partial<Pick<RtcRemoteVideoElement, 'peer' | 'muted'>>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no attributes: the grid shows the room's peers
export type RtcRemoteVideosProps = {};
export type RtcChatProps = Partial<
  Pick<RtcChatElement, 'label' | 'placeholder' | 'sendLabel' | 'youLabel' | 'unnamedLabel' | 'maxMessages'>
>;
export type RtcControlsProps = Partial<Pick<RtcControlsElement, 'strings'>> &
  EventListenerProps<{ 'rtc-leave-request': RtcLeaveRequestEvent }>;
export type RtcPreflightProps = Partial<
  Pick<RtcPreflightElement, 'server' | 'room' | 'token' | 'noVideo' | 'noAudio' | 'auto' | 'cameraId' | 'microphoneId'>
> &
  EventListenerProps<{ 'rtc-preflight': RtcPreflightEvent }>;

/**
 * Each tag's element class. The JSX modules use this rather than `HTMLElementTagNameMap`, whose
 * entries come from the element modules' global augmentations: this module loads on its own.
 */
export interface RtcElementClasses {
  'rtc-room': RtcRoomElement;
  'rtc-local-video': RtcLocalVideoElement;
  'rtc-remote-video': RtcRemoteVideoElement;
  'rtc-remote-videos': RtcRemoteVideosElement;
  'rtc-chat': RtcChatElement;
  'rtc-preflight': RtcPreflightElement;
  'rtc-controls': RtcControlsElement;
}

/** Each tag's own props (add the framework's HTML attributes, `children`, `ref`, …). */
export interface RtcElementProps {
  'rtc-room': RtcRoomProps;
  'rtc-local-video': RtcLocalVideoProps;
  'rtc-remote-video': RtcRemoteVideoProps;
  'rtc-remote-videos': RtcRemoteVideosProps;
  'rtc-chat': RtcChatProps;
  'rtc-preflight': RtcPreflightProps;
  'rtc-controls': RtcControlsProps;
}
