import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import './define.js';
import type { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { framesDecoded, uniqueRoom, waitForPicture } from './test-support/helpers.js';

const WAIT_MS = 12_000;

type RedisSetup =
  { status: 'ready'; nodes: [string, string]; health: { peers: number }[] } | { status: 'unavailable' | 'failed'; reason: string };

const redisSetup = async () => (await (await fetch('/__rtc-test/redis')).json()) as RedisSetup;

describe('a call between members joined through two server nodes sharing Redis', function () {
  let nodes: [string, string];
  before(async function () {
    this.timeout(40_000); // starts redis-server and two server processes
    const setup = await redisSetup();
    if (setup.status === 'unavailable') {
      console.warn(`Skipping the Redis test: ${setup.reason}`);
      this.skip();
    }
    if (setup.status !== 'ready') throw new Error(`redis-server is installed but the setup failed: ${setup.reason}`);
    nodes = setup.nodes;
  });

  it('shows decoded frames on both sides, each member on its own node', async function () {
    this.timeout(30_000);
    const room = uniqueRoom('redis');
    const box = await fixture<HTMLDivElement>(html`
      <div>
        <rtc-room room=${room} name="Ada" server=${nodes[0]}><rtc-remote-video></rtc-remote-video></rtc-room>
        <rtc-room room=${room} name="Bob" server=${nodes[1]} websocket-only manual><rtc-remote-video></rtc-remote-video></rtc-room>
      </div>
    `);
    const [a, b] = [...box.querySelectorAll('rtc-room')] as RtcRoomElement[];
    await waitUntil(() => a.state === 'joined', 'Ada did not join through node 1', { timeout: WAIT_MS });
    await b.join();

    // Each node holds one of the two members: the call crosses nodes.
    const setup = await redisSetup();
    expect(setup.status === 'ready' && setup.health.map((h) => h.peers)).to.deep.equal([1, 1]);

    const remoteA = a.querySelector('rtc-remote-video') as RtcRemoteVideoElement;
    const remoteB = b.querySelector('rtc-remote-video') as RtcRemoteVideoElement;
    expect((await waitForPicture(remoteA, WAIT_MS)).videoWidth).to.be.greaterThan(0);
    expect((await waitForPicture(remoteB, WAIT_MS)).videoWidth).to.be.greaterThan(0);
    const [idA, idB] = [a.session!.id!, b.session!.id!];
    await waitUntil(async () => (await framesDecoded(a, idB)) > 0 && (await framesDecoded(b, idA)) > 0, 'no frames decoded', {
      timeout: WAIT_MS,
    });
  });
});
