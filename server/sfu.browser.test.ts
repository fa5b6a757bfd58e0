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
import { startServer } from './test-support/harness.js';
import { hasLabBridge, janusUnavailableReason, startJanus, type Janus } from './test-support/janus.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM}`
  : (janusUnavailableReason() ?? (hasLabBridge() ? false : 'no lab0 bridge (127.0.0.2): run it in the namespace shown at the top'));

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>sfu</title><script src="/socket.io.min.js"></script><script src="/sfu-member.js"></script>';

// The page's member (plain JavaScript, as a page would have it): joins, publishes camera and
// microphone on the publish link, answers the subscribe link's offers and shows each remote video.
const MEMBER_JS = `
window.sfuMember = async (room, capacity) => {
      const w = window ;
      const socket = w.io({ transports: ['websocket'] });
      w.socket = socket;
      w.log = [];
      const publish = new RTCPeerConnection();
      const subscribe = new RTCPeerConnection();
      w.links = { publish, subscribe };
      const pending = { publish: [], subscribe: [] };
      const send = (link, body) =>
        socket.emitWithAck('sfu-signal', { link, ...body }).then((ack) => {
          if (!ack.ok) w.log.push(\`\${link}: \${JSON.stringify(ack.error)}\`);
          return ack;
        });
      for (const [link, pc] of Object.entries({ publish, subscribe })) {
        pc.onicecandidate = (e) => void send(link, { candidate: e.candidate ? e.candidate.toJSON() : { candidate: '' } });
      }
      /** Whose media each mid of the subscribe link carries (from the last offer). */
      w.streams = new Map();
      w.videos = new Map();
      subscribe.ontrack = (e) => {
        if (e.track.kind !== 'video') return;
        const video = document.createElement('video');
        video.muted = true;
        video.autoplay = true;
        video.srcObject = new MediaStream([e.track]);
        document.body.append(video);
        w.videos.set(e.transceiver.mid, video);
      };
      const addCandidate = async (link, pc, candidate) => {
        if (pending[link]) return void pending[link].push(candidate);
        await pc.addIceCandidate(candidate.candidate ? candidate : undefined);
      };
      const described = async (link, pc) => {
        for (const candidate of pending[link] ?? []) await pc.addIceCandidate(candidate.candidate ? candidate : undefined);
        pending[link] = null;
      };
      socket.on('sfu-signal', async (m) => {
        try {
          const pc = m.link === 'publish' ? publish : subscribe;
          if (m.candidate) return await addCandidate(m.link, pc, m.candidate);
          if (m.link === 'publish') {
            await publish.setRemoteDescription(m.description);
            return await described('publish', publish);
          }
          w.offers = (w.offers || 0) + 1;
          for (const s of m.streams) w.streams.set(s.mid, s.from);
          await subscribe.setRemoteDescription(m.description);
          await described('subscribe', subscribe);
          const answer = await subscribe.createAnswer();
          await subscribe.setLocalDescription(answer);
          await send('subscribe', { description: { type: 'answer', sdp: answer.sdp } });
        } catch (error) {
          w.log.push(\`sfu-signal \${m.link}: \${error.message}\`);
        }
      });
      w.states = [];
      socket.on('sfu-state', (s) => w.states.push(s.ready));
      // (Listening before the join: the subscribe offer may follow its answer at once.)
      const joined = await socket.emitWithAck('join', { room, capacity });
      if (!joined.ok) throw new Error(JSON.stringify(joined.error));
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
      for (const track of stream.getTracks()) publish.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      await publish.setLocalDescription(await publish.createOffer());
      const ack = await send('publish', { description: { type: 'offer', sdp: publish.localDescription.sdp } });
      if (!ack.ok) throw new Error(JSON.stringify(ack.error));
      return { id: joined.id, mode: joined.mode };
    };
`;

/** The page's member: joins, publishes camera and microphone, answers subscribe offers, shows remote videos. */
async function member(page: Page, room: string, capacity: number): Promise<{ id: string; mode: string }> {
  return page.evaluate(([room, capacity]) => (window as any).sfuMember(room, capacity), [room, capacity] as const);
}

/** The members whose video this page decodes (a frame with a size), by member id. */
function decodedFrom(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = window as any;
    const seen: string[] = [];
    for (const [mid, video] of w.videos as Map<string, HTMLVideoElement>) {
      const track = (video.srcObject as MediaStream).getVideoTracks()[0];
      if (video.videoWidth > 0 && track?.readyState === 'live' && !track.muted) seen.push(w.streams.get(mid));
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

  it('three members each decode the two others, through one publish and one subscribe link each', async () => {
    const pages = [await open(), await open(), await open()];
    const started = Date.now();
    const members = [];
    for (const page of pages) {
      members.push(await member(page, 'sfu-three', 6));
    }
    assert.deepEqual(
      members.map((m) => m.mode),
      ['sfu', 'sfu', 'sfu'],
    );
    const ids = members.map((m) => m.id);
    for (const [i, page] of pages.entries()) {
      const others = ids.filter((_, j) => j !== i).sort();
      await waitUntil(
        `member ${i} decodes the others`,
        () => decodedFrom(page),
        (seen) => JSON.stringify(seen) === JSON.stringify(others),
      ).catch(async (error: Error) => {
        const state = await page.evaluate(() => {
          const w = window as any;
          const { publish, subscribe } = w.links;
          return {
            log: w.log,
            publish: publish.connectionState,
            subscribe: [subscribe.connectionState, subscribe.signalingState, subscribe.iceConnectionState],
            streams: [...w.streams],
            videos: [...w.videos.keys()],
            offers: w.offers,
          };
        });
        throw new Error(`${error.message}\n${JSON.stringify(state)}\n${janus.log()}`);
      });
    }
    const peerConnections = await pages[0]!.evaluate(() => [...document.querySelectorAll('video')].length);
    assert.equal(peerConnections, 2, 'two remote videos on one subscribe link');
    console.log(`# three members connected in ${Date.now() - started} ms`);
    const health = await (await fetch(`${h.url}/healthz`)).json();
    assert.deepEqual(health.sfu, { janus: 'up', rooms: 1 });
    for (const page of pages) await page.close();
  });
});
