// SFU rooms end to end: a real Janus, our server in-process, and Chromium pages that speak the
// protocol directly (socket.io-client plus raw RTCPeerConnections, no components): every member
// sees every other member's video decoded, through one publish and one subscribe link each.
// Run inside the namespace with the lab0 bridge (Janus gathers no candidates on loopback devices):
//   unshare -n sh -c 'ip link set lo up && ip link add lab0 type bridge && ip addr add 127.0.0.2/32 dev lab0 &&
//     ip link set lab0 up && exec node --import tsx --test server/sfu.browser.test.ts'
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mintAccessToken } from './auth/access-tokens.js';
import { startServer } from './test-support/harness.js';
import { hasLabBridge, janusUnavailableReason, startJanus, type Janus } from './test-support/janus.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM}`
  : (janusUnavailableReason() ?? (hasLabBridge() ? false : 'no lab0 bridge (127.0.0.2): run it in the namespace shown at the top'));

const SECRET = 'sfu-browser-test-secret-0123456789abcdef';
let subs = 0;

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>sfu</title><script src="/socket.io.min.js"></script><script src="/sfu-member.js"></script>';

// The page's member (plain JavaScript, as a page would have it): joins, publishes camera and
// microphone on the publish link, answers the subscribe link's offers and shows each remote video.
const MEMBER_JS = `
window.sfuMember = async (room, capacity, token, publishing) => {
  const w = window;
  Object.assign(w, { log: [], states: [], offers: 0, streams: new Map(), videos: new Map() });
  const socket = w.io({ transports: ['websocket'] });
  w.socket = socket;
  let stream = null;
  let links = null;
  const send = (link, body) =>
    socket.emitWithAck('sfu-signal', { link, ...body }).then((ack) => {
      if (!ack.ok) w.log.push(link + ': ' + JSON.stringify(ack.error));
      return ack;
    });
  /** Fresh links (at the start, and whenever the SFU was lost): nothing shown until the next offer. */
  const open = () => {
    if (links) for (const pc of [links.publish, links.subscribe]) pc.close();
    for (const video of w.videos.values()) video.remove();
    w.videos.clear();
    w.streams.clear();
    const current = { publish: new RTCPeerConnection(), subscribe: new RTCPeerConnection(), pending: { publish: [], subscribe: [] } };
    links = w.links = current;
    for (const link of ['publish', 'subscribe']) {
      current[link].onicecandidate = (e) => {
        if (links === current) void send(link, { candidate: e.candidate ? e.candidate.toJSON() : { candidate: '' } });
      };
    }
    current.subscribe.ontrack = (e) => {
      if (e.track.kind !== 'video') return;
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.srcObject = new MediaStream([e.track]);
      document.body.append(video);
      w.videos.set(e.transceiver.mid, video);
    };
  };
  const publishMedia = async () => {
    const { publish } = links;
    for (const track of stream.getTracks()) publish.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    await publish.setLocalDescription(await publish.createOffer());
    const ack = await send('publish', { description: { type: 'offer', sdp: publish.localDescription.sdp } });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
  };
  const described = async (link) => {
    for (const candidate of links.pending[link] ?? []) await links[link].addIceCandidate(candidate.candidate ? candidate : undefined);
    links.pending[link] = null;
  };
  // (Listening before the join: the subscribe offer may follow its answer at once.)
  socket.on('sfu-signal', async (m) => {
    try {
      const pc = links[m.link];
      if (m.candidate) {
        if (links.pending[m.link]) return void links.pending[m.link].push(m.candidate);
        return await pc.addIceCandidate(m.candidate.candidate ? m.candidate : undefined);
      }
      if (m.link === 'publish') {
        await pc.setRemoteDescription(m.description);
        return await described('publish');
      }
      w.offers++;
      w.streams = new Map(m.streams.map((s) => [s.mid, s.from]));
      await pc.setRemoteDescription(m.description);
      await described('subscribe');
      await pc.setLocalDescription(await pc.createAnswer());
      await send('subscribe', { description: { type: 'answer', sdp: pc.localDescription.sdp } });
    } catch (error) {
      w.log.push('sfu-signal ' + m.link + ': ' + error.message);
    }
  });
  socket.on('sfu-state', async ({ ready }) => {
    w.states.push(ready);
    open();
    if (ready && publishing) await publishMedia().catch((error) => w.log.push('republish: ' + error.message));
  });
  open();
  const joined = await socket.emitWithAck('join', { room, capacity, token });
  if (!joined.ok) throw new Error(JSON.stringify(joined.error));
  // A dropped connection: Socket.IO reconnects; the member joins again as itself, and its links start afresh.
  socket.io.on('reconnect', async () => {
    const again = await socket.emitWithAck('join', { room, token, resume: joined.resumeToken });
    if (!again.ok) return void w.log.push('resume: ' + JSON.stringify(again.error));
    w.resumed = again.id;
    open();
    if (publishing) await publishMedia().catch((error) => w.log.push('republish: ' + error.message));
  });
  if (publishing) {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    await publishMedia();
  }
  return { id: joined.id, mode: joined.mode };
};
`;

