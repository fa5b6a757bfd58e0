import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../define.js';
import type { RtcRoomElement } from '../rtc-room/rtc-room.js';
import { controlledCall as call } from '../test-support/calls.js';
import { partVisible, slotText, uniqueRoom } from '../test-support/helpers.js';
import type { RtcControlsElement } from './rtc-controls.js';

const part = (el: Element, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;
const pressed = (el: Element, name: string) => part(el, name).getAttribute('aria-pressed');

describe('<rtc-controls>', function () {
  this.timeout(20_000);

  it('renders real buttons with parts, names and aria-pressed, and axe finds no violations', async () => {
    const { controls } = await call();
    const buttons = [...controls.shadowRoot!.querySelectorAll('button')];
    expect(buttons.map((b) => b.getAttribute('aria-label'))).to.deep.equal([
      'Mute microphone',
      'Turn off camera',
      'Share screen',
      'Devices',
      'Leave call',
    ]);
    for (const name of ['mute-button', 'camera-button', 'screen-button', 'devices-button', 'leave-button']) {
      expect(part(controls, name).localName).to.equal('button');
    }
    expect(part(controls, 'toolbar').getAttribute('role')).to.equal('toolbar');
    expect(pressed(controls, 'mute-button')).to.equal('false');
    expect(pressed(controls, 'camera-button')).to.equal('false');
    await expect(controls).to.be.accessible();
    part(controls, 'devices-button').click();
    await controls.updateComplete;
    expect(part(controls, 'devices-button').getAttribute('aria-expanded')).to.equal('true');
    await waitUntil(() => controls.shadowRoot!.querySelectorAll('option').length > 0, 'no devices listed');
    await expect(controls).to.be.accessible();
    part(controls, 'mute-button').click();
    await controls.updateComplete;
    await expect(controls).to.be.accessible();
  });

  it("mutes and turns the camera off, and the other member's tile shows it", async () => {
    const { a, controls, remote } = await call();
    part(controls, 'mute-button').click();
    await waitUntil(() => pressed(controls, 'mute-button') === 'true', 'not pressed');
    expect(a.localStream!.getAudioTracks()[0]!.enabled).to.be.false;
    await waitUntil(() => remote.hasAttribute('audio-muted'), 'remote tile not muted', { timeout: 1_000 });
    expect(partVisible(remote, 'muted-indicator')).to.be.true;

    part(controls, 'camera-button').click();
    await waitUntil(() => pressed(controls, 'camera-button') === 'true', 'camera button not pressed');
    expect(a.localStream!.getVideoTracks()).to.have.length(0);
    await waitUntil(() => remote.hasAttribute('video-muted'), 'remote tile shows video', { timeout: 1_000 });
    expect(partVisible(remote, 'video-off')).to.be.true;
    expect(partVisible(remote, 'video')).to.be.false;
    expect(slotText(remote, 'video-off')).to.equal('Ada');

    part(controls, 'camera-button').click();
    part(controls, 'mute-button').click();
    await waitUntil(() => !remote.hasAttribute('video-muted') && !remote.hasAttribute('audio-muted'), 'remote tile still off');
    expect(remote.shadowRoot!.querySelector('[part~="muted-indicator"]')).to.equal(null);
  });

  it('works from the keyboard: one Tab stop, arrows move between buttons, Enter toggles, Escape closes the menu', async () => {
    const { controls } = await call();
    const tabStops = () => [...controls.shadowRoot!.querySelectorAll<HTMLButtonElement>('.toolbar button')].filter((b) => b.tabIndex === 0);
    expect(tabStops(), 'the toolbar is one Tab stop').to.deep.equal([part(controls, 'mute-button')]);
    part(controls, 'mute-button').focus();
    await sendKeys({ press: 'ArrowRight' });
    expect(controls.shadowRoot!.activeElement).to.equal(part(controls, 'camera-button'));
    // Tab leaves the toolbar and Shift+Tab comes back to the button last used (roving tabindex)
    expect(tabStops()).to.deep.equal([part(controls, 'camera-button')]);
    await sendKeys({ press: 'Tab' });
    expect(controls.shadowRoot!.activeElement).to.not.equal(part(controls, 'screen-button'));
    await sendKeys({ press: 'Shift+Tab' });
    expect(controls.shadowRoot!.activeElement).to.equal(part(controls, 'camera-button'));
    await sendKeys({ press: 'End' });
    expect(controls.shadowRoot!.activeElement).to.equal(part(controls, 'leave-button'));
    await sendKeys({ press: 'Home' });
    expect(controls.shadowRoot!.activeElement).to.equal(part(controls, 'mute-button'));
    expect(getComputedStyle(part(controls, 'mute-button')).outlineStyle, 'no visible focus').to.equal('solid');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => pressed(controls, 'mute-button') === 'true', 'Enter did not mute');
    await sendKeys({ press: 'Space' });
    await waitUntil(() => pressed(controls, 'mute-button') === 'false', 'Space did not unmute');
    part(controls, 'devices-button').focus();
    await sendKeys({ press: 'Enter' });
    await controls.updateComplete;
    expect(partVisible(controls, 'device-menu')).to.be.true;
    controls.shadowRoot!.querySelector('select')!.focus();
    await sendKeys({ press: 'Escape' });
    await controls.updateComplete;
    expect(partVisible(controls, 'device-menu')).to.be.false;
    expect(controls.shadowRoot!.activeElement).to.equal(part(controls, 'devices-button'));
  });

  it('takes other strings and icons', async () => {
    const el = await fixture<RtcControlsElement>(
      html`<rtc-controls .strings=${{ mute: 'Stummschalten', leave: 'Verlassen' }}><b slot="leave-icon">×</b></rtc-controls>`,
    );
    expect(part(el, 'mute-button').getAttribute('aria-label')).to.equal('Stummschalten');
    expect(part(el, 'leave-button').textContent!.trim()).to.equal('Verlassen');
    expect(part(el, 'camera-button').getAttribute('aria-label')).to.equal('Turn off camera');
    const slot = part(el, 'leave-button').querySelector('slot')!;
    expect(slot.assignedElements()[0]!.textContent).to.equal('×');
    // outside a room every button is there, but disabled: there is no call for them to act on
    expect([...el.shadowRoot!.querySelectorAll('button')].every((b) => b.disabled)).to.be.true;
  });

  it('asks before leaving: a cancelled rtc-leave-request keeps the call', async () => {
    const { a, controls } = await call();
    const once = (e: Event) => e.preventDefault();
    a.addEventListener('rtc-leave-request', once, { once: true });
    part(controls, 'leave-button').click();
    await controls.updateComplete;
    expect(a.state).to.equal('joined');
    const left = oneEvent(a, 'rtc-left');
    part(controls, 'leave-button').click();
    await left;
    expect(a.state).to.equal('idle');
  });

  it('leaves a room that joins by itself, and it stays left until asked again', async () => {
    const room = await fixture<RtcRoomElement>(html`<rtc-room room=${uniqueRoom('stay')}><rtc-controls></rtc-controls></rtc-room>`);
    await waitUntil(() => room.state === 'joined', 'did not join');
    const controls = room.querySelector('rtc-controls')!;
    await controls.updateComplete;
    const left = oneEvent(room, 'rtc-left');
    part(controls, 'leave-button').click();
    await left;
    room.requestUpdate();
    await room.updateComplete;
    expect(room.session, 'joined again by itself').to.equal(null);
    expect(room.state).to.equal('idle');
    await room.join();
    expect(room.state).to.equal('joined');
  });
});
