// Runs in a Chromium whose permission prompt answers "deny" (see web-test-runner.config.js).
// In the tests' loopback-only network namespace a page without media permission gathers no ICE
// candidates (Chromium then only uses the default-route interface, and there is none), so these
// tests check what signaling and the elements show; that such a member still receives the others
// is covered in the main group by members with `no-audio no-video`.
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
