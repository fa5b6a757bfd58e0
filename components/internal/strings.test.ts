import { expect, fixture, html } from '@open-wc/testing';
import '../define.js';
import { slotText } from '../test-support/helpers.js';
import { langOf, registerStrings, stringsFor } from './strings.js';

describe('strings in the page language', () => {
  it('English by default, French from the nearest lang, across shadow roots', async () => {
    const box = await fixture<HTMLDivElement>(html`<div>
      <rtc-room manual><rtc-remote-video></rtc-remote-video></rtc-room>
      <section lang="fr"><rtc-room manual><rtc-remote-video></rtc-remote-video><rtc-remote-videos></rtc-remote-videos></rtc-room></section>
    </div>`);
    const [en, fr] = [...box.querySelectorAll('rtc-remote-video')];
    expect(slotText(en!, 'placeholder')).to.equal('Waiting for someone to join…');
    expect(slotText(fr!, 'placeholder')).to.equal('En attente d’un participant…');
    expect(slotText(box.querySelector('rtc-remote-videos')!, 'placeholder')).to.equal('En attente des autres participants…');
    const frRoom = box.querySelectorAll('rtc-room')[1]!;
    expect(frRoom.shadowRoot!.querySelector('[part=audio-button]')!.textContent).to.equal('Activer le son');
    // inside a shadow root, the host's language counts
    const inner = document.createElement('span');
    fr!.shadowRoot!.append(inner);
    expect(langOf(inner)).to.equal('fr');
  });

  it('registerStrings adds a language; a regional tag falls back to its language, then to English, word by word', async () => {
    registerStrings('de', { waitingForOne: 'Warten auf Teilnehmer…' });
    const el = await fixture(html`<div lang="de-CH"><rtc-room manual><rtc-remote-video></rtc-remote-video></rtc-room></div>`);
    expect(slotText(el.querySelector('rtc-remote-video')!, 'placeholder')).to.equal('Warten auf Teilnehmer…');
    expect(stringsFor(el).startAudio).to.equal('Start audio');
    registerStrings('de-CH', { startAudio: 'Ton an' });
    expect(stringsFor(el)).to.include({ waitingForOne: 'Warten auf Teilnehmer…', startAudio: 'Ton an' });
  });

  it('<rtc-controls> speaks the language too, and its strings property wins', async () => {
    const el = await fixture(html`<div lang="fr"><rtc-room manual><rtc-controls></rtc-controls></rtc-room></div>`);
    const controls = el.querySelector('rtc-controls')!;
    await controls.updateComplete;
    const label = (part: string) => controls.shadowRoot!.querySelector(`[part~=${part}]`)!.textContent!.trim();
    expect(label('mute-button')).to.equal('Couper le micro');
    expect(controls.shadowRoot!.querySelector('[part~=toolbar]')!.getAttribute('aria-label')).to.equal('Commandes de l’appel');
    controls.strings = { leave: 'Raccrocher' };
    await controls.updateComplete;
    expect(label('leave-button')).to.equal('Raccrocher');
  });

  it('attributes and slots still win', async () => {
    const el = await fixture(html`<div lang="fr"><rtc-room manual>
      <rtc-chat send-label="Go"></rtc-chat>
      <rtc-remote-video><span slot="placeholder">Personne</span></rtc-remote-video>
    </rtc-room></div>`);
    const chat = el.querySelector('rtc-chat')!;
    await chat.updateComplete;
    expect(chat.shadowRoot!.querySelector('[part=send-button]')!.textContent).to.equal('Go');
    expect(chat.shadowRoot!.querySelector('[part=input]')!.getAttribute('placeholder')).to.equal('Message');
    expect(chat.shadowRoot!.querySelector('[part=log]')!.getAttribute('aria-label')).to.equal('Discussion');
    expect(slotText(el.querySelector('rtc-remote-video')!, 'placeholder')).to.equal('Personne');
  });
});
