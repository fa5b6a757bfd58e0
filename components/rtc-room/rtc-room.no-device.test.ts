// Runs in a Chromium without fake devices on a machine without a camera or microphone (see
// web-test-runner.config.js); the permission UI still says yes, so ICE gathers candidates.
import { expect, waitUntil } from '@open-wc/testing';
import '../define.js';
import { joinWithoutMedia } from '../test-support/calls.js';
import { partVisible } from '../test-support/helpers.js';

describe('<rtc-room> without any camera or microphone', function () {
  this.timeout(20_000);

  it('joins receive-only, says no_device, shows the local placeholder and connects to the others', async function () {
    // A machine with a real camera or microphone cannot show this (a skip, counted as such).
    if ((await navigator.mediaDevices.enumerateDevices()).some((d) => d.kind === 'videoinput' || d.kind === 'audioinput')) this.skip();
    const { a, b, local, error } = await joinWithoutMedia('nodevice');
    expect(b.state).to.equal('joined');
    expect(error.code).to.equal('no_device');
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
