import { expect, waitUntil } from '@open-wc/testing';
import { linkPair } from '../test-support/link-pair.js';

const pair = () => linkPair({ sendAudio: true, sendVideo: true });

describe('PeerLink', function () {
  this.timeout(20_000);

  it('sends the camera at half size when told (large meshes), and at full size again', async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const { a, b } = pair();
    try {
      a.setLocalStream(stream);
      b.setLocalStream(stream);
      await waitUntil(() => a.connectionState === 'connected' && b.connectionState === 'connected', 'no connection', { timeout: 10_000 });
      const scale = () =>
        a.pc
          .getSenders()
          .find((s) => s.track?.kind === 'video')!
          .getParameters().encodings[0]!.scaleResolutionDownBy ?? 1;
      expect(scale()).to.equal(1);
      a.setVideoScale(2);
      await waitUntil(() => scale() === 2, 'not scaled down');
      a.setVideoScale(1);
      await waitUntil(() => scale() === 1, 'not scaled back');
    } finally {
      a.close();
      b.close();
      for (const t of stream.getTracks()) t.stop();
    }
  });
});
