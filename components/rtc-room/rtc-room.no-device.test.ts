// Runs in a Chromium without fake devices on a machine without a camera or microphone (see
// web-test-runner.config.js); the permission UI still says yes, so ICE gathers candidates.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { RtcLocalVideoElement } from '../rtc-local-video/rtc-local-video.js';
import type { RtcRoomElement } from './rtc-room.js';
import { partVisible, uniqueRoom } from '../test-support/helpers.js';

describe('<rtc-room> without any camera or microphone', function () {
  this.timeout(20_000);

  it('joins receive-only, says no_device, shows the local placeholder and connects to the others', async function () {
    // A machine with a real camera or microphone cannot show this (a skip, counted as such).
    if ((await navigator.mediaDevices.enumerateDevices()).some((d) => d.kind === 'videoinput' || d.kind === 'audioinput')) this.skip();
    const name = uniqueRoom('nodevice');
    const box = await fixture<HTMLDivElement>(html`<div>
      <rtc-room manual room=${name} name="Ada"></rtc-room>
      <rtc-room manual room=${name} name="Bob"><rtc-local-video></rtc-local-video></rtc-room>
    </div>`);
    const [a, b] = [...box.querySelectorAll('rtc-room')] as [RtcRoomElement, RtcRoomElement];
    await a.join();
    const error = oneEvent(b, 'rtc-error');
    await b.join();
    expect(b.state).to.equal('joined');
    expect((await error).detail.code).to.equal('no_device');
    const local = b.querySelector('rtc-local-video') as RtcLocalVideoElement;
    await waitUntil(() => local.getAttribute('media-error') === 'no_device', 'media-error not reflected');
    expect(partVisible(local, 'placeholder')).to.be.true;
    expect(local.hasAttribute('video-muted')).to.be.true;
    // Nobody sends media, but the peer connection is up: media would flow as soon as someone sends.
    await waitUntil(() => a.peers[0]?.connectionState === 'connected' && b.peers[0]?.connectionState === 'connected', 'not connected', {
      timeout: 10_000,
    });
    expect(a.peers[0]!.media).to.deep.equal({ audio: false, video: false, screen: false });
  });
});
