import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { RtcRoomElement } from './rtc-room.js';
import { uniqueRoom } from '../test-support/helpers.js';

/** The bound on a peer connection stuck in `new`/`connecting`, as the room hands it to its session. */
async function boundOf(el: RtcRoomElement): Promise<number | undefined> {
  const joining = el.join();
  await waitUntil(() => el.session, 'no session');
  const bound = el.session!.options.peerConnectTimeout;
  await joining;
  await el.leave();
  return bound;
}

describe('<rtc-room connect-timeout>', () => {
  it('defaults to 20 s', async () => {
    const el = await fixture<RtcRoomElement>(html`<rtc-room manual no-audio no-video room=${uniqueRoom()}></rtc-room>`);
    expect(el.connectTimeout).to.equal(20_000);
    expect(await boundOf(el)).to.equal(20_000);
  });

  it('hands the attribute (ms) to the session', async () => {
    const el = await fixture<RtcRoomElement>(
      html`<rtc-room manual no-audio no-video connect-timeout="5000" room=${uniqueRoom()}></rtc-room>`,
    );
    expect(el.connectTimeout).to.equal(5_000);
    expect(await boundOf(el)).to.equal(5_000);
  });

  it('takes the default for a value that is not a positive number', async () => {
    const el = await fixture<RtcRoomElement>(
      html`<rtc-room manual no-audio no-video connect-timeout="soon" room=${uniqueRoom()}></rtc-room>`,
    );
    expect(await boundOf(el)).to.equal(undefined);
    el.connectTimeout = -1;
    expect(await boundOf(el)).to.equal(undefined);
  });
});
