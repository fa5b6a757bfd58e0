import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import './define.js';
import type { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { framesDecoded, partVisible, slotText, uniqueRoom, waitForPicture } from './test-support/helpers.js';

/** Two members of one room, each in its own <rtc-room>, both through the real server. */
async function twoMembers(room: string, capacity?: number) {
  const box = await fixture<HTMLDivElement>(html`
    <div>
      <rtc-room room=${room} name="Ada" .capacity=${capacity}
        ><rtc-local-video></rtc-local-video><rtc-remote-video></rtc-remote-video
      ></rtc-room>
      <rtc-room room=${room} name="Bob" manual><rtc-local-video></rtc-local-video><rtc-remote-video></rtc-remote-video></rtc-room>
    </div>
  `);
  const [a, b] = [...box.querySelectorAll('rtc-room')] as RtcRoomElement[];
  await waitUntil(() => a.state === 'joined', 'first member did not join');
  await b.join();
  const remoteA = a.querySelector('rtc-remote-video') as RtcRemoteVideoElement;
  const remoteB = b.querySelector('rtc-remote-video') as RtcRemoteVideoElement;
  return { box, a, b, remoteA, remoteB };
}

describe('a call between two <rtc-room> elements through the real server', () => {
  it('shows decoded frames from each member on the other', async () => {
    const { a, b, remoteA, remoteB } = await twoMembers(uniqueRoom('call'));
    await waitForPicture(remoteA);
    await waitForPicture(remoteB);
    const idA = a.session!.id!;
    const idB = b.session!.id!;
    await waitUntil(async () => (await framesDecoded(a, idB)) > 0 && (await framesDecoded(b, idA)) > 0, 'no frames decoded');
    expect(remoteA.remotePeer?.name).to.equal('Bob');
    expect(remoteB.remotePeer?.name).to.equal('Ada');
    expect(remoteA.shadowRoot!.querySelector('[part=name]')!.textContent).to.equal('Bob');
    expect(partVisible(remoteA, 'name')).to.be.true;
    expect(partVisible(remoteA, 'placeholder')).to.be.false;
    expect(partVisible(remoteB, 'placeholder')).to.be.false;
    await waitUntil(() => remoteA.connected && remoteB.connected, 'connected is not reflected');
    expect(remoteA.hasAttribute('connected')).to.be.true;
    // audio travels too
    const audio = remoteA.remotePeer!.stream.getAudioTracks();
    expect(audio).to.have.length(1);
  });

  it('refuses a third member of a two-person room with room_full', async () => {
    const room = uniqueRoom('full');
    // The first member makes it a two-person room (the server allows 4); later joiners cannot change that.
    const { box } = await twoMembers(room, 2);
    const third = document.createElement('rtc-room');
    third.manual = true;
    third.room = room;
    third.capacity = 8;
    box.append(third);
    const error = oneEvent(third, 'rtc-error');
    await third.join().catch(() => {});
    const { detail } = await error;
    expect(detail.code).to.equal('room_full');
    expect(third.state).to.equal('error');
    expect(third.getAttribute('state')).to.equal('error');
  });

  it("empties the other member's remote video within two seconds of a leave", async () => {
    const { a, b, remoteA } = await twoMembers(uniqueRoom('leave'));
    await waitForPicture(remoteA);
    const peerLeft = oneEvent(a, 'rtc-peer-left');
    const started = performance.now();
    await b.leave();
    const { detail } = await peerLeft;
    expect(detail.peer.name).to.equal('Bob');
    await waitUntil(() => remoteA.remotePeer === null && !remoteA.connected, 'remote video still shows the peer', {
      timeout: 2_000,
    });
    expect(performance.now() - started).to.be.below(2_000);
    expect(remoteA.shadowRoot!.querySelector('video')!.srcObject).to.equal(null);
    expect(slotText(remoteA, 'placeholder')).to.equal('Waiting for someone to join…');
    expect(partVisible(remoteA, 'placeholder')).to.be.true;
    expect(partVisible(remoteA, 'name')).to.be.false;
  });

  it('tells the others when a member element is removed from the page', async () => {
    const { a, b } = await twoMembers(uniqueRoom('remove'));
    const peerLeft = oneEvent(a, 'rtc-peer-left');
    b.remove();
    await peerLeft;
    expect(a.peers).to.have.length(0);
  });
});
