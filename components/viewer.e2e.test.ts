// Members that send nothing, through the real server: a receive-only member (its access token
// says `publish: false`; see TOKEN_ROUTE in web-test-runner.config.js) and one that joins with
// `no-audio no-video`. Both must still receive, and the controls must not offer what cannot work.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import './define.js';
import type { RtcControlsElement } from './rtc-controls/rtc-controls.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { framesDecoded, uniqueRoom } from './test-support/helpers.js';

/** A server that requires access tokens, and a host and a viewer (`publish: false`) token for `room`. */
async function tokensFor(room: string) {
  const res = await fetch(`/__rtc-test/tokens?room=${encodeURIComponent(room)}`);
  return (await res.json()) as { server: string; host: string; viewer: string };
}

const part = (el: Element, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

/** The code a promise rejects with, or 'resolved'. */
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: { code?: string }) => e.code ?? String(e),
  );

describe('a receive-only member (publish: false)', function () {
  this.timeout(30_000);

  it('gets no microphone, camera or share buttons, and the core refuses camera and screen share with media_denied', async () => {
    const room = uniqueRoom('viewer');
    const setup = await tokensFor(room);
    const box = await fixture<HTMLDivElement>(
      html`<div>
        <rtc-room manual server=${setup.server} room=${room} token=${setup.host}></rtc-room>
        <rtc-room manual server=${setup.server} room=${room} token=${setup.viewer}><rtc-controls></rtc-controls></rtc-room>
      </div>`,
    );
    const [host, viewer] = [...box.querySelectorAll('rtc-room')] as [RtcRoomElement, RtcRoomElement];
    await host.join();
    await viewer.join();
    const controls = viewer.querySelector('rtc-controls') as RtcControlsElement;
    await waitUntil(() => viewer.peers.length === 1 && host.peers.length === 1, 'not both in the room');
    expect(viewer.session!.publish).to.equal(false);
    await controls.updateComplete;

    // Nothing to mute, turn off or share: those buttons are not there; devices and leave are.
    for (const name of ['mute-button', 'camera-button', 'screen-button']) expect(!!part(controls, name), `${name} shown`).to.be.false;
    const labels = [...controls.shadowRoot!.querySelectorAll('button')].map((b) => b.getAttribute('aria-label'));
    expect(labels).to.deep.equal(['Devices', 'Leave call']);
    expect(part(controls, 'leave-button')!.hasAttribute('disabled')).to.be.false;
    // the device menu offers only the speaker (a camera or microphone choice would do nothing)
    part(controls, 'devices-button')!.click();
    await controls.updateComplete;
    const kinds = [...controls.shadowRoot!.querySelectorAll('select')].map((s) => s.dataset['kind']);
    expect(kinds).to.deep.equal(['audiooutput']);
    await expect(controls).to.be.accessible();

    // A script gets the same answer, and no capture is even asked for.
    const { getDisplayMedia, getUserMedia } = navigator.mediaDevices;
    let asked = 0;
    navigator.mediaDevices.getDisplayMedia = () => (asked++, Promise.reject(new DOMException('asked', 'NotAllowedError')));
    navigator.mediaDevices.getUserMedia = () => (asked++, Promise.reject(new DOMException('asked', 'NotAllowedError')));
    const errors: string[] = [];
    viewer.addEventListener('rtc-error', (e) => errors.push(e.detail.code));
    try {
      expect(await rejection(viewer.session!.media.startScreenShare())).to.equal('media_denied');
      expect(await rejection(viewer.session!.media.setVideoEnabled(true))).to.equal('media_denied');
    } finally {
      navigator.mediaDevices.getDisplayMedia = getDisplayMedia;
      navigator.mediaDevices.getUserMedia = getUserMedia;
    }
    expect(asked, 'getDisplayMedia/getUserMedia called').to.equal(0);
    expect(errors).to.deep.equal(['media_denied', 'media_denied']);
    expect(viewer.session!.media.state).to.deep.equal({ audio: false, video: false, screen: false });
    expect(viewer.localStream).to.equal(null);
    expect(host.peers[0]!.media ?? { audio: false, video: false, screen: false }).to.deep.equal({
      audio: false,
      video: false,
      screen: false,
    });
  });
});

describe('a member with no-audio no-video', function () {
  this.timeout(30_000);

  it('joins a call, opens nothing, and decodes the other member’s frames', async () => {
    const room = uniqueRoom('sendsnothing');
    const box = await fixture<HTMLDivElement>(
      html`<div>
        <rtc-room manual room=${room} name="Ada"></rtc-room>
        <rtc-room manual room=${room} name="Bob" no-audio no-video><rtc-controls></rtc-controls></rtc-room>
      </div>`,
    );
    const [a, b] = [...box.querySelectorAll('rtc-room')] as [RtcRoomElement, RtcRoomElement];
    await a.join();
    await b.join();
    await waitUntil(() => b.peers.length === 1, 'Bob does not see Ada');
    const adaId = b.peers[0]!.id;
    await waitUntil(async () => (await framesDecoded(b, adaId)) > 10, 'Bob decodes no frames from Ada', { timeout: 15_000 });
    expect(b.localStream).to.equal(null);
    expect(b.session!.media.error).to.equal(null);
    await waitUntil(() => a.peers[0]?.media?.video === false, 'Ada was not told what Bob sends');
    expect(a.peers[0]!.media).to.deep.equal({ audio: false, video: false, screen: false });
    // Bob may publish, so his buttons are there, disabled: there is nothing to mute or share.
    const controls = b.querySelector('rtc-controls') as RtcControlsElement;
    await controls.updateComplete;
    for (const name of ['mute-button', 'camera-button', 'screen-button'])
      expect(part(controls, name)!.hasAttribute('disabled'), name).to.be.true;
    expect(await rejection(b.session!.media.startScreenShare())).to.equal('media_denied');
  });
});
