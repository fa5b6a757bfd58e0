/**
 * The entry of the one-script bundle `/rtc-room.js` (rollup.config.js). It registers the call's
 * tags (`<rtc-room>`, `<rtc-local-video>`, `<rtc-remote-video>`, `<rtc-remote-videos>`) at once, and
 * each of `<rtc-controls>`, `<rtc-chat>` and `<rtc-preflight>` the first time one is in the page,
 * in the document or in a shadow root: its code is a file of its own next to `rtc-room.js`, fetched
 * then (as Shoelace's autoloader does). A page pays only for the tags it uses.
 *
 * It exports what `rtc-room` exports, except those three classes, the controls' strings and the
 * set-up check functions (`runPreflight`, ...): once a tag is in the page,
 * `customElements.whenDefined(tag)` gives its class. The npm entry points (`rtc-room`,
 * `rtc-room/elements`, `rtc-room/core`) are unchanged: `rtc-room` registers everything at once.
 */
// First: it opens the signaling connection before the elements' modules run (see there).
import './internal/early-start.js';
import { mark } from './core/marks.js';
import { RtcLocalVideoElement } from './rtc-local-video/rtc-local-video.js';
import { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
import { RtcRemoteVideosElement } from './rtc-remote-videos/rtc-remote-videos.js';
import { RtcRoomElement } from './rtc-room/rtc-room.js';

export { RtcRoomElement, RtcLocalVideoElement, RtcRemoteVideoElement, RtcRemoteVideosElement };
export * from './events.js';
export { registerStrings, type RtcStrings } from './core/strings.js';
export type { RoomState } from './internal/room-context.js';
// rtc-room/core (core.ts) but the set-up check (runPreflight, checkNetwork, describeCheck,
// gatherCandidates): that is <rtc-preflight>'s code, in its chunk.
export { RtcError, type RtcErrorCode } from './core/errors.js';
export {
  openLocalMedia,
  stopStream,
  DEFAULT_VIDEO_CONSTRAINTS,
  type LocalMediaRequest,
  type LocalMediaResult,
} from './core/local-media.js';
export { PeerLink, type IncomingSignal, type OutgoingSignal, type PeerLinkOptions, type SendOutcome } from './core/peer-link.js';
export { RoomSession, type RemotePeer, type RoomSessionEventMap, type RoomSessionOptions, type RoomStatus } from './core/room-session.js';
export { englishStrings } from './core/strings.js';
export { MediaControls, type MediaControlsOptions } from './core/media-controls.js';
export { deviceStore, type DeviceKind } from './core/device-store.js';
export { CallActivity } from './core/call-activity.js';
export { rateQuality, QUALITY_THRESHOLDS, type ConnectionQuality, type QualityRating } from './core/connection-quality.js';
export { SignalingClient, type SignalingClientOptions, type SignalingSocket } from './core/signaling-client.js';
export type { IceServer, IceServersGrant, JoinResult, MediaState, PeerInfo } from '../protocol/index.js';

/** The tags loaded when they first appear, and where their code is. */
const LAZY: Record<string, () => Promise<CustomElementConstructor>> = {
  'rtc-controls': () => import('./rtc-controls/rtc-controls.js').then((m) => m.RtcControlsElement),
  'rtc-chat': () => import('./rtc-chat/rtc-chat.js').then((m) => m.RtcChatElement),
  'rtc-preflight': () => import('./rtc-preflight/rtc-preflight.js').then((m) => m.RtcPreflightElement),
};
const SELECTOR = Object.keys(LAZY).join(',');
const requested = new Set<string>();

function define(tag: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}

function load(tag: string): void {
  if (requested.has(tag)) return;
  requested.add(tag);
  if (requested.size === Object.keys(LAZY).length) observer.disconnect(); // nothing left to find
  LAZY[tag]!()
    .then((ctor) => define(tag, ctor))
    .catch((error: unknown) => {
      requested.delete(tag); // a later appearance tries again
      console.error(`rtc-room: could not load <${tag}>`, error);
    });
}

/** Loads every lazy tag at or under `node`. */
function discover(node: Node): void {
  if (requested.size === Object.keys(LAZY).length) return;
  if (node instanceof Element && node.localName in LAZY) load(node.localName);
  if (node instanceof Element || node instanceof DocumentFragment || node instanceof Document) {
    for (const found of (node as ParentNode).querySelectorAll(SELECTOR)) load(found.localName);
  }
}

const observer: MutationObserver = new MutationObserver((records) => {
  for (const record of records) for (const node of record.addedNodes) discover(node);
});
const watch = (root: Node) => observer.observe(root, { childList: true, subtree: true });

// Shadow roots too (a Lit app puts the tags in its own): each new one is watched from the start.
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (this: Element, init: ShadowRootInit): ShadowRoot {
  const root = attachShadow.call(this, init);
  if (requested.size < Object.keys(LAZY).length) watch(root);
  return root;
};

for (const [tag, ctor] of [
  ['rtc-room', RtcRoomElement],
  ['rtc-local-video', RtcLocalVideoElement],
  ['rtc-remote-video', RtcRemoteVideoElement],
  ['rtc-remote-videos', RtcRemoteVideosElement],
] as const) {
  define(tag, ctor);
}
watch(document);
discover(document);
mark('module');
