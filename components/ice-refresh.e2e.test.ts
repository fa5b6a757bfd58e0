import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import './define.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { uniqueRoom } from './test-support/helpers.js';

interface ShortIce {
  server: string;
  calls: number;
}
const shortIce = async (): Promise<ShortIce> => (await fetch('/__rtc-test/short-ice')).json();

/** The local ICE username fragment of the transport in use with one peer. */
async function localUfrag(room: RtcRoomElement, peerId: string): Promise<string | undefined> {
  const report = await room.session!.getStats(peerId);
  let ufrag: string | undefined;
  report?.forEach((s) => {
    if (s.type === 'transport' && s.iceLocalUsernameFragment) ufrag = s.iceLocalUsernameFragment;
  });
  return ufrag;
}

describe('ICE servers that expire', function () {
  this.timeout(30_000);

  it('asks the server for fresh ones before restarting ICE, and the call comes back', async () => {
    const { server } = await shortIce();
    const name = uniqueRoom('refresh');
    const box = await fixture<HTMLDivElement>(
      html`<div>
        <rtc-room room=${name} server=${server} name="Ada"></rtc-room>
        <rtc-room room=${name} server=${server} name="Bob"></rtc-room>
      </div>`,
    );
    const [a, b] = [...box.querySelectorAll('rtc-room')] as [RtcRoomElement, RtcRoomElement];
    await waitUntil(() => a.peers[0]?.connectionState === 'connected' && b.peers[0]?.connectionState === 'connected', 'no call', {
      timeout: 15_000,
    });
    const peerId = a.peers[0]!.id;
    const granted = a.session!.iceServers!;
    expect(granted.iceServersExpireAt).to.be.a('number');
    const ufragBefore = await localUfrag(a, peerId);
    expect(ufragBefore).to.be.a('string');
    const callsBefore = (await shortIce()).calls;

    await a.session!.restartIce(peerId);
    expect((await shortIce()).calls, 'one ice-servers request').to.equal(callsBefore + 1);
    const fresh = a.session!.iceServers!;
    expect(fresh.iceServers[0]!.username).to.equal(`grant-${callsBefore + 1}`);
    expect(fresh.iceServersExpireAt!).to.be.above(granted.iceServersExpireAt!);
    await waitUntil(async () => (await localUfrag(a, peerId)) !== ufragBefore, 'ICE was not restarted', { timeout: 10_000 });
    await waitUntil(() => a.peers[0]?.connectionState === 'connected', 'the call did not come back', { timeout: 10_000 });
  });
});
