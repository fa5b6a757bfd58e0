// PeerLink's negotiation with a fake RTCPeerConnection (no browser): late answers, after a rollback.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PeerLink, type OutgoingSignal } from './peer-link.js';

/**
 * An RTCPeerConnection's signaling state machine, as far as these tests need it: it throws as a
 * browser does for a remote answer without a local offer (`InvalidStateError`).
 */
class FakePeerConnection extends EventTarget {
  signalingState: RTCSignalingState = 'stable';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  connectionState: RTCPeerConnectionState = 'new';
  readonly remoteAnswers: string[] = [];
  #offers = 0;
  #config: RTCConfiguration;
  constructor(config: RTCConfiguration) {
    super();
    this.#config = config;
  }
  addTransceiver() {
    return {};
  }
  getTransceivers() {
    return [];
  }
  createDataChannel() {
    return Object.assign(new EventTarget(), { readyState: 'connecting', bufferedAmount: 0, close() {} });
  }
  getConfiguration() {
    return this.#config;
  }
  setConfiguration(config: RTCConfiguration) {
    this.#config = config;
  }
  restartIce() {
    queueMicrotask(() => this.dispatchEvent(new Event('negotiationneeded')));
  }
  async setLocalDescription(description?: RTCSessionDescriptionInit) {
    if (description?.type === 'rollback') {
      if (this.signalingState !== 'have-local-offer') throw new DOMException('rollback in stable', 'InvalidStateError');
      this.signalingState = 'stable';
      this.localDescription = null;
      return;
    }
    if (this.signalingState === 'have-remote-offer') {
      this.localDescription = { type: 'answer', sdp: 'v=0\r\nanswer\r\n' };
      this.signalingState = 'stable';
    } else {
      this.localDescription = { type: 'offer', sdp: `v=0\r\noffer ${++this.#offers}\r\n` };
      this.signalingState = 'have-local-offer';
    }
  }
  async setRemoteDescription(description: RTCSessionDescriptionInit) {
    if (description.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') {
        throw new DOMException(`Failed to set remote answer sdp: Called in wrong state: ${this.signalingState}`, 'InvalidStateError');
      }
      this.remoteAnswers.push(description.sdp!);
      this.signalingState = 'stable';
    } else {
      this.signalingState = 'have-remote-offer';
    }
    this.remoteDescription = description;
  }
  async addIceCandidate() {}
  close() {
    this.signalingState = 'closed';
  }
}

class FakeMediaStream {
  getTracks() {
    return [];
  }
}

const globals = globalThis as Record<string, unknown>;
const saved = { RTCPeerConnection: globals.RTCPeerConnection, MediaStream: globals.MediaStream };
before(() => {
  globals.RTCPeerConnection = FakePeerConnection;
  globals.MediaStream = FakeMediaStream;
});
after(() => Object.assign(globals, saved));

const tick = () => new Promise((r) => setImmediate(r));

function link() {
  const sent: OutgoingSignal[] = [];
  const errors: unknown[] = [];
  const l = new PeerLink({
    peerId: 'p',
    polite: true,
    initiator: true,
    iceServers: [],
    sendAudio: false,
    sendVideo: false,
    send: (signal) => sent.push(signal),
    onError: (error) => errors.push(error),
  });
  const pc = l.pc as unknown as FakePeerConnection;
  const offers = () => sent.flatMap((s) => ('description' in s && s.description.type === 'offer' ? [s.description.sdp] : []));
  return { l, pc, sent, errors, offers };
}

const answer = (n: number) => ({ description: { type: 'answer' as const, sdp: `v=0\r\nanswer to ${n}\r\n` } });

describe('PeerLink: late answers', () => {
  it('drops the answer to an offer that resync rolled back, and takes the answer to the new one', async () => {
    const { l, pc, errors, offers } = link();
    pc.dispatchEvent(new Event('negotiationneeded'));
    await tick();
    assert.equal(offers().length, 1);
    await l.resync(); // the answer to offer 1 was lost, it seemed: rolled back, ICE restarts
    await tick();
    assert.equal(offers().length, 2);
    await l.handleSignal(answer(2)); // the new offer is answered first
    assert.equal(pc.signalingState, 'stable');
    await l.handleSignal(answer(1)); // then the old answer turns up after all
    assert.deepEqual(errors, [], 'no error: the link goes on');
    assert.deepEqual(pc.remoteAnswers, ['v=0\r\nanswer to 2\r\n']);
    l.close();
  });

  it('drops an answer that arrives while no offer is out (rolled back, the new one not yet made)', async () => {
    const { l, pc, errors } = link();
    pc.dispatchEvent(new Event('negotiationneeded'));
    await tick();
    await pc.setLocalDescription({ type: 'rollback' });
    await l.handleSignal(answer(1));
    assert.deepEqual(errors, []);
    assert.equal(pc.signalingState, 'stable');
    l.close();
  });

  it('drops an answer that comes twice', async () => {
    const { l, pc, errors } = link();
    pc.dispatchEvent(new Event('negotiationneeded'));
    await tick();
    await l.handleSignal(answer(1));
    await l.handleSignal(answer(1));
    assert.deepEqual(errors, []);
    assert.equal(pc.remoteAnswers.length, 1);
    l.close();
  });

  it('still takes an offer after a late answer was dropped', async () => {
    const { l, pc, errors, sent } = link();
    await l.handleSignal(answer(1));
    await l.handleSignal({ description: { type: 'offer', sdp: 'v=0\r\nremote offer\r\n' } });
    assert.deepEqual(errors, []);
    assert.equal(pc.signalingState, 'stable');
    assert.deepEqual(sent.at(-1), { description: { type: 'answer', sdp: 'v=0\r\nanswer\r\n' } });
    l.close();
  });
});
