import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import './define.js';
import type { RtcChatElement } from './rtc-chat/rtc-chat.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { framesDecoded, holdsFor, uniqueRoom, videoOf } from './test-support/helpers.js';

async function pair(room: string, box: HTMLElement): Promise<[RtcRoomElement, RtcRoomElement]> {
  const els = ['Ada', 'Bob'].map((name) => {
    const el = document.createElement('rtc-room');
    Object.assign(el, { room, name });
    el.append(document.createElement('rtc-remote-video'));
    box.append(el);
    return el;
  }) as [RtcRoomElement, RtcRoomElement];
  await waitUntil(() => els.every((el) => el.state === 'joined' && el.peers[0]?.connectionState === 'connected'), `${room}: no call`, {
    timeout: 10_000,
  });
  return els;
}

/** Resolves once the video has presented `count` new frames (requestVideoFrameCallback). */
async function framesShown(video: HTMLVideoElement, count: number, timeout: number): Promise<void> {
  let n = 0;
  const tick = () => {
    n++;
    video.requestVideoFrameCallback(tick);
  };
  video.requestVideoFrameCallback(tick);
  await waitUntil(() => n >= count, `fewer than ${count} frames shown`, { timeout });
}

describe('embedding without surprises', () => {
  it('two rooms on one page are independent', async function () {
    this.timeout(30_000);
    const box = await fixture<HTMLDivElement>(html`<div></div>`);
    const [a1, b1] = await pair(uniqueRoom('one'), box);
    const [a2, b2] = await pair(uniqueRoom('two'), box);
    expect(a1.peers.map((p) => p.id)).to.deep.equal([b1.session!.id]);
    expect(a2.peers.map((p) => p.id)).to.deep.equal([b2.session!.id]);
    await waitUntil(async () => (await framesDecoded(a1, b1.session!.id!)) > 0 && (await framesDecoded(a2, b2.session!.id!)) > 0);
    // Leaving one room leaves the other call alone.
    await a1.leave();
    await waitUntil(() => b1.peers.length === 0, 'b1 still sees a1');
    const frames = await framesDecoded(a2, b2.session!.id!);
    await waitUntil(async () => (await framesDecoded(a2, b2.session!.id!)) > frames + 10, 'the other call stopped');
    expect(a2.peers).to.have.length(1);
  });

  it('a moved <rtc-room> keeps its call: same session, no rtc-left, the pictures keep playing, chat lines kept', async function () {
    this.timeout(30_000);
    const box = await fixture<HTMLDivElement>(
      html`<div>
        <section></section>
        <aside></aside>
      </div>`,
    );
    const [a, b] = await pair(uniqueRoom('move'), box.querySelector('section')!);
    const chat = a.appendChild(document.createElement('rtc-chat')) as RtcChatElement;
    await chat.updateComplete;
    const session = a.session!;
    const events: string[] = [];
    for (const type of ['rtc-left', 'rtc-joined', 'rtc-peer-left']) a.addEventListener(type, () => events.push(type));
    const video = videoOf(a.querySelector('rtc-remote-video')!);
    // A re-render that takes the element out and puts it back somewhere else a little later.
    a.remove();
    // A chat line from Bob arrives while Ada's room is out of the page.
    const arrived = new Promise((r) => session.addEventListener('message', r, { once: true }));
    expect(b.send({ 'rtc-chat': 'during the move' })).to.have.length(1);
    await arrived;
    box.querySelector('aside')!.append(a);
    // Same task too (a plain move with append).
    box.querySelector('section')!.append(a);
    // past the one-second grace: still the same call
    const kept = () => a.session === session && a.state === 'joined' && events.length === 0;
    await holdsFor(kept, 1_500, `the move ended the call (${events.join()})`);
    await framesShown(video, 6, 1_000);
    const audio = a.shadowRoot!.querySelector('audio')!;
    expect(audio.paused, 'sound paused by the move').to.be.false;
    expect(chat.messages.map((m) => [m.from?.name, m.text])).to.deep.equal([['Bob', 'during the move']]);
    // and it still hears the room after the move
    b.send({ 'rtc-chat': 'after' });
    await waitUntil(() => chat.messages.length === 2, 'the chat stopped hearing the room after the move');
  });

  it('<rtc-chat> out of the page lets go of the session once its room has left for good', async () => {
    const box = await fixture<HTMLDivElement>(html`<div></div>`);
    const room = document.createElement('rtc-room');
    Object.assign(room, { room: uniqueRoom('chat-gone'), noVideo: true, noAudio: true });
    const chat = room.appendChild(document.createElement('rtc-chat')) as RtcChatElement;
    box.append(room);
    await waitUntil(() => room.state === 'joined');
    await chat.updateComplete;
    const session = room.session!;
    const line = (text: string) => new CustomEvent('message', { detail: { peer: { id: 'p', name: 'P' }, data: { 'rtc-chat': text } } });
    room.remove();
    session.dispatchEvent(line('still bound'));
    await waitUntil(() => room.state === 'idle', 'did not leave', { timeout: 3_000 });
    session.dispatchEvent(line('after the end'));
    expect(chat.messages.map((m) => m.text)).to.deep.equal(['still bound']);
  });

  it('removed for good, it leaves and stops the camera within the grace', async () => {
    const el = await fixture<RtcRoomElement>(html`<rtc-room room=${uniqueRoom('gone')}></rtc-room>`);
    await waitUntil(() => el.state === 'joined' && el.localStream !== null);
    const tracks = el.localStream!.getTracks();
    const t0 = performance.now();
    el.remove();
    await waitUntil(() => el.state === 'idle', 'did not leave', { timeout: 3_000 });
    expect(performance.now() - t0).to.be.within(900, 2_000);
    expect(tracks.map((t) => t.readyState)).to.deep.equal(['ended', 'ended']);
  });
});
