import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import './define.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { expectNoUnhandled, failOnRejection, framesDecoded, holdsFor, serverProcess, uniqueRoom } from './test-support/helpers.js';

/** A server that requires access tokens (see TOKEN_ROUTE in web-test-runner.config.js), and tokens for `room`. */
async function tokenSetup(room = '') {
  const res = await fetch(`/__rtc-test/tokens?room=${encodeURIComponent(room)}`);
  return (await res.json()) as { server: string; counters: { unauthorized: number }; host: string; viewer: string; otherRoom: string };
}

type Mint = (ttl: number) => Promise<string>;

/**
 * A member joins a token server process with a token that expires after 1 s; `beforeDrop` runs
 * during the call; then the server is SIGKILLed, the token expires (past the server's 5 s clock
 * tolerance), and `afterExpiry` watches the member while it starts the server again on the same
 * port (`restart`). The server is stopped at the end, and its log must show no unhandled rejection.
 */
async function expiringTokenCall(
  prefix: string,
  steps: {
    beforeDrop?: (el: RtcRoomElement, mint: Mint) => Promise<void>;
    afterExpiry: (el: RtcRoomElement, call: { firstId: string; mint: Mint; restart: () => Promise<void> }) => Promise<void>;
  },
): Promise<void> {
  const room = uniqueRoom(prefix);
  const mint: Mint = async (ttl) => (await serverProcess(`op=mint&room=${room}&ttl=${ttl}`)).token;
  const proc = await serverProcess('op=start&tokens');
  let again: any = null;
  const el = document.createElement('rtc-room');
  try {
    const token = await mint(1);
    const exp = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).exp as number;
    Object.assign(el, { room, server: proc.url, token, noVideo: true, noAudio: true });
    const joined = oneEvent(el, 'rtc-joined');
    document.body.append(el);
    const firstId = (await joined).detail.id;
    await steps.beforeDrop?.(el, mint);
    const dropped = oneEvent(el, 'rtc-reconnecting');
    await serverProcess(`op=stop&id=${proc.id}&signal=SIGKILL`);
    await dropped;
    await waitUntil(() => Date.now() / 1000 > exp + 6, 'the token did not expire', { timeout: 15_000, interval: 250 });
    const restart = async () => {
      again = await serverProcess(`op=start&tokens&port=${proc.port}`);
    };
    await steps.afterExpiry(el, { firstId, mint, restart });
    el.remove();
    const stopped = await serverProcess(`op=stop&id=${again.id}&signal=SIGTERM`);
    again = null;
    expectNoUnhandled(stopped);
  } finally {
    el.remove();
    if (again) await serverProcess(`op=stop&id=${again.id}&signal=SIGKILL`);
  }
}

/** Inbound video frames a room's session decoded from a peer, or 0 when there is no such stream. */
async function videoBytesSent(room: RtcRoomElement, peerId: string): Promise<number> {
  const report = await room.session?.getStats(peerId);
  let bytes = 0;
  report?.forEach((s) => {
    if (s.type === 'outbound-rtp') bytes += s.bytesSent ?? 0;
  });
  return bytes;
}

