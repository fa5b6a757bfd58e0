// Runs in a Chromium with its default autoplay policy (scripts/wtr/browsers.mjs), with play() held
// to the rule of browsers that refuse sound before the person has interacted with the page.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { RtcAutoplayBlockedEvent } from '../events.js';
import { sendMouse } from '@web/test-runner-commands';
import '../define.js';
import type { RtcRoomElement } from './rtc-room.js';
import { uniqueRoom } from '../test-support/helpers.js';

describe('<rtc-room> under the browser autoplay policy', function () {
  this.timeout(60_000); // two joins and a call in a fresh browser: slow when the machine is busy

  // Chromium lets a MediaStream play without a gesture once its load has begun (its autoplay policy
  // exempts MediaStream sources), so whether it refuses the call's sound depends on timing: a
  // play() right after `srcObject` is set is refused, one a few ms later is not. Safari and Firefox
  // refuse audible media until the page has had a user activation. This test holds Chromium to that
  // rule, the one our controller is for: play() is refused until the page has been activated (a
  // real click, below), and is Chromium's own play() from then on.
  const realPlay = HTMLMediaElement.prototype.play;
  before(() => {
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      if (!navigator.userActivation.hasBeenActive) {
        return Promise.reject(new DOMException('play() needs a user activation', 'NotAllowedError'));
      }
      return realPlay.call(this);
    };
  });
  after(() => {
    HTMLMediaElement.prototype.play = realPlay;
  });

  it('says autoplay_blocked and sets needs-gesture when sound may not start, and plays it after a click', async () => {
    const name = uniqueRoom('autoplay');
    const box = await fixture<HTMLDivElement>(
      html`<div>
        <rtc-room room=${name} name="Ada"></rtc-room>
        <rtc-room room=${name} name="Bob" no-video manual></rtc-room>
      </div>`,
    );
    const [a, b] = [...box.querySelectorAll('rtc-room')] as [RtcRoomElement, RtcRoomElement];
    await waitUntil(() => a.state === 'joined', 'Ada did not join');
    const blocked = oneEvent(a, 'rtc-error');
    const blockedEvent = oneEvent(a, 'rtc-autoplay-blocked') as Promise<RtcAutoplayBlockedEvent>;
    await b.join();
    const { detail } = await Promise.race([
      blocked,
      new Promise<never>((_, reject) =>
        setTimeout(
          () =>
            reject(
              new Error(
                `no rtc-error 35 s after Bob joined; Ada: ${a.state}, ${a.peers.map((p) => p.connectionState)}; ` +
                  `audio paused: ${a.shadowRoot!.querySelector('audio')?.paused}`,
              ),
            ),
          35_000,
        ),
      ),
    ]);
    expect(detail.code).to.equal('autoplay_blocked');
    expect((await blockedEvent).detail.room).to.equal(name);
    const audio = () => a.shadowRoot!.querySelector('audio')!;
    expect(audio().paused, 'sound started without a gesture').to.be.true;
    await a.updateComplete;
    expect(a.hasAttribute('needs-gesture')).to.be.true;
    const prompt = a.shadowRoot!.querySelector<HTMLElement>('[part=audio-prompt]')!;
    expect(prompt.checkVisibility(), 'the audio prompt is visible').to.be.true;
    // A touch whose pointerdown gives no user activation (here: synthetic events, never one) does
    // not start sound: needs-gesture stays, and it is not reported again.
    let reports = 0;
    const count = () => reports++;
    a.addEventListener('rtc-autoplay-blocked', count);
    a.addEventListener('rtc-error', count);
    for (const type of ['pointerdown', 'touchend']) {
      a.dispatchEvent(
        type === 'pointerdown'
          ? new PointerEvent(type, { pointerType: 'touch', bubbles: true, composed: true })
          : new Event(type, { bubbles: true, composed: true }),
      );
    }
    // play() refusals settle in order: once ours has, the element's (started first) have too.
    expect(
      await audio()
        .play()
        .then(
          () => 'played',
          (e: DOMException) => e.name,
        ),
    ).to.equal('NotAllowedError');
    await a.updateComplete;
    expect(a.hasAttribute('needs-gesture'), 'still waiting after a gesture without activation').to.be.true;
    expect(reports, 'the same block reported again').to.equal(0);
    // The person clicks the prompt's button (a real mouse click: a user activation).
    const button = a.shadowRoot!.querySelector<HTMLButtonElement>('[part=audio-button]')!.getBoundingClientRect();
    await sendMouse({ type: 'click', position: [Math.round(button.x + button.width / 2), Math.round(button.y + button.height / 2)] });
    await waitUntil(() => !audio().paused, 'sound did not start after a click', { timeout: 5_000 });
    expect(audio().muted).to.be.false;
    await waitUntil(() => !a.hasAttribute('needs-gesture'));
    expect(prompt.checkVisibility(), 'the audio prompt is gone').to.be.false;
    expect(reports).to.equal(0);
  });
});
