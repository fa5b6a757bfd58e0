import { fixture, html, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { RtcControlsElement } from '../rtc-controls/rtc-controls.js';
import type { RtcRemoteVideoElement } from '../rtc-remote-video/rtc-remote-video.js';
import type { RtcRoomElement } from '../rtc-room/rtc-room.js';
import { uniqueRoom } from './helpers.js';

/** Ada with controls, Bob with a remote video showing Ada; both joined and connected. */
export async function controlledCall() {
  const room = uniqueRoom('controls');
  const box = await fixture<HTMLDivElement>(html`<div>
    <rtc-room manual room=${room} name="Ada"><rtc-controls></rtc-controls></rtc-room>
    <rtc-room manual room=${room} name="Bob"><rtc-remote-video></rtc-remote-video></rtc-room>
  </div>`);
  const [a, b] = [...box.querySelectorAll('rtc-room')] as [RtcRoomElement, RtcRoomElement];
  await a.join();
  await b.join();
  const controls = a.querySelector('rtc-controls') as RtcControlsElement;
  const remote = b.querySelector('rtc-remote-video') as RtcRemoteVideoElement;
  await waitUntil(() => !!a.localStream?.getAudioTracks().length && remote.remotePeer?.media?.audio === true, 'call not up');
  await controls.updateComplete;
  return { a, b, controls, remote };
}

