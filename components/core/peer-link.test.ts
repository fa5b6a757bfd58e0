import { expect, waitUntil } from '@open-wc/testing';
import type { IceCandidate } from '../../protocol/index.js';
import { linkPair } from '../test-support/link-pair.js';
import { PeerLink, type OutgoingSignal } from './peer-link.js';
import { iceUfrags } from './remote-candidates.js';

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

  it('drops a late candidate of the ICE generation a restart replaced, quietly; a malformed one still fails', async () => {
    const errors: unknown[] = [];
    const fromA: IceCandidate[] = [];
    const links: PeerLink[] = [];
    const make = (peerId: string, polite: boolean, initiator: boolean, other: () => PeerLink) =>
      new PeerLink({
        peerId,
        polite,
        initiator,
        iceServers: [],
        sendAudio: false,
        sendVideo: false,
        send: (signal: OutgoingSignal) => {
          if (initiator && 'candidate' in signal) fromA.push(signal.candidate);
          void other().handleSignal(signal);
        },
        onError: (error) => errors.push(error),
      });
    links.push(
      make('b', false, true, () => links[1]!),
      make('a', true, false, () => links[0]!),
    );
    const [a, b] = links as [PeerLink, PeerLink];
    const ufragsSeenByB = () => iceUfrags(b.pc.remoteDescription?.sdp ?? '');
    // Chromium ignores a candidate of an unknown ufrag; Firefox rejects it (`Unknown ufrag`), which
    // is what turned late candidates into peer_failed. Here b answers as Firefox does.
    const addIceCandidate = b.pc.addIceCandidate.bind(b.pc);
    b.pc.addIceCandidate = async (candidate?: RTCIceCandidateInit | null) => {
      const ufrag = candidate?.usernameFragment;
      if (ufrag && !ufragsSeenByB().has(ufrag)) throw new DOMException(`Unknown ufrag (${ufrag})`, 'OperationError');
      return addIceCandidate(candidate ?? undefined);
    };
    try {
      await waitUntil(() => a.connectionState === 'connected' && b.connectionState === 'connected', 'no connection', { timeout: 10_000 });
      const [first] = ufragsSeenByB();
      const old = fromA.find((c) => c.usernameFragment === first && c.candidate);
      expect(old, 'a candidate of the first generation').to.exist;

      a.restartIce();
      await waitUntil(
        () => !ufragsSeenByB().has(first!) && b.pc.signalingState === 'stable' && a.pc.signalingState === 'stable',
        'the restart was not negotiated',
        { timeout: 10_000 },
      );
      await waitUntil(() => a.connectionState === 'connected' && b.connectionState === 'connected', 'no connection after the restart', {
        timeout: 10_000,
      });
      expect(errors).to.deep.equal([]);

      // The relay delivers a candidate of the old generation late: nothing to report.
      await b.handleSignal({ candidate: old! });
      await b.handleSignal({ candidate: { ...old!, candidate: '' } }); // its end-of-candidates
      expect(errors, 'a late candidate became an error').to.deep.equal([]);
      expect(b.connectionState).to.equal('connected');

      // A candidate of the current generation that the browser cannot parse is still an error.
      const [current] = ufragsSeenByB();
      await b.handleSignal({
        candidate: { candidate: 'candidate:garbage', sdpMid: old!.sdpMid, sdpMLineIndex: old!.sdpMLineIndex, usernameFragment: current },
      });
      expect(errors.length, 'a real failure is reported').to.equal(1);
    } finally {
      a.close();
      b.close();
    }
  });
});
