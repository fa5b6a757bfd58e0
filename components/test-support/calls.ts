import { fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { RtcControlsElement } from '../rtc-controls/rtc-controls.js';
import type { RtcRemoteVideoElement } from '../rtc-remote-video/rtc-remote-video.js';
import type { RtcRoomElement } from '../rtc-room/rtc-room.js';
import { framesDecoded, uniqueRoom } from './helpers.js';

/** Ada with controls, Bob with a remote video showing Ada; both joined and connected. */
export async function controlledCall() {
  const room = uniqueRoom('controls');
  const box = await fixture<HTMLDivElement>(
    html`<div>
      <rtc-room manual room=${room} name="Ada"><rtc-controls></rtc-controls></rtc-room>
      <rtc-room manual room=${room} name="Bob"><rtc-remote-video></rtc-remote-video></rtc-room>
    </div>`,
  );
  const [a, b] = [...box.querySelectorAll('rtc-room')] as [RtcRoomElement, RtcRoomElement];
  await a.join();
  await b.join();
  const controls = a.querySelector('rtc-controls') as RtcControlsElement;
  const remote = b.querySelector('rtc-remote-video') as RtcRemoteVideoElement;
  await waitUntil(() => !!a.localStream?.getAudioTracks().length && remote.remotePeer?.media?.audio === true, 'call not up');
  await controls.updateComplete;
  return { a, b, controls, remote };
}

/** Members of one room in one page, each an <rtc-room manual>; joined one after the other. */
export async function members(room: string, names: string[]) {
  const box = await fixture<HTMLDivElement>(
    html`<div>
      ${names.map((name) => html`<rtc-room manual room=${room} name=${name}><rtc-remote-videos style="width: 320px; height: 180px"></rtc-remote-videos></rtc-room>`)}
    </div>`,
  );
  const rooms = [...box.querySelectorAll('rtc-room')] as RtcRoomElement[];
  for (const r of rooms) await r.join();
  return { box, rooms };
}

/** The other member as `room` sees it. */
export const peerIn = (room: RtcRoomElement, other: RtcRoomElement) => room.peers.find((p) => p.id === other.session!.id)!;

/** Resolves once `room` decodes more frames from `other` than it had (at least `more` more). */
export async function framesFlowing(room: RtcRoomElement, other: RtcRoomElement, more = 5, timeout = 5_000): Promise<void> {
  const id = other.session!.id!;
  const start = await framesDecoded(room, id);
  await waitUntil(async () => (await framesDecoded(room, id)) >= start + more, 'no new frames decoded', { timeout, interval: 100 });
}

/**
 * Counts offers and answers (setLocalDescription calls) made by every RTCPeerConnection in the
 * page from now on: a renegotiation needs at least one.
 */
export function countNegotiations(): { readonly count: number; restore(): void } {
  const proto = RTCPeerConnection.prototype;
  const original = proto.setLocalDescription;
  const counter = { count: 0, restore: () => void (proto.setLocalDescription = original) };
  proto.setLocalDescription = function (this: RTCPeerConnection, ...args: unknown[]) {
    counter.count++;
    return (original as (...a: unknown[]) => Promise<void>).apply(this, args);
  } as typeof original;
  return counter;
}

/**
 * Ada joins, then Bob, whose camera and microphone cannot be opened: resolves with both rooms,
 * Bob's `<rtc-local-video>` and the first `rtc-error` Bob fired while joining.
 */
export async function joinWithoutMedia(prefix: string) {
  const name = uniqueRoom(prefix);
  const box = await fixture<HTMLDivElement>(
    html`<div>
      <rtc-room manual room=${name} name="Ada"></rtc-room>
      <rtc-room manual room=${name} name="Bob"
        ><rtc-local-video><span slot="placeholder">Camera blocked</span></rtc-local-video></rtc-room
      >
    </div>`,
  );
  const [a, b] = [...box.querySelectorAll('rtc-room')] as [RtcRoomElement, RtcRoomElement];
  await a.join();
  const error = oneEvent(b, 'rtc-error');
  await b.join();
  return { a, b, local: b.querySelector('rtc-local-video')!, error: (await error).detail };
}
