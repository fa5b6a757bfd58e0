import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../define.js';
import type { RtcPreflightEvent } from '../events.js';
import { runPreflight } from '../internal/preflight.js';
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
    expect(result.network.detail).to.match(/No TURN server is configured/);
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
});
