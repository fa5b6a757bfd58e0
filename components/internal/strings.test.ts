import { ContextProvider } from '@lit/context';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../define.js';
import { slotText } from '../test-support/helpers.js';
import { describeCheck, type PreflightCheck } from '../core/preflight.js';
import { langOf, stringsFor } from './localize.js';
import { documentOrder, RemoteSlots } from './remote-slots.js';
import { roomContext, type RoomState } from './room-context.js';
import { englishStrings, fillIn, registerStrings } from '../core/strings.js';
import type { RemotePeer } from '../core/room-session.js';

describe('strings in the page language', () => {
  it('English by default, French from the nearest lang, across shadow roots', async () => {
    const box = await fixture<HTMLDivElement>(
      html`<div>
        <rtc-room manual><rtc-remote-video></rtc-remote-video></rtc-room>
        <section lang="fr">
          <rtc-room manual><rtc-remote-video></rtc-remote-video><rtc-remote-videos></rtc-remote-videos></rtc-room>
        </section>
      </div>`,
    );
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
    const el = await fixture(
      html`<div lang="de-CH">
        <rtc-room manual><rtc-remote-video></rtc-remote-video></rtc-room>
      </div>`,
    );
    expect(slotText(el.querySelector('rtc-remote-video')!, 'placeholder')).to.equal('Warten auf Teilnehmer…');
    expect(stringsFor(el).startAudio).to.equal('Start audio');
    registerStrings('de-CH', { startAudio: 'Ton an' });
    expect(stringsFor(el)).to.include({ waitingForOne: 'Warten auf Teilnehmer…', startAudio: 'Ton an' });
  });

  it('<rtc-controls> speaks the language too, and its strings property wins', async () => {
    const el = await fixture(
      html`<div lang="fr">
        <rtc-room manual><rtc-controls></rtc-controls></rtc-room>
      </div>`,
    );
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
    const el = await fixture(
      html`<div lang="fr">
        <rtc-room manual>
          <rtc-chat send-label="Go"></rtc-chat>
          <rtc-remote-video><span slot="placeholder">Personne</span></rtc-remote-video>
        </rtc-room>
      </div>`,
    );
    const chat = el.querySelector('rtc-chat')!;
    await chat.updateComplete;
    expect(chat.shadowRoot!.querySelector('[part=send-button]')!.textContent).to.equal('Go');
    expect(chat.shadowRoot!.querySelector('[part=input]')!.getAttribute('placeholder')).to.equal('Message');
    expect(chat.shadowRoot!.querySelector('[part=log]')!.getAttribute('aria-label')).to.equal('Discussion');
    expect(slotText(el.querySelector('rtc-remote-video')!, 'placeholder')).to.equal('Personne');
  });

  it('fillIn puts the values in and leaves unknown names', () => {
    expect(fillIn('{name}: {what} ({ms} ms) {other}', { name: 'Ada', what: 'ok', ms: 12 })).to.equal('Ada: ok (12 ms) {other}');
  });

  it('every preflight finding has its own words in French, picked by check, status and code', () => {
    const fr = stringsFor(Object.assign(document.createElement('div'), { lang: 'fr' }));
    const network = { candidates: { host: 1, srflx: 1, relay: { udp: 1, tcp: 0, tls: 0 } }, servers: { stun: 1, turn: 1 } };
    const findings: Array<[PreflightCheck, Parameters<typeof describeCheck>[2]]> = [
      ['camera', { status: 'ok' }],
      ['camera', { status: 'ok', label: 'Cam' }],
      ['camera', { status: 'skipped' }],
      ['camera', { status: 'warning', code: 'media_denied' }],
      ['camera', { status: 'warning', code: 'no_device' }],
      ['camera', { status: 'warning', code: 'media_failed', error: 'x' }],
      ['microphone', { status: 'ok' }],
      ['microphone', { status: 'ok', label: 'Mic' }],
      ['microphone', { status: 'skipped' }],
      ['microphone', { status: 'warning', code: 'media_denied' }],
      ['microphone', { status: 'warning', code: 'no_device' }],
      ['microphone', { status: 'warning', code: 'media_failed', error: 'x' }],
      ['microphone', { status: 'failed', code: 'insecure_context' }],
      ['signaling', { status: 'ok', ms: 5 } as never],
      ['signaling', { status: 'failed', code: 'connect_failed', error: 'x' }],
      ['signaling', { status: 'failed', code: 'unauthorized', error: 'x' }],
      ['signaling', { status: 'failed', code: 'timeout', error: 'x' }],
      ['signaling', { status: 'failed', code: 'rate_limited', error: 'x' }],
      ['network', { status: 'skipped' }],
      ['network', { status: 'ok', ...network }],
      ['network', { status: 'ok', ...network, servers: { stun: 0, turn: 0 } }],
      ...(['no_candidates', 'ice_servers_rejected', 'turn_refused', 'turn_unreachable', 'stun_unreachable'] as const).map(
        (code) => ['network', { status: 'warning', code, error: 'x', ...network }] as [PreflightCheck, Parameters<typeof describeCheck>[2]],
      ),
    ];
    const english = findings.map(([check, f]) => describeCheck(englishStrings, check, f));
    const french = findings.map(([check, f]) => describeCheck(fr, check, f));
    expect(new Set(english).size, 'one English sentence per finding').to.equal(findings.length);
    french.forEach((text, i) => expect(text, `${findings[i]![0]} ${JSON.stringify(findings[i]![1])}`).to.not.equal(english[i]));
    expect(english[1]).to.equal('The camera works (Cam).');
    expect(french[13]).to.equal('Le serveur d’appel répond (5 ms).');
    expect(english[15]).to.match(/refused the access token/);
    registerStrings('fr', { preflightStunUnreachable: 'STUN muet' });
    expect(
      describeCheck(stringsFor(Object.assign(document.createElement('div'), { lang: 'fr-CA' })), 'network', findings.at(-1)![1]),
    ).to.equal('STUN muet');
    registerStrings('fr', { preflightStunUnreachable: fr.preflightStunUnreachable });
  });

  it("the muted badge of a tile says it in the tile's language, and follows a change of it", async () => {
    const box = await fixture<HTMLDivElement>(html`<div lang="fr"></div>`);
    const media = { audio: false, video: true, screen: false };
    const peers = [
      { id: 'a', name: 'Ada', stream: new MediaStream(), connectionState: 'connected', media },
      { id: 'b', name: '', stream: new MediaStream(), connectionState: 'connected', media },
    ] as RemotePeer[];
    const slots = new RemoteSlots(documentOrder);
    const state = (): RoomState => ({
      status: 'joined',
      session: null,
      localStream: null,
      peers: new Map(peers.map((p) => [p.id, p])),
      room: null,
      slots,
    });
    const provider = new ContextProvider(box, { context: roomContext, initialValue: state() });
    slots.setPeers(peers.map((p) => p.id));
    box.append(document.createElement('rtc-remote-video'), document.createElement('rtc-remote-video'));
    const ada = box.querySelectorAll('rtc-remote-video')[0]!;
    const nameless = box.querySelectorAll('rtc-remote-video')[1]!;
    const label = (el: Element) => el.shadowRoot!.querySelector('[part=muted-indicator]')?.getAttribute('aria-label');
    await waitUntil(() => label(ada) && label(nameless), 'no muted badges');
    expect(label(ada)).to.equal('Ada\u00a0: micro coupé');
    // a later render follows a change of the language
    box.lang = 'en';
    provider.setValue(state());
    await waitUntil(() => label(ada) === 'Ada: microphone muted', `still ${label(ada)}`);
    expect(label(nameless)).to.equal('Member: microphone muted');
  });
});
