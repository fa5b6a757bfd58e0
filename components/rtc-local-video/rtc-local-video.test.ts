import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { RtcRoomElement } from '../rtc-room/rtc-room.js';
import type { RtcLocalVideoElement } from './rtc-local-video.js';
import { partVisible, slotText, uniqueRoom, videoOf, waitForPicture } from '../test-support/helpers.js';

describe('<rtc-local-video>', () => {
  it('renders a muted video part and the placeholder slot before joining', async () => {
    const room = await fixture<RtcRoomElement>(html`
      <rtc-room manual room="x"
        ><rtc-local-video><span slot="placeholder">camera off</span></rtc-local-video></rtc-room
      >
    `);
    const el = room.querySelector('rtc-local-video')!;
    await el.updateComplete;
    const video = videoOf(el);
    expect(video.getAttribute('part')).to.equal('video');
    expect(video.muted).to.be.true;
    expect(video.hidden).to.be.true;
    expect(partVisible(el, 'placeholder')).to.be.true;
    expect(slotText(el, 'placeholder')).to.equal('camera off');
  });

  it("shows the room's camera once joined", async () => {
    const room = await fixture<RtcRoomElement>(html`<rtc-room room=${uniqueRoom()}><rtc-local-video></rtc-local-video></rtc-room>`);
    const el = room.querySelector('rtc-local-video') as RtcLocalVideoElement;
    const video = await waitForPicture(el);
    expect(video.srcObject).to.equal(room.localStream);
    expect(el.stream).to.equal(room.localStream);
    expect(partVisible(el, 'placeholder')).to.be.false;
  });

  it('mirrors the picture with the mirror attribute, and follows --rtc-video-fit', async () => {
    const room = await fixture<RtcRoomElement>(html`
      <rtc-room room=${uniqueRoom()}><rtc-local-video mirror style="--rtc-video-fit: contain"></rtc-local-video></rtc-room>
    `);
    const el = room.querySelector('rtc-local-video')!;
    await waitForPicture(el);
    const style = getComputedStyle(videoOf(el));
    expect(style.transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
    expect(style.objectFit).to.equal('contain');
    el.mirror = false;
    await el.updateComplete;
    expect(getComputedStyle(videoOf(el)).transform).to.equal('none');
    expect(el.hasAttribute('mirror')).to.be.false;
  });

  it('shows nothing when outside any <rtc-room>', async () => {
    const el = await fixture<RtcLocalVideoElement>(html`<rtc-local-video></rtc-local-video>`);
    await waitUntil(() => el.hasUpdated);
    expect(el.stream).to.equal(null);
  });
});
