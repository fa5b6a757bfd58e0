import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../define.js';
import type { RtcPreflightEvent } from '../events.js';
import { deviceStore } from '../core/device-store.js';
import { relayProtocolOf } from '../core/ice-gather.js';
import { checkNetwork, runPreflight } from '../core/preflight.js';
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
    const checks = [...el.shadowRoot!.querySelectorAll('[part~=check]')].map((li) => [
      li.getAttribute('data-check'),
      li.getAttribute('part'),
    ]);
    expect(checks).to.deep.equal([
      ['signaling', 'check ok'],
      ['network', 'check ok'],
      ['camera', 'check ok'],
      ['microphone', 'check skipped'],
    ]);
    expect(el.shadowRoot!.querySelector('[part=verdict]')!.textContent).to.match(/Ready for a call/);
  });

  it("a server that requires access tokens: unauthorized without one or with another room's, ok with the room's own", async () => {
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
    const el = await fixture<RtcPreflightElement>(
      html`<rtc-preflight server=${setup.server} room=${room} no-video no-audio></rtc-preflight>`,
    );
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
    expect(el.shadowRoot!.querySelector('[part=verdict]')!.textContent!.trim()).to.equal(
      'Prêt pour un appel\u00a0: Le serveur d’appel et le réseau fonctionnent\u00a0; la caméra et le micro n’ont pas été vérifiés.',
    );
  });

  it('camera and microphone both skipped: the verdict says they were not checked, not that everything works', async () => {
    const result = await runPreflight({ room: 'pre', video: false, audio: false });
    expect(result.verdict).to.equal('ok');
    expect(result.reasonFrom).to.equal(null);
    expect(result.reason).to.equal('The call server and the network work; the camera and microphone were not checked.');
    const el = await fixture<RtcPreflightElement>(html`<rtc-preflight room="pre" no-video no-audio></rtc-preflight>`);
    await el.run();
    await el.updateComplete;
    const verdict = el.shadowRoot!.querySelector('[part=verdict]')!.textContent!;
    expect(verdict).to.match(/the camera and microphone were not checked/);
    expect(verdict).to.not.match(/Everything a call needs works/);
    // one of them skipped: says which; both checked: everything works
    expect((await runPreflight({ room: 'pre', audio: false })).reason).to.equal(
      'Everything checked works; the microphone was not checked.',
    );
    expect((await runPreflight({ room: 'pre', video: false })).reason).to.equal('Everything checked works; the camera was not checked.');
    expect((await runPreflight({ room: 'pre' })).reason).to.equal('Everything a call needs works.');
  });
});

describe('preflight: which camera and microphone it checks', function () {
  this.timeout(30_000);
  const forget = () => {
    deviceStore.save('videoinput', null);
    deviceStore.save('audioinput', null);
  };
  beforeEach(forget);
  afterEach(forget);

  /** Chromium's fake devices (three cameras, see web-test-runner.config.js); ids need the permission first. */
  async function devicesOf(kind: MediaDeviceKind) {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    for (const t of stream.getTracks()) t.stop();
    return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === kind && d.deviceId !== 'default');
  }

  it('the camera and microphone remembered on this origin, not the defaults', async () => {
    const cameras = await devicesOf('videoinput');
    const mics = await devicesOf('audioinput');
    expect(cameras.map((c) => c.label)).to.deep.equal(['fake_device_0', 'fake_device_1', 'fake_device_2']);
    const byDefault = await runPreflight({ room: 'pre' });
    expect(byDefault.camera).to.include({ status: 'ok', source: 'default', label: 'fake_device_0' });
    const otherMic = mics.find((m) => m.deviceId !== byDefault.microphone.deviceId)!;
    expect(otherMic, 'a second fake microphone').to.exist;
    deviceStore.save('videoinput', cameras[2]!.deviceId);
    deviceStore.save('audioinput', otherMic.deviceId);
    const result = await runPreflight({ room: 'pre' });
    expect(result.camera).to.include({ status: 'ok', source: 'remembered', label: 'fake_device_2', deviceId: cameras[2]!.deviceId });
    expect(result.camera.message).to.equal('The camera works (fake_device_2).');
    expect(result.microphone).to.include({ status: 'ok', source: 'remembered', label: otherMic.label, deviceId: otherMic.deviceId });
  });

  it('a remembered device that is gone: the default is checked, as a call would use it, and named', async () => {
    deviceStore.save('videoinput', 'a-camera-unplugged-since');
    const result = await runPreflight({ room: 'pre', audio: false });
    expect(result.camera).to.include({ status: 'ok', source: 'default', label: 'fake_device_0' });
    expect(result.verdict).to.equal('ok');
  });

  it('explicit ids win over the remembered ones; an id that does not exist is no_device, not the default', async () => {
    const cameras = await devicesOf('videoinput');
    deviceStore.save('videoinput', cameras[2]!.deviceId);
    const given = await runPreflight({ room: 'pre', audio: false, cameraId: cameras[0]!.deviceId });
    expect(given.camera).to.include({ status: 'ok', source: 'given', label: 'fake_device_0', deviceId: cameras[0]!.deviceId });
    const missing = await runPreflight({ room: 'pre', cameraId: 'no-such-camera', microphoneId: 'no-such-microphone' });
    expect(missing.camera).to.include({ status: 'warning', code: 'no_device', source: 'given', message: 'No camera was found.' });
    expect(missing.camera.label).to.equal(undefined);
    expect(missing.microphone).to.include({ status: 'warning', code: 'no_device', source: 'given' });
    expect(missing.verdict).to.equal('warning');
    expect(missing.reasonFrom).to.equal('camera');
  });

  it('<rtc-preflight camera-id microphone-id>: the attributes choose the devices, and the finding names them', async () => {
    const cameras = await devicesOf('videoinput');
    const el = await fixture<RtcPreflightElement>(
      html`<rtc-preflight room="pre" no-audio camera-id=${cameras[2]!.deviceId}></rtc-preflight>`,
    );
    expect((await el.run()).camera).to.include({ source: 'given', label: 'fake_device_2' });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-check=camera] .detail')!.textContent).to.equal('The camera works (fake_device_2).');
    el.setAttribute('microphone-id', 'no-such-microphone');
    el.removeAttribute('no-audio');
    expect((await el.run()).microphone).to.include({ code: 'no_device', source: 'given' });
  });
});

/** A server that requires access tokens (TOKEN_ROUTE in web-test-runner.config.js), and tokens for `room`. */
async function tokenSetup(room: string) {
  const res = await fetch(`/__rtc-test/tokens?room=${encodeURIComponent(room)}`);
  return (await res.json()) as { server: string; host: string; otherRoom: string };
}
