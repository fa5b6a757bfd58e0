// Runs in a Chromium whose permission prompt answers "deny" (see web-test-runner.config.js).
// A page without media permission gathers ICE candidates only on the default-route interface, and
// the loopback-only network namespace `npm test` runs in has none: a denied member cannot connect
// there, so these tests check only what signaling and the elements show. That a member who sends
// nothing still receives is tested in the main group, where permission is granted
// (components/viewer.e2e.test.ts: a `no-audio no-video` member and a receive-only member decode the
// other member's frames). Receiving in a browser that really refused permission is not tested.
import { expect, waitUntil } from '@open-wc/testing';
import '../define.js';
import { joinWithoutMedia } from '../test-support/calls.js';
import { partVisible, slotText } from '../test-support/helpers.js';

describe('<rtc-room> when camera and microphone are denied', function () {
  this.timeout(20_000);

  it('joins anyway, says media_denied, shows the local placeholder and tells the others nothing is sent', async () => {
    const { a, b, local, error: detail } = await joinWithoutMedia('denied');
    expect(b.state).to.equal('joined');
    expect(detail.code).to.equal('media_denied');
    expect((detail.cause as DOMException).name).to.equal('NotAllowedError');
    expect(b.localStream).to.equal(null);
    expect(b.session!.media.error?.code).to.equal('media_denied');
    await local.updateComplete;
    expect(partVisible(local, 'placeholder')).to.be.true;
    expect(partVisible(local, 'video')).to.be.false;
    expect(slotText(local, 'placeholder')).to.equal('Camera blocked');
    expect(local.getAttribute('media-error')).to.equal('media_denied');
    await waitUntil(() => a.peers[0]?.media?.video === false, 'Ada did not hear what Bob sends');
    expect(a.peers[0]!.media).to.deep.equal({ audio: false, video: false, screen: false });
  });
});
