import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import './define.js';
import type { RtcRemoteVideoElement } from './rtc-remote-video/rtc-remote-video.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { framesDecoded, uniqueRoom, waitForPicture } from './test-support/helpers.js';
import { describeCandidate, gatherRelay, selectedCandidates, turnTestSetup, type TurnTestSetup } from './test-support/turn.js';

type ReadySetup = Extract<TurnTestSetup, { status: 'ready' }>;

/** Every wait in this file is bounded by this. */
const WAIT_MS = 10_000;

/** The TURN setup, or skips the suite (with the reason in the log) when coturn is not installed. */
async function readySetup(context: Mocha.Context): Promise<ReadySetup> {
  const setup = await turnTestSetup();
  if (setup.status === 'unavailable') {
    console.warn(`Skipping the TURN tests: ${setup.reason}`);
    context.skip();
  }
  if (setup.status !== 'ready') throw new Error(`coturn is installed but the TURN setup failed: ${setup.reason}`);
  return setup;
}

describe('a call relayed through a real coturn with TURN REST credentials', function () {
  let turn: ReadySetup;
  before(async function () {
    turn = await readySetup(this);
  });

  it('shows decoded frames on both sides over a relay/relay candidate pair', async () => {
    const room = uniqueRoom('turn');
    const box = await fixture<HTMLDivElement>(html`
      <div>
        <rtc-room room=${room} name="Ada" server=${turn.server} ice-transport-policy="relay"
          ><rtc-remote-video></rtc-remote-video
        ></rtc-room>
        <rtc-room room=${room} name="Bob" server=${turn.server} ice-transport-policy="relay" manual
          ><rtc-remote-video></rtc-remote-video
        ></rtc-room>
      </div>
    `);
    const [a, b] = [...box.querySelectorAll('rtc-room')] as RtcRoomElement[];
    await waitUntil(() => a.state === 'joined', 'first member did not join the second server', { timeout: WAIT_MS });
    await b.join();
    const remoteA = a.querySelector('rtc-remote-video') as RtcRemoteVideoElement;
    const remoteB = b.querySelector('rtc-remote-video') as RtcRemoteVideoElement;

    // The credentials came from the second server's TURN REST provider, for coturn.
    const grant = a.session!.iceServers!;
    expect(grant.iceServers).to.have.length(1);
    expect(grant.iceServers[0]!.urls).to.deep.equal(turn.urls);
    expect(grant.iceServers[0]!.username).to.match(new RegExp(`^\\d+:${a.session!.id}$`));
    expect(grant.iceServersExpireAt).to.be.greaterThan(Date.now());

    const videoA = await waitForPicture(remoteA, WAIT_MS);
    const videoB = await waitForPicture(remoteB, WAIT_MS);
    expect(videoA.videoWidth).to.be.greaterThan(0);
    expect(videoB.videoWidth).to.be.greaterThan(0);
    const idA = a.session!.id!;
    const idB = b.session!.id!;
    await waitUntil(async () => (await framesDecoded(a, idB)) > 0 && (await framesDecoded(b, idA)) > 0, 'no frames decoded', {
      timeout: WAIT_MS,
    });

    for (const [member, other] of [
      [a, idB],
      [b, idA],
    ] as const) {
      const pair = selectedCandidates((await member.session!.getStats(other))!);
      expect(pair, `${member.name} has no selected candidate pair`).to.not.equal(null);
      const { local, remote } = pair!;
      const seen = `${member.name}: ${describeCandidate(local)} -> ${describeCandidate(remote)}`;
      expect(local.candidateType, seen).to.equal('relay');
      expect(remote.candidateType, seen).to.equal('relay');
      expect(local.address, seen).to.equal('127.0.0.1');
    }
  });
});

describe('coturn refusing TURN REST credentials', function () {
  let turn: ReadySetup;
  before(async function () {
    turn = await readySetup(this);
  });

  for (const kind of ['expired', 'wrongSecret'] as const) {
    it(`gathers no relay candidate and reports 401 for a ${kind === 'expired' ? 'correctly signed but expired' : 'wrongly signed'} credential`, async () => {
      const { username, credential } = turn[kind];
      const result = await gatherRelay({ urls: turn.urls, username, credential }, WAIT_MS);
      expect(result.complete, 'gathering did not complete').to.be.true;
      expect(result.candidates.map((c) => c.type)).to.not.include('relay');
      expect(result.candidates).to.have.length(0);
      expect(result.errors.length, 'no icecandidateerror').to.be.greaterThan(0);
      for (const error of result.errors) expect(error.errorCode, JSON.stringify(error)).to.equal(401);
    });
  }

  it('gathers a relay candidate for a credential signed with the second static-auth-secret (rotation)', async () => {
    const { username, credential } = turn.previousSecret;
    const result = await gatherRelay({ urls: turn.urls, username, credential }, WAIT_MS);
    expect(result.errors, JSON.stringify(result.errors)).to.have.length(0);
    const relays = result.candidates.filter((c) => c.type === 'relay');
    expect(relays.length).to.be.greaterThan(0);
    expect(relays[0]!.address).to.equal('127.0.0.1');
  });
});
