import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { RtcErrorEvent } from '../events.js';
import { uniqueRoom } from '../test-support/helpers.js';

/** The token server (scripts/wtr/routes.mjs) and tokens for `room`: `host` and `otherRoom` name other subs. */
async function tokenSetup(room: string) {
  const res = await fetch(`/__rtc-test/tokens?room=${encodeURIComponent(room)}`);
  return (await res.json()) as { server: string; host: string; otherRoom: string };
}

describe('<rtc-room> given a new token during a call', () => {
  it('hands it to the server for fresh ICE servers, and reports a refused one while the call goes on', async function () {
    this.timeout(20_000);
    const room = uniqueRoom('refresh');
    const setup = await tokenSetup(room);
    const el = document.createElement('rtc-room');
    Object.assign(el, { room, server: setup.server, token: setup.host, noVideo: true, noAudio: true });
    const errors: string[] = [];
    el.addEventListener('rtc-error', (e: RtcErrorEvent) => errors.push(e.detail.code));
    const joined = oneEvent(el, 'rtc-joined');
    document.body.append(el);
    try {
      const { id } = (await joined).detail;
      // A fresh token of the same sub (minted a second later, so another string).
      let fresh = setup.host;
      for (let i = 0; i < 30 && fresh === setup.host; i++) {
        await new Promise((r) => setTimeout(r, 100));
        fresh = (await tokenSetup(room)).host;
      }
      expect(fresh).to.not.equal(setup.host);
      const before = el.session!.iceServers;
      el.token = fresh;
      await waitUntil(() => el.session!.iceServers !== before, 'the ICE servers were not renewed');
      expect(errors).to.deep.equal([]);
      // A token of someone else (and for another room) is refused; the call goes on, same member.
      const refused = oneEvent(el, 'rtc-error');
      el.token = setup.otherRoom;
      expect((await refused).detail.code).to.equal('unauthorized');
      expect(el.state).to.equal('joined');
      expect(el.session!.id).to.equal(id);
    } finally {
      el.remove();
    }
  });
});