/** The page's member: joins, publishes camera and microphone, answers subscribe offers, shows remote videos. */
async function member(page: Page, room: string, capacity: number, publish = true): Promise<{ id: string; mode: string }> {
  const token = await mintAccessToken({ secret: SECRET, room, sub: `user-${++subs}`, ...(publish ? {} : { publish: false }) });
  return page.evaluate(([room, capacity, token, publish]) => (window as any).sfuMember(room, capacity, token, publish), [
    room,
    capacity,
    token,
    publish,
  ] as const);
}

/** The members whose video this page decodes (a frame with a size), by member id. */
function decodedFrom(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = window as any;
    const seen: string[] = [];
    for (const [mid, video] of w.videos as Map<string, HTMLVideoElement>) {
      const track = (video.srcObject as MediaStream).getVideoTracks()[0];
      const from = w.streams.get(mid);
      if (from && video.videoWidth > 0 && track?.readyState === 'live' && !track.muted) seen.push(from);
    }
    return seen.sort();
  });
}

async function waitUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
    value = await read();
  }
  return value;
}

describe('SFU rooms through Janus, in Chromium', { skip }, () => {
  let janus: Janus;
  let h: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let pageDir: string;
  before(async () => {
    // The page and socket.io-client, served from a directory of the test's (the server's `demoDir`).
    pageDir = await mkdtemp(join(tmpdir(), 'rtc-sfu-page-'));
    await writeFile(join(pageDir, 'sfu-test.html'), PAGE);
    await writeFile(join(pageDir, 'sfu-member.js'), MEMBER_JS);
    await copyFile('node_modules/socket.io-client/dist/socket.io.min.js', join(pageDir, 'socket.io.min.js'));
    janus = await startJanus();
    h = await startServer({
      janusUrl: janus.url,
      roomCapacity: 10,
      accessTokenSecret: SECRET,
      demoDir: pageDir,
      logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    });
    const { chromiumArgs } = (await import('../scripts/wtr/browsers.mjs' as string)) as { chromiumArgs: string[] };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await janus?.stop();
    await rm(pageDir, { recursive: true, force: true });
  });

  /** A page on the server's origin with socket.io-client (from the test's own directory, not /socket.io/socket.io.js). */
  async function open(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${h.url}/sfu-test.html`);
    return page;
  }

  /** Waits until every page decodes exactly the other members' video (by member id). */
  async function allSeeEachOther(pages: Page[], ids: string[], what: string): Promise<void> {
    for (const [i, page] of pages.entries()) {
      const others = ids.filter((_, j) => j !== i).sort();
      await waitUntil(
        `${what}: member ${i} decodes the others`,
        () => decodedFrom(page),
        (seen) => JSON.stringify(seen) === JSON.stringify(others),
      ).catch(async (error: Error) => {
        const state = await page.evaluate(() => {
          const w = window as any;
          const { publish, subscribe } = w.links;
          return {
            log: w.log,
            states: w.states,
            publish: publish.connectionState,
            subscribe: subscribe.connectionState,
            streams: [...w.streams],
            offers: w.offers,
          };
        });
        throw new Error(`${error.message}\n${JSON.stringify(state)}\n${janus.log()}`);
      });
    }
  }

  async function health(): Promise<any> {
    return (await fetch(`${h.url}/healthz`)).json();
  }

  it('three members each decode the two others, through one publish and one subscribe link each', async () => {
    const pages = [await open(), await open(), await open()];
    const started = Date.now();
    const members = [];
    for (const page of pages) members.push(await member(page, 'sfu-three', 6));
    assert.deepEqual(
      members.map((m) => m.mode),
      ['sfu', 'sfu', 'sfu'],
    );
    await allSeeEachOther(
      pages,
      members.map((m) => m.id),
      'joined',
    );
    console.log(`three members see each other ${Date.now() - started} ms after the first join`);
    const videos = await pages[0]!.evaluate(() => document.querySelectorAll('video').length);
    assert.equal(videos, 2, 'two remote videos on one subscribe link');
    assert.deepEqual((await health()).sfu, { janus: 'up', rooms: 1 });
    for (const page of pages) await page.close();
  });

  it('a member leaving takes its video away; Janus restarted mid-call: sfu-state false, then true, and media again', async () => {
    const pages = [await open(), await open(), await open()];
    const members = [];
    for (const page of pages) members.push(await member(page, 'sfu-restart', 6));
    const ids = members.map((m) => m.id);
    await allSeeEachOther(pages, ids, 'joined');

    await pages[2]!.evaluate(() => (window as any).socket.disconnect()); // a deliberate leave
    await allSeeEachOther(pages.slice(0, 2), ids.slice(0, 2), 'after a leave');

    const port = janus.port;
    await janus.stop();
    for (const page of pages.slice(0, 2)) {
      await waitUntil(
        'sfu-state false',
        () => page.evaluate(() => (window as any).states as boolean[]),
        (states) => states.includes(false),
      );
    }
    assert.equal((await health()).sfu.janus, 'down');
    assert.equal((await health()).ok, true, 'mesh rooms still work: /healthz stays ok');
    const lostAt = Date.now();
    janus = await startJanus({ port });
    await allSeeEachOther(pages.slice(0, 2), ids.slice(0, 2), 'after Janus restarted');
    console.log(`media back ${Date.now() - lostAt} ms after Janus was restarted`);
    assert.deepEqual(await pages[0]!.evaluate(() => (window as any).states), [false, true]);
    assert.equal((await health()).sfu.janus, 'up');
    for (const page of pages) await page.close();
  });

  it('six members each decode the five others; a receive-only member sees them and may not publish; a dropped member comes back', async () => {
    const pages: Page[] = [];
    for (let i = 0; i < 6; i++) pages.push(await open());
    const started = Date.now();
    const members = [];
    for (const page of pages) members.push(await member(page, 'sfu-six', 8));
    const joinedAt = Date.now();
    const ids = members.map((m) => m.id);
    await allSeeEachOther(pages, ids, 'six joined');
    console.log(`six members see each other ${Date.now() - joinedAt} ms after the last join (${Date.now() - started} ms after the first)`);

    const viewer = await open();
    const { id: viewerId } = await member(viewer, 'sfu-six', 8, false);
    await waitUntil(
      'the receive-only member decodes the six',
      () => decodedFrom(viewer),
      (seen) => seen.length === 6,
    );
    const refused = await viewer.evaluate(async () => {
      const pc = new RTCPeerConnection();
      pc.addTransceiver('video', { direction: 'sendonly' });
      const offer = await pc.createOffer();
      pc.close();
      return (window as any).socket.emitWithAck('sfu-signal', { link: 'publish', description: { type: 'offer', sdp: offer.sdp } });
    });
    assert.equal(refused.ok || refused.error.code, 'unauthorized');
    assert.ok(!(await decodedFrom(pages[0]!)).includes(viewerId), 'nobody receives anything from the receive-only member');

    // Member 0's network drops: it comes back (resume) as itself, and everybody sees everybody again.
    await pages[0]!.evaluate(() => (window as any).socket.io.engine.close());
    await waitUntil(
      'member 0 resumed',
      () => pages[0]!.evaluate(() => (window as any).resumed),
      (id) => id === ids[0],
    );
    await allSeeEachOther(pages, ids, 'after member 0 came back');
    for (const page of [...pages, viewer]) await page.close();
  });
});
