// SFU rooms end to end: our server with a real Janus, and `<rtc-room>` pages in a real Chromium.
// Six members see each other's video through the SFU (each sends one stream up); a receive-only
// member sees them all and sends nothing; a member leaves and comes back; Janus restarts mid-call.
// Run inside the test namespace with the lab0 bridge (Janus gathers no candidates on loopback):
//   unshare -n sh -c 'ip link set lo up && ip link add lab0 type bridge && ip addr add 127.0.0.2/32 dev lab0 &&
//     ip link set lab0 up && exec node --import tsx --test server/sfu-call.browser.test.ts'
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mintAccessToken } from './auth/access-tokens.js';
import { startServer } from './test-support/harness.js';
import { janusUnavailableReason, startJanus, type Janus } from './test-support/janus.js';
import { buildTestBundle } from './test-support/test-bundle.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SECRET = 'sfu-call-test-secret-of-at-least-32-characters';
const ROOM = `sfu-${process.pid}`;
const MEMBERS = Number(process.env.SFU_MEMBERS) || 6;
const SEEN_TIMEOUT_MS = Number(process.env.SFU_SEEN_TIMEOUT) || 60_000;

/** The lab0 bridge holding 127.0.0.2 is in this network namespace (os.networkInterfaces sees this namespace; /sys may not). */
const labBridge = networkInterfaces().lab0?.some((address) => address.address === '127.0.0.2') ?? false;
const skip = !existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM}`
  : (janusUnavailableReason() ?? (labBridge ? false : 'no lab0 bridge holding 127.0.0.2 (see the command at the top of this file)'));

/** On the page: how many remote videos show decoded pictures whose frame count moved since the last call. */
function liveVideos(): number {
  const grid = document.querySelector('rtc-remote-videos');
  const videos = [...(grid?.shadowRoot?.querySelectorAll('video') ?? [])];
  const seen = ((window as any).__frames ??= new WeakMap<HTMLVideoElement, number>()) as WeakMap<HTMLVideoElement, number>;
  let live = 0;
  for (const video of videos) {
    const frames = video.getVideoPlaybackQuality().totalVideoFrames;
    if (video.videoWidth > 0 && frames > (seen.get(video) ?? 0)) live++;
    seen.set(video, frames);
  }
  return live;
}

/** On the page: what its session knows, for a failure's message. */
function describePage(): string {
  const session = (document.querySelector('rtc-room') as any)?.session;
  if (!session) return 'no session';
  const peers = [...session.peers.values()].map(
    (p: any) =>
      `${p.name}:${p.connectionState}:${p.stream
        .getTracks()
        .map((t: MediaStreamTrack) => `${t.kind[0]}${t.muted ? '-muted' : ''}`)
        .join('')}`,
  );
  const errors = ((window as any).__messages ?? []).join('; ');
  return `${session.id?.slice(0, 4)} ${session.status} ${session.mode} peers=${peers.join(' ')} errors: ${errors}`;
}

describe('an SFU room through Janus, in Chromium', { skip }, () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  let janus: Janus;
  let dir: string;
  let browser: Browser;
  const pages: Page[] = [];
  const problems: string[] = [];

  before(async () => {
    dir = await buildTestBundle('rtc-sfu-');
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><script type="module" src="/rtc-room.js"></script><body></body>',
    );
    janus = await startJanus();
    h = await startServer({ demoDir: dir, bundleDir: dir, janusUrl: janus.url, roomCapacity: 10, accessTokenSecret: SECRET });
    const { chromiumArgs } = (await import('../scripts/wtr/browsers.mjs' as string)) as { chromiumArgs: string[] };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await janus?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A page with `<rtc-room>` (and its remote videos) joining the room as `sub`; resolves once joined. */
  async function member(sub: string, options: { publish?: false } = {}): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(`${sub}: ${error.message}`));
    await page.goto(`${h.url}/`);
    await page.waitForFunction(() => customElements.get('rtc-room'));
    const token = await mintAccessToken({ room: ROOM, sub, name: sub, secret: SECRET, ...options });
    await page.evaluate(
      ({ room, token }) => {
        (window as any).__errors = [];
        const el = document.createElement('rtc-room');
        Object.assign(el, { room, token, capacity: 10 });
        el.addEventListener('rtc-error', (e) => {
          const { code, message } = (e as CustomEvent).detail;
          (window as any).__errors.push(code);
          (window as any).__messages = [...((window as any).__messages ?? []), `${code}: ${message}`];
        });
        (window as any).__messages_in = [];
        el.addEventListener('rtc-message', (e) => {
          const { peer, data } = (e as CustomEvent).detail;
          (window as any).__messages_in.push(`${peer.name}: ${JSON.stringify(data)}`);
        });
        el.append(document.createElement('rtc-remote-videos'));
        document.body.append(el);
      },
      { room: ROOM, token },
    );
    await page.waitForFunction(() => (document.querySelector('rtc-room') as any)?.state === 'joined', null, { timeout: 20_000 });
    return page;
  }

  /** Waits until every page shows `count` live remote videos (its own count each, when an array); returns the ms it took. */
  async function allSee(list: Page[], count: number | number[], timeout = SEEN_TIMEOUT_MS): Promise<number> {
    const start = Date.now();
    const want = (i: number) => (Array.isArray(count) ? count[i]! : count);
    let last: number[] = [];
    while (Date.now() - start < timeout) {
      last = await Promise.all(list.map((page) => page.evaluate(liveVideos)));
      if (last.every((n, i) => n === want(i))) return Date.now() - start;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const states = await Promise.all(list.map((page) => page.evaluate(describePage)));
    assert.fail(
      `live remote videos per page: ${last.join(', ')}; wanted ${Array.isArray(count) ? count.join(', ') : count}\n${states.join('\n')}`,
    );
  }

  it(`${MEMBERS} members in an SFU room each see ${MEMBERS - 1} remote videos with decoded frames`, { timeout: 120_000 }, async () => {
    for (let i = 1; i <= MEMBERS; i++) pages.push(await member(`p${i}`));
    const ms = await allSee(pages, MEMBERS - 1);
    console.log(`# ${MEMBERS} members in an SFU room: every member saw every other ${ms} ms after the last join`);
    for (const page of pages) assert.equal(await page.evaluate(() => (document.querySelector('rtc-room') as any).session.mode), 'sfu');
    // Connection quality per member, from its own receivers on the subscribe link.
    for (const page of pages) {
      await page.waitForFunction((n) => (document.querySelector('rtc-room') as any).session.activity.quality.size === n, MEMBERS - 1, {
        timeout: 15_000,
      });
    }
    // Messages (the chat's too) go through the server to every other member.
    const sentTo = await pages[0]!.evaluate(() => (document.querySelector('rtc-room') as any).send({ 'rtc-chat': 'hello' }).length);
    assert.equal(sentTo, MEMBERS - 1);
    for (const page of pages.slice(1)) {
      await page.waitForFunction(() => (window as any).__messages_in.includes('p1: {"rtc-chat":"hello"}'), null, { timeout: 10_000 });
    }
    assert.deepEqual(problems, []);
  });

  it('a receive-only member sees everyone and sends nothing', { timeout: 60_000 }, async () => {
    const viewer = await member('viewer', { publish: false });
    await allSee([viewer, ...pages], [MEMBERS, ...pages.map(() => MEMBERS - 1)]);
    // Its tile shows on the others' pages, without video.
    const tiles = await pages[0]!.evaluate(() => document.querySelector('rtc-remote-videos')!.shadowRoot!.querySelectorAll('video').length);
    assert.equal(tiles, MEMBERS);
    assert.deepEqual(await viewer.evaluate(() => (window as any).__errors), []);
    await viewer.close();
    await allSee(pages, MEMBERS - 1);
  });

  it('a member leaves and comes back', { timeout: 90_000 }, async () => {
    const last = pages.pop()!;
    await last.close();
    await allSee(pages, MEMBERS - 2);
    pages.push(await member(`p${MEMBERS}`));
    await allSee(pages, MEMBERS - 1);
  });

  it('Janus restarts mid-call: members hear the SFU is gone, then see each other again', { timeout: 120_000 }, async () => {
    const port = janus.port;
    await janus.stop();
    for (const page of pages) {
      await page.waitForFunction(() => (window as any).__errors.includes('unavailable'), null, { timeout: 20_000 });
    }
    janus = await startJanus({ port });
    const ms = await allSee(pages, MEMBERS - 1, 90_000);
    console.log(`# after the Janus restart every member saw every other again within ${ms} ms`);
    assert.deepEqual(problems, []);
  });
});
