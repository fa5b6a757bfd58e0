import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { RtcRoomElement } from './rtc-room.js';
import { uniqueRoom } from '../test-support/helpers.js';

describe('<rtc-room>', () => {
  it('is registered, renders a slot and starts idle', async () => {
    const el = await fixture<RtcRoomElement>(html`<rtc-room manual room="x"><p>hi</p></rtc-room>`);
    expect(el).to.be.instanceOf(customElements.get('rtc-room')!);
    expect(el).shadowDom.to.equal(
      '<div class="prompt" part="audio-prompt" hidden><slot name="audio-prompt"><button type="button" part="audio-button">Start audio</button></slot></div>' +
        '<slot></slot><div class="audio"></div>',
    );
    expect(el.hasAttribute('needs-gesture')).to.be.false;
    expect(el.state).to.equal('idle');
    expect(el.getAttribute('state')).to.equal('idle');
    expect(el.session).to.equal(null);
  });

  it('joins by itself, reflects state and fires rtc-joined with its id and the room', async () => {
    const room = uniqueRoom();
    const el = document.createElement('rtc-room');
    el.room = room;
    const joined = oneEvent(el, 'rtc-joined');
    document.body.append(el);
    try {
      await waitUntil(() => el.getAttribute('state') === 'connecting' || el.state === 'joined');
      const { detail } = await joined;
      expect(detail.room).to.equal(room);
      expect(detail.id).to.be.a('string').and.not.empty;
      expect(detail.peers).to.deep.equal([]);
      expect(el.getAttribute('state')).to.equal('joined');
    } finally {
      el.remove();
    }
  });

  it('does not join while manual is set, until join() is called', async () => {
    const el = await fixture<RtcRoomElement>(html`<rtc-room manual room=${uniqueRoom()}></rtc-room>`);
    await el.updateComplete;
    expect(el.session).to.equal(null);
    await el.join();
    expect(el.state).to.equal('joined');
  });

  it('sends camera and microphone by default, and honours no-video / no-audio', async () => {
    const both = await fixture<RtcRoomElement>(html`<rtc-room room=${uniqueRoom()}></rtc-room>`);
    await waitUntil(() => both.localStream !== null, 'no local stream');
    expect(both.localStream!.getVideoTracks()).to.have.length(1);
    expect(both.localStream!.getAudioTracks()).to.have.length(1);
    const audioOnly = await fixture<RtcRoomElement>(html`<rtc-room no-video room=${uniqueRoom()}></rtc-room>`);
    await waitUntil(() => audioOnly.localStream !== null, 'no local stream');
    expect(audioOnly.localStream!.getVideoTracks()).to.have.length(0);
    expect(audioOnly.localStream!.getAudioTracks()).to.have.length(1);
    const videoOnly = await fixture<RtcRoomElement>(html`<rtc-room no-audio room=${uniqueRoom()}></rtc-room>`);
    await waitUntil(() => videoOnly.localStream !== null, 'no local stream');
    expect(videoOnly.localStream!.getAudioTracks()).to.have.length(0);
  });

  it('answers a bad room name with rtc-error bad_request and state="error"', async () => {
    const el = document.createElement('rtc-room');
    el.room = 'no spaces allowed';
    const error = oneEvent(el, 'rtc-error');
    document.body.append(el);
    try {
      const { detail } = await error;
      expect(detail.code).to.equal('bad_request');
      expect(detail.message).to.match(/room/);
      await waitUntil(() => el.getAttribute('state') === 'error');
      expect(el.localStream).to.equal(null);
    } finally {
      el.remove();
    }
  });

  it('says connect_failed when the server cannot be reached, keeps trying, and stops on leave()', async () => {
    const el = await fixture<RtcRoomElement>(html`<rtc-room manual room="r" server="http://127.0.0.1:9"></rtc-room>`);
    const error = oneEvent(el, 'rtc-error');
    let settled = false;
    const joining = el.join().finally(() => (settled = true));
    expect((await error).detail.code).to.equal('connect_failed');
    expect(el.state).to.equal('connecting');
    await new Promise((r) => setTimeout(r, 1_500)); // a retry or two later
    expect([el.state, settled]).to.deep.equal(['connecting', false]);
    await el.leave();
    await joining;
    expect(el.state).to.equal('idle');
  });

  it('leaves and joins the new room when room changes', async () => {
    const el = await fixture<RtcRoomElement>(html`<rtc-room room=${uniqueRoom()}></rtc-room>`);
    await waitUntil(() => el.state === 'joined');
    const first = el.session;
    const left = oneEvent(el, 'rtc-left');
    const joined = oneEvent(el, 'rtc-joined');
    const next = uniqueRoom();
    el.room = next;
    await left;
    expect((await joined).detail.room).to.equal(next);
    expect(el.session).to.not.equal(first);
  });

  it('stops the camera and microphone when removed from the page', async () => {
    const el = await fixture<RtcRoomElement>(html`<rtc-room room=${uniqueRoom()}></rtc-room>`);
    await waitUntil(() => el.localStream !== null && el.state === 'joined');
    const tracks = el.localStream!.getTracks();
    const left = oneEvent(el, 'rtc-left');
    el.remove();
    await left;
    expect(tracks.map((t) => t.readyState)).to.deep.equal(['ended', 'ended']);
    expect(el.state).to.equal('idle');
    expect(el.session).to.equal(null);
  });

  it('leave() ends the session and the state returns to idle', async () => {
    const el = await fixture<RtcRoomElement>(html`<rtc-room manual room=${uniqueRoom()}></rtc-room>`);
    await el.join();
    await el.leave();
    expect(el.state).to.equal('idle');
    expect(el.getAttribute('state')).to.equal('idle');
  });
});
