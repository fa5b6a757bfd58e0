import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../define.js';
import type { RtcPreflightEvent } from '../events.js';
import { relayProtocolOf } from '../internal/ice-gather.js';
import { checkNetwork, runPreflight } from '../internal/preflight.js';
import { uniqueRoom } from '../test-support/helpers.js';
import { turnTestSetup } from '../test-support/turn.js';
import type { RtcPreflightElement } from './rtc-preflight.js';

describe('preflight against the real server', function () {
  this.timeout(30_000);

  it('the test server (no STUN or TURN): ok, direct paths only, and says TURN is missing', async () => {
    const result = await runPreflight({ room: 'pre' });
    expect(result.verdict).to.equal('ok');
    expect(result.signaling.status).to.equal('ok');
    expect(result.camera.status).to.equal('ok');
    expect(result.microphone.status).to.equal('ok');
    expect(result.network.status).to.equal('ok');
    expect(result.network.candidates.host).to.be.greaterThan(0);
    expect(result.network.candidates.relay).to.deep.equal({ udp: 0, tcp: 0, tls: 0 });
    expect(result.network.servers).to.deep.equal({ stun: 0, turn: 0 });
    expect(result.network.message).to.match(/No TURN server is configured/);
    expect(result.reasonFrom).to.equal(null);
  });

  it('with a real coturn: relay candidates over UDP and TCP', async function () {
    const setup = await turnTestSetup();
    if (setup.status === 'unavailable') this.skip(); // coturn is not installed (npm test installs it on Debian)
    if (setup.status !== 'ready') throw new Error(`coturn did not start: ${setup.reason}`);
    const result = await runPreflight({ server: setup.server, room: 'pre', video: false, audio: false });
    expect(result.verdict, result.reason).to.equal('ok');
    expect(result.network.servers.turn).to.be.greaterThan(0);
    expect(result.network.candidates.relay.udp, 'relay over UDP').to.be.greaterThan(0);
    expect(result.network.candidates.relay.tcp, 'relay over TCP').to.be.greaterThan(0);
    expect(result.camera.status).to.equal('skipped');
  });

  it('a TURN server that does not answer: warning turn_unreachable', async () => {
    const { server } = await (await fetch('/__rtc-test/short-ice')).json(); // hands out turn:127.0.0.1:9
    const result = await runPreflight({ server, room: 'pre', video: false, audio: false, timeout: 4_000 });
    expect(result.network.code).to.equal('turn_unreachable');
    expect(result.verdict).to.equal('warning');
    expect(result.reason).to.match(/TURN server could not be reached/);
  });

  it('an unreachable signaling server: failed, and the network is not checked', async () => {
    const result = await runPreflight({ server: 'http://127.0.0.1:9', room: 'pre', video: false, audio: false, timeout: 3_000 });
    expect(result.verdict).to.equal('failed');
    expect(result.signaling).to.include({ status: 'failed', code: 'connect_failed' });
    expect(result.network.status).to.equal('skipped');
    expect(result.reasonFrom).to.equal('signaling');
    expect(result.reason).to.match(/^The call server cannot be reached/);
  });

  it('<rtc-preflight>: the button runs it, the checks and the verdict show, the event carries the result', async () => {
    const el = await fixture<RtcPreflightElement>(html`<rtc-preflight room="pre" no-audio></rtc-preflight>`);
    const done = oneEvent(el, 'rtc-preflight') as Promise<RtcPreflightEvent>;
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part=run-button]')!.click();
    expect(el.running).to.equal(true);
    const { detail } = await done;
    await el.updateComplete;
    expect(detail).to.equal(el.result);
    expect(el.getAttribute('verdict')).to.equal('ok');
    const checks = [...el.shadowRoot!.querySelectorAll('[part~=check]')].map((li) => [li.getAttribute('data-check'), li.getAttribute('part')]);
    expect(checks).to.deep.equal([
      ['signaling', 'check ok'],
      ['network', 'check ok'],
      ['camera', 'check ok'],
      ['microphone', 'check skipped'],
    ]);
    expect(el.shadowRoot!.querySelector('[part=verdict]')!.textContent).to.match(/Ready for a call/);
  });

  it('a server that requires access tokens: unauthorized without one or with another room\'s, ok with the room\'s own', async () => {
    const room = uniqueRoom('pre-token');
    const setup = await tokenSetup(room);
    const quiet = { server: setup.server, room, video: false, audio: false };
    for (const token of [undefined, setup.otherRoom, 'not-a-token']) {
      const refused = await runPreflight({ ...quiet, token });
      expect(refused.signaling, String(token)).to.include({ status: 'failed', code: 'unauthorized' });
      expect(refused.verdict).to.equal('failed');
      expect(refused.reasonFrom).to.equal('signaling');
      expect(refused.reason).to.match(/refused the access token/);
      expect(refused.reason).to.not.match(/cannot be reached/);
      expect(refused.network.status).to.equal('skipped');
    }
    const allowed = await runPreflight({ ...quiet, token: setup.host });
    expect(allowed.signaling.status, allowed.reason).to.equal('ok');
    expect(allowed.verdict, allowed.reason).to.equal('ok');
  });

  it('<rtc-preflight token>: the attribute reaches the server', async () => {
    const room = uniqueRoom('pre-token-el');
    const setup = await tokenSetup(room);
    const el = await fixture<RtcPreflightElement>(html`<rtc-preflight server=${setup.server} room=${room} no-video no-audio></rtc-preflight>`);
    expect((await el.run()).signaling.code).to.equal('unauthorized');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=verdict]')!.textContent).to.match(/refused the access token/);
    el.setAttribute('token', setup.host);
    expect(el.token).to.equal(setup.host);
    const result = await el.run();
    expect(result.verdict, result.reason).to.equal('ok');
  });

  it('a STUN server that does not answer: warning stun_unreachable; one that answers: no warning', async function () {
    const silent = await checkNetwork([{ urls: 'stun:127.0.0.1:9' }], { timeout: 3_000 });
    expect(silent).to.include({ status: 'warning', code: 'stun_unreachable' });
    expect(silent.message).to.match(/STUN server could not be reached/);
    expect(silent.servers).to.deep.equal({ stun: 1, turn: 0 });
    const setup = await turnTestSetup();
    if (setup.status === 'unavailable') this.skip();
    if (setup.status !== 'ready') throw new Error(`coturn did not start: ${setup.reason}`);
    // coturn answers STUN binding requests too (on this machine the answer is the host address,
    // which Chromium does not repeat as a srflx candidate: gathering completes with none)
    const stun = setup.urls[0]!.replace(/^turn:/, 'stun:').replace(/\?.*$/, '');
    const answered = await checkNetwork([{ urls: stun }], { timeout: 5_000 });
    expect(answered.status, answered.message).to.equal('ok');
  });

  it('TURN credentials the server refuses (expired): warning turn_refused with the 401', async function () {
    const setup = await turnTestSetup();
    if (setup.status === 'unavailable') this.skip();
    if (setup.status !== 'ready') throw new Error(`coturn did not start: ${setup.reason}`);
    const result = await checkNetwork([{ urls: setup.urls, ...setup.expired }], { timeout: 6_000 });
    expect(result.code, result.message).to.equal('turn_refused');
    expect(result.status).to.equal('warning');
    expect(result.candidates.relay).to.deep.equal({ udp: 0, tcp: 0, tls: 0 });
    expect(result.errors.map((e) => e.errorCode)).to.include(401);
    expect(result.message).to.match(/refused the credentials/);
  });

  it('ICE servers the browser refuses: network failed ice_servers_rejected, the call server still counts as reachable', async () => {
    const malformed = await checkNetwork([{ urls: 'turn:not a host', username: 'u', credential: 'c' }]);
    expect(malformed).to.include({ status: 'failed', code: 'ice_servers_rejected' });
    expect(malformed.error).to.match(/SyntaxError/);
    // Through runPreflight: the real server answers, then the browser refuses what it handed out.
    const Original = window.RTCPeerConnection;
    window.RTCPeerConnection = function () {
      throw new DOMException('refused for the test', 'InvalidAccessError');
    } as unknown as typeof RTCPeerConnection;
    let result;
    try {
      result = await runPreflight({ room: 'pre', video: false, audio: false });
    } finally {
      window.RTCPeerConnection = Original;
    }
    expect(result.signaling.status).to.equal('ok');
    expect(result.network).to.include({ status: 'failed', code: 'ice_servers_rejected' });
    expect(result.reasonFrom).to.equal('network');
    expect(result.reason).to.not.match(/call server/);
  });

  it('relay transport: relayProtocol when the browser gives it, else read from the URL', () => {
    expect(relayProtocolOf({ relayProtocol: 'tcp' }, 'turn:x:3478')).to.equal('tcp');
    expect(relayProtocolOf({}, 'turn:x:3478?transport=tcp')).to.equal('tcp');
    expect(relayProtocolOf({}, 'turns:x:5349?transport=tcp')).to.equal('tls');
    expect(relayProtocolOf({}, 'turn:x:3478?transport=udp')).to.equal('udp');
    expect(relayProtocolOf({}, 'turn:x:3478')).to.equal('udp');
    expect(relayProtocolOf({ relayProtocol: null }, null)).to.equal('udp');
  });

  it('French: the checks and the verdict in the page language, the result in English', async () => {
    const box = await fixture<HTMLDivElement>(html`<div lang="fr"><rtc-preflight room="pre" no-video no-audio></rtc-preflight></div>`);
    const el = box.querySelector('rtc-preflight')!;
    const result = await el.run();
    await el.updateComplete;
    expect(result.signaling.message).to.match(/^The call server answers \(\d+ ms\)\.$/);
    const detail = (check: string) => el.shadowRoot!.querySelector(`[data-check=${check}] .detail`)!.textContent;
    expect(detail('signaling')).to.match(/^Le serveur d’appel répond \(\d+ ms\)\.$/);
    expect(detail('microphone')).to.equal('Le micro n’a pas été vérifié.');
    expect(detail('network')).to.match(/^Chemins réseau\u00a0: direct\. Aucun serveur TURN/);
    expect(el.shadowRoot!.querySelector('[part=verdict]')!.textContent!.trim()).to.equal('Prêt pour un appel\u00a0: Tout ce dont un appel a besoin fonctionne.');
  });
});

/** A server that requires access tokens (TOKEN_ROUTE in web-test-runner.config.js), and tokens for `room`. */
async function tokenSetup(room: string) {
  const res = await fetch(`/__rtc-test/tokens?room=${encodeURIComponent(room)}`);
  return (await res.json()) as { server: string; host: string; otherRoom: string };
}
