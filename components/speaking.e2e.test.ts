import { expect, waitUntil } from '@open-wc/testing';
import { members, peerIn } from './test-support/calls.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { holdsFor, uniqueRoom } from './test-support/helpers.js';

/** The tile of `other` in `room`'s <rtc-remote-videos>. */
const tileOf = (room: RtcRoomElement, other: RtcRoomElement) =>
  room.querySelector('rtc-remote-videos')!.shadowRoot!.querySelector<HTMLElement>(`[part~="tile"][data-peer-id="${other.session!.id}"]`);
const levelOf = (room: RtcRoomElement, other: RtcRoomElement) => room.session!.activity.levels.get(other.session!.id!) ?? 0;

describe('who is speaking, and connection quality, in a call of three', function () {
  this.timeout(40_000);

  it("muting one member shows on the others' tiles within a second and its audio level drops to silence", async () => {
    const { rooms } = await members(uniqueRoom('speak'), ['Ada', 'Bob', 'Cy']);
    const [a, b, c] = rooms as [RtcRoomElement, RtcRoomElement, RtcRoomElement];
    // Chromium's fake microphone beeps: Ada is heard, then seen speaking.
    await waitUntil(() => levelOf(b, a) > 0 && levelOf(c, a) > 0, 'no audio level from Ada', { timeout: 10_000 });
    await waitUntil(() => tileOf(c, a)?.hasAttribute('speaking'), 'Ada never shown speaking', { timeout: 5_000 });
    // With Bob muted, Ada is the loudest for Cy.
    b.session!.media.setAudioEnabled(false);
    await waitUntil(
      () => tileOf(c, a)?.hasAttribute('active-speaker') && !tileOf(c, b)?.hasAttribute('active-speaker'),
      'Ada is not the active speaker',
      {
        timeout: 5_000,
      },
    );

    const started = performance.now();
    a.session!.media.setAudioEnabled(false);
    await waitUntil(() => tileOf(b, a)?.hasAttribute('audio-muted') && tileOf(c, a)?.hasAttribute('audio-muted'), 'muted not shown', {
      timeout: 1_000,
      interval: 20,
    });
    expect(performance.now() - started).to.be.below(1_000);
    expect(tileOf(c, a)!.querySelector('[part~="muted-indicator"]')).to.not.equal(null);
    // The level is measured from what arrives (a disabled track sends silence), not from the state.
    await waitUntil(() => levelOf(b, a) === 0 && levelOf(c, a) === 0, 'Ada is not silent', { timeout: 3_000 });
    await holdsFor(() => levelOf(b, a) === 0 && levelOf(c, a) === 0, 1_500, 'Ada was heard while muted', 100);
    await waitUntil(() => !tileOf(c, a)!.hasAttribute('speaking'), 'Ada still shown speaking', { timeout: 2_000 });
    expect(peerIn(c, a).media?.audio).to.equal(false);
  });

  it('rates every connection good on loopback and exposes the measurements', async () => {
    const { rooms } = await members(uniqueRoom('quality'), ['Ada', 'Bob']);
    const [a, b] = rooms as [RtcRoomElement, RtcRoomElement];
    await waitUntil(() => tileOf(b, a)?.getAttribute('quality') === 'good', 'no quality on the tile', { timeout: 8_000 });
    const q = b.session!.activity.quality.get(a.session!.id!)!;
    expect(q.rating).to.equal('good');
    // loopback, but a busy 2-core machine can take a few hundred ms to answer a STUN check
    expect(q.roundTripTime).to.be.a('number').and.below(0.25);
    expect(q.packetLoss).to.equal(0);
    expect(q.bitrate).to.be.above(50_000);
  });
});
