import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import './define.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { framesDecoded, uniqueRoom } from './test-support/helpers.js';

/** Members of one room in one page, each an <rtc-room manual>; joined one after the other. */
export async function members(room: string, names: string[]) {
  const box = await fixture<HTMLDivElement>(html`<div>
    ${names.map((name) => html`<rtc-room manual room=${room} name=${name}><rtc-remote-videos style="width: 320px; height: 180px"></rtc-remote-videos></rtc-room>`)}
  </div>`);
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

describe('mute and camera off through the real server', function () {
  this.timeout(30_000);

  it('tells the other member within a second, without renegotiating, and turns the camera light off', async () => {
    const { rooms } = await members(uniqueRoom('mute'), ['Ada', 'Bob']);
    const [a, b] = rooms as [RtcRoomElement, RtcRoomElement];
    await framesFlowing(b, a);
    await waitUntil(() => peerIn(b, a)?.media?.audio === true, 'initial state not heard');
    expect(peerIn(b, a).media).to.deep.equal({ audio: true, video: true, screen: false });
    const negotiations = countNegotiations();
    try {
      let started = performance.now();
      a.session!.media.setAudioEnabled(false);
      expect(a.localStream!.getAudioTracks()[0]!.enabled).to.be.false;
      await waitUntil(() => peerIn(b, a).media?.audio === false, 'mute not heard', { timeout: 1_000, interval: 20 });
      expect(performance.now() - started).to.be.below(1_000);

      const camera = a.localStream!.getVideoTracks()[0]!;
      started = performance.now();
      await a.session!.media.setVideoEnabled(false);
      expect(camera.readyState, 'the camera was not stopped').to.equal('ended');
      expect(a.localStream!.getVideoTracks()).to.have.length(0);
      await waitUntil(() => peerIn(b, a).media?.video === false, 'camera off not heard', { timeout: 1_000, interval: 20 });

      await a.session!.media.setVideoEnabled(true);
      a.session!.media.setAudioEnabled(true);
      await waitUntil(() => peerIn(b, a).media?.video === true && peerIn(b, a).media?.audio === true, 'camera on not heard');
      await framesFlowing(b, a);
      expect(negotiations.count, 'offers/answers made').to.equal(0);
    } finally {
      negotiations.restore();
    }
  });

  it('hands the current state to a member who joins later', async () => {
    const name = uniqueRoom('late');
    const { rooms } = await members(name, ['Ada', 'Bob']);
    const [a, b] = rooms as [RtcRoomElement, RtcRoomElement];
    await waitUntil(() => !!a.localStream, 'no camera');
    a.session!.media.setAudioEnabled(false);
    await a.session!.media.setVideoEnabled(false);
    // Bob heard it, so the server has it; Cy must get it in the join answer, not a new announcement
    await waitUntil(() => peerIn(b, a)?.media?.video === false, 'Bob did not hear it');
    const { rooms: later } = await members(name, ['Cy']);
    const [c] = later as [RtcRoomElement];
    expect(peerIn(c, a).media).to.deep.equal({ audio: false, video: false, screen: false });
  });
});
