import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutgoingSignal } from './peer-link.js';
import { SfuConnection, SIMULCAST_LAYERS, type SfuConnectionOptions } from './sfu-link.js';
import { flush } from './testing/fake-clock.js';

/** Just enough of an RTCPeerConnection to follow what SfuConnection does with it, in order. */
class FakePc extends EventTarget {
  readonly calls: string[] = [];
  readonly transceivers: Array<{ kind: string; init: RTCRtpTransceiverInit }> = [];
  signalingState: RTCSignalingState = 'stable';
  remoteDescription: RTCSessionDescriptionInit | null = null;
  localDescription: RTCSessionDescriptionInit | null = null;
  connectionState: RTCPeerConnectionState = 'new';
  addTransceiver(kind: string, init: RTCRtpTransceiverInit) {
    this.transceivers.push({ kind, init });
  }
  getTransceivers() {
    return [];
  }
  async setLocalDescription() {
    const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
    this.localDescription = { type, sdp: `v=0\r\nlocal-${type}` };
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
    this.calls.push(`local:${type}`);
  }
  async setRemoteDescription(description: RTCSessionDescriptionInit) {
    this.remoteDescription = description;
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
    this.calls.push(`remote:${description.type}`);
  }
  async addIceCandidate(candidate: RTCIceCandidateInit) {
    this.calls.push(`candidate:${candidate.candidate}`);
  }
  close() {
    this.calls.push('close');
  }
}

function setup(role: 'publish' | 'subscribe', options: Partial<SfuConnectionOptions> = {}) {
  const pc = new FakePc();
  const sent: OutgoingSignal[] = [];
  const errors: unknown[] = [];
  const link = new SfuConnection({
    role,
    iceServers: [],
    sendAudio: true,
    sendVideo: true,
    send: (signal) => sent.push(signal),
    onError: (error) => errors.push(error),
    createPeerConnection: () => pc as unknown as RTCPeerConnection,
    ...options,
  });
  return { pc, link, sent, errors };
}

const candidate = (n: number) => ({ candidate: `candidate:${n} 1 udp 1 127.0.0.2 500${n} typ host`, sdpMid: '0', sdpMLineIndex: 0 });
const sdp = (text: string) => `v=0\r\n${text}`;

describe('SfuConnection', () => {
  it('publish: one send-only transceiver per kind sent, an offer on negotiationneeded, then the answer', async () => {
    const { pc, link, sent, errors } = setup('publish', { sendAudio: false });
    assert.deepEqual(
      pc.transceivers.map((t) => [t.kind, t.init.direction, t.init.sendEncodings]),
      [['video', 'sendonly', undefined]],
    );
    pc.dispatchEvent(new Event('negotiationneeded'));
    await flush();
    assert.deepEqual(sent, [{ description: { type: 'offer', sdp: sdp('local-offer') } }]);
    await link.handleSignal({ description: { type: 'answer', sdp: sdp('answer') } });
    assert.deepEqual(pc.calls, ['local:offer', 'remote:answer']);
    assert.deepEqual(errors, []);
  });

  it('publish with simulcast: three layers on the video transceiver', () => {
    const { pc } = setup('publish', { simulcast: true });
    assert.deepEqual(
      pc.transceivers.map((t) => t.init.sendEncodings?.map((e) => e.rid)),
      [undefined, SIMULCAST_LAYERS.map((l) => l.rid)],
    );
  });

  it('queues candidates that come before the answer, and adds them right after it (the SFU trickles early)', async () => {
    const { pc, link } = setup('publish');
    pc.dispatchEvent(new Event('negotiationneeded'));
    await flush();
    void link.handleSignal({ candidate: candidate(1) });
    void link.handleSignal({ candidate: candidate(2) });
    await flush();
    assert.deepEqual(pc.calls, ['local:offer'], 'not added without a remote description');
    await link.handleSignal({ description: { type: 'answer', sdp: sdp('answer') } });
    await link.handleSignal({ candidate: candidate(3) });
    assert.deepEqual(pc.calls, [
      'local:offer',
      'remote:answer',
      `candidate:${candidate(1).candidate}`,
      `candidate:${candidate(2).candidate}`,
      `candidate:${candidate(3).candidate}`,
    ]);
  });

  it('subscribe: answers each offer of the SFU (again on a re-offer), with early candidates after the offer', async () => {
    const { pc, link, sent } = setup('subscribe');
    assert.equal(pc.transceivers.length, 0, 'the SFU’s offer makes the transceivers');
    void link.handleSignal({ candidate: candidate(1) });
    await link.handleSignal({ description: { type: 'offer', sdp: sdp('offer-1') } });
    await link.handleSignal({ description: { type: 'offer', sdp: sdp('offer-2') } });
    assert.deepEqual(pc.calls, ['remote:offer', `candidate:${candidate(1).candidate}`, 'local:answer', 'remote:offer', 'local:answer']);
    assert.deepEqual(
      sent.map((s) => 'description' in s && s.description.type),
      ['answer', 'answer'],
    );
  });

  it('reports a description of the wrong kind for its link, and ends its candidates with ""', async () => {
    const { pc, link, sent, errors } = setup('subscribe');
    await link.handleSignal({ description: { type: 'answer', sdp: sdp('x') } });
    assert.equal(errors.length, 1);
    pc.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate: null }));
    assert.deepEqual(sent, [{ candidate: { candidate: '' } }]);
    link.close();
    assert.deepEqual(pc.calls, ['close']);
  });
});
