import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { RtcRoomElement } from '../rtc-room/rtc-room.js';
import type { RtcRemoteVideoElement } from './rtc-remote-video.js';
import { slotText, uniqueRoom, videoOf, waitForPicture } from '../test-support/helpers.js';

describe('<rtc-remote-video>', () => {
  it('shows the default placeholder and exposes its parts while nobody is there', async () => {
    const room = await fixture<RtcRoomElement>(html`<rtc-room manual room="x"><rtc-remote-video></rtc-remote-video></rtc-room>`);
    const el = room.querySelector('rtc-remote-video')!;
    await el.updateComplete;
    expect(slotText(el, 'placeholder')).to.equal('Waiting for someone to join…');
    expect(videoOf(el).getAttribute('part')).to.equal('video');
    expect(videoOf(el).hidden).to.be.true;
    expect(el.shadowRoot!.querySelector('[part=name]')).to.exist;
    expect(el.connected).to.be.false;
    expect(el.hasAttribute('connected')).to.be.false;
  });

  it('takes slotted placeholder content', async () => {
    const room = await fixture<RtcRoomElement>(html`
      <rtc-room manual room="x"
        ><rtc-remote-video><b slot="placeholder">Nobody yet</b></rtc-remote-video></rtc-room
      >
    `);
    const el = room.querySelector('rtc-remote-video')!;
    await el.updateComplete;
    expect(slotText(el, 'placeholder')).to.equal('Nobody yet');
  });

  it('gives each unpinned element a different peer, and honours a pinned peer', async () => {
    const name = uniqueRoom('pin');
    const box = await fixture<HTMLDivElement>(html`
      <div>
        <rtc-room room=${name} name="host" manual>
          <rtc-remote-video id="first"></rtc-remote-video>
          <rtc-remote-video id="second"></rtc-remote-video>
        </rtc-room>
      </div>
    `);
    const host = box.querySelector('rtc-room')!;
    await host.join();
    // One guest joins: the first unpinned element shows it, the second stays empty.
    const guest = document.createElement('rtc-room');
    guest.room = name;
    guest.name = 'guest';
    box.append(guest);
    const first = box.querySelector('#first') as RtcRemoteVideoElement;
    const second = box.querySelector('#second') as RtcRemoteVideoElement;
    await waitUntil(() => first.remotePeer !== null, 'the first element shows nobody');
    expect(first.remotePeer!.name).to.equal('guest');
    expect(second.remotePeer).to.equal(null);
    // Pin the guest on the second element: the first gives it up.
    second.peer = first.remotePeer!.id;
    await waitUntil(() => second.remotePeer?.name === 'guest' && first.remotePeer === null, 'pin not honoured');
    await waitForPicture(second);
    // A pin on an unknown id shows nobody.
    second.peer = 'no-such-peer';
    await waitUntil(() => second.remotePeer === null && first.remotePeer?.name === 'guest');
  });

  it("mutes the shown member's sound (played by the room) with the muted attribute", async () => {
    const name = uniqueRoom('mute');
    const box = await fixture<HTMLDivElement>(html`
      <div>
        <rtc-room room=${name} name="host"><rtc-remote-video muted></rtc-remote-video></rtc-room>
        <rtc-room room=${name} name="guest" no-video></rtc-room>
      </div>
    `);
    const [host] = [...box.querySelectorAll('rtc-room')] as RtcRoomElement[];
    const el = host.querySelector('rtc-remote-video')!;
    await waitUntil(() => el.remotePeer !== null, 'the guest never showed up');
    const guestId = el.remotePeer!.id;
    const audioOf = () => host.shadowRoot!.querySelector<HTMLAudioElement>(`audio[data-peer="${guestId}"]`)!;
    await waitUntil(() => audioOf() !== null && host.mutedPeers.has(guestId), 'not muted in the room');
    expect(videoOf(el).muted).to.be.true;
    expect(audioOf().muted).to.be.true;
    el.muted = false;
    await waitUntil(() => !host.mutedPeers.has(guestId) && !audioOf().muted, 'not unmuted');
    el.muted = true;
    await waitUntil(() => audioOf().muted, 'not muted again');
    el.remove();
    await waitUntil(() => !audioOf().muted, 'an element that is gone keeps the member muted');
  });
});