describe('access tokens in the browser', function () {
  this.timeout(30_000);

  it('a refused token fires rtc-error unauthorized, sets state="error", and is not retried', async () => {
    const room = uniqueRoom('tok');
    const setup = await tokenSetup(room);
    const before = setup.counters.unauthorized;
    const el = document.createElement('rtc-room');
    el.server = setup.server;
    el.room = room;
    el.token = setup.otherRoom;
    el.noVideo = true;
    el.noAudio = true;
    const error = oneEvent(el, 'rtc-error');
    document.body.append(el);
    try {
      const { detail } = await error;
      expect(detail.code).to.equal('unauthorized');
      await waitUntil(() => el.state === 'error', 'state is not error');
      expect(el.getAttribute('state')).to.equal('error');
      // a retry would come after a second: none in one and a half
      const refusedOnce = async () => el.state === 'error' && (await tokenSetup()).counters.unauthorized - before === 1;
      await holdsFor(refusedOnce, 1_500, 'joined again, or left the error state', 250);
    } finally {
      el.remove();
    }
  });

  it('a receive-only member joins without camera or microphone, sees the host, and the host is told', async () => {
    const room = uniqueRoom('viewer');
    const setup = await tokenSetup(room);
    const box = await fixture<HTMLDivElement>(
      html`<div>
        <rtc-room manual server=${setup.server} room=${room} token=${setup.host} name="ignored"></rtc-room>
        <rtc-room manual server=${setup.server} room=${room} token=${setup.viewer}></rtc-room>
      </div>`,
    );
    const [host, viewer] = [...box.querySelectorAll('rtc-room')] as RtcRoomElement[];
    const getUserMedia = navigator.mediaDevices.getUserMedia;
    await host.join();
    await waitUntil(() => host.localStream !== null, 'the host has no camera');
    let viewerAskedForMedia = false;
    navigator.mediaDevices.getUserMedia = (constraints) => {
      viewerAskedForMedia = true;
      return getUserMedia.call(navigator.mediaDevices, constraints);
    };
    const told = oneEvent(host, 'rtc-peer-joined');
    try {
      await viewer.join();
    } finally {
      navigator.mediaDevices.getUserMedia = getUserMedia;
    }
    const { detail } = await told;
    expect(detail.peer).to.include({ name: 'Viewer', sub: 'viewer-user', publish: false });
    expect(viewer.session!.publish).to.equal(false);
    expect(viewerAskedForMedia, 'the viewer never opened a camera or microphone').to.equal(false);
    expect(viewer.localStream).to.equal(null);
    const hostId = viewer.peers[0]!.id;
    expect(viewer.peers[0]).to.include({ name: 'Host', sub: 'host-user' });
    await waitUntil(async () => (await framesDecoded(viewer, hostId)) > 0, 'the viewer decodes no frames from the host', {
      timeout: 15_000,
    });
    const viewerId = host.peers[0]!.id;
    expect(host.peers[0]!.publish).to.equal(false);
    await waitUntil(() => host.peers[0]!.connectionState === 'connected', 'host and viewer are not connected');
    expect(host.peers[0]!.stream.getTracks().filter((t) => t.readyState === 'live' && !t.muted)).to.have.length(
      0,
      'nothing arrives from the viewer',
    );
    expect(await framesDecoded(host, viewerId)).to.equal(0);
    expect(await videoBytesSent(viewer, hostId)).to.equal(0, 'the viewer sends no media');
  });

  it(
    'a fresh token given during the call is used by the rejoin: the call outlives its first token, as the same member',
    failOnRejection(async function () {
      this.timeout(45_000);
      let left = 0;
      await expiringTokenCall('renewed', {
        async beforeDrop(el, mint) {
          el.addEventListener('rtc-left', () => left++);
          el.token = await mint(300);
          await el.updateComplete;
          expect(el.state).to.equal('joined');
          expect(left).to.equal(0, 'a new token does not leave the room');
        },
        async afterExpiry(el, { firstId, restart }) {
          const back = oneEvent(el, 'rtc-reconnected');
          await restart();
          expect((await back).detail.id).to.equal(firstId);
          expect(el.state).to.equal('joined');
          expect(left).to.equal(0);
        },
      });
    }),
  );

  it(
    'a rejoin after the token expired is refused (unauthorized, final); a fresh token joins again as a new member',
    failOnRejection(async function () {
      this.timeout(45_000);
      await expiringTokenCall('expiring', {
        async afterExpiry(el, { firstId, mint, restart }) {
          const refused = oneEvent(el, 'rtc-error');
          await restart();
          expect((await refused).detail.code).to.equal('unauthorized');
          await waitUntil(() => el.state === 'error', 'state is not error');
          // What the page can do: a fresh token, and the room joins again (a new member).
          const rejoined = oneEvent(el, 'rtc-joined');
          el.token = await mint(300);
          const { detail } = await rejoined;
          expect(el.state).to.equal('joined');
          expect(detail.id).not.to.equal(firstId);
        },
      });
    }),
  );
});
