// Calls in Firefox: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi, with the
// demo page served by the server in-process on 127.0.0.1. Two Firefox members see each other's
// video, Chromium and Firefox do too whoever joins first, and a Firefox member whose signaling
// connection drops comes back as the same member with the video still coming.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { chromium, type Browser as ChromiumBrowser } from 'playwright-core';
import { firefoxSkip, launchFirefox } from './test-support/firefox.js';
import { startServer } from './test-support/harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** What the tests need of a page, in Playwright (Chromium) and in puppeteer (Firefox) alike. */
interface MemberPage {
  goto(url: string): Promise<unknown>;
  evaluate<R>(fn: (arg: string) => R | Promise<R>, arg: string): Promise<R>;
  click(selector: string): Promise<unknown>;
  close(): Promise<unknown>;
}

/** One member's call, as its page sees it. */
interface CallState {
  id: string | null;
  state: string;
  peers: { id: string; name: string; connectionState: string }[];
  /** Video frames decoded from each peer so far (inbound-rtp framesDecoded), by peer id. */
  frames: Record<string, number>;
  /** The videoWidth of each remote video in <rtc-remote-videos>. */
  widths: number[];
  /** Each rtc-reconnecting / rtc-reconnected event so far, with its detail's id. */
  events: string[];
}

/** Runs in the page: the demo's <rtc-room> as a CallState (no named inner functions: tsx would wrap them). */
const readCall = async (): Promise<CallState> => {
  const room = document.querySelector('rtc-room') as any;
  const frames: Record<string, number> = {};
  for (const peer of room?.peers ?? []) {
    const report: RTCStatsReport | undefined = await room.session?.getStats(peer.id);
    frames[peer.id] = 0;
    report?.forEach((s: any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames[peer.id] += s.framesDecoded ?? 0;
    });
  }
  const videos = [...(document.querySelector('rtc-remote-videos')?.shadowRoot?.querySelectorAll('video') ?? [])];
  return {
    id: room?.session?.id ?? null,
    state: room?.state ?? 'none',
    peers: (room?.peers ?? []).map((p: any) => ({ id: p.id, name: p.name, connectionState: p.connectionState })),
    frames,
    widths: videos.map((v) => v.videoWidth),
    events: (window as any).__rtcEvents ?? [],
  };
};

const call = (page: MemberPage) => page.evaluate(readCall, '');

/** Polls `page` every 200 ms until `done(state)`; fails after `ms` naming `what` and the last state. */
async function waitForCall(page: MemberPage, what: string, done: (s: CallState) => boolean, ms = 20_000): Promise<CallState> {
  const end = Date.now() + ms;
  let last: CallState | undefined;
  for (;;) {
    last = await call(page);
    if (done(last)) return last;
    if (Date.now() > end) assert.fail(`${what}: not within ${ms / 1000} s; last seen ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The member's only peer sent video this page decoded (frames counted, and the tile has a picture). */
const seesVideo = (s: CallState) => s.peers.length === 1 && (s.frames[s.peers[0]!.id] ?? 0) > 0 && s.widths.some((w) => w > 0);

describe('calls in Firefox (firefox-esr over WebDriver BiDi)', { skip: firefoxSkip() }, () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  let bundleDir: string;
  let firefox: Awaited<ReturnType<typeof launchFirefox>>;
  let chromiumBrowser: ChromiumBrowser | undefined;
  const pages: MemberPage[] = [];

  before(async () => {
    // the same bundle as dist/rtc-room.js (npm test does not build), as in demo.browser.test.ts
    bundleDir = await mkdtemp(join(tmpdir(), 'rtc-bundle-'));
    await build({
      entryPoints: ['components/define.ts'],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['browser', 'production'],
      outfile: join(bundleDir, 'rtc-room.js'),
      logLevel: 'silent',
    });
    h = await startServer({ demoDir: 'demo', bundleDir, rateLimits: {} });
    firefox = await launchFirefox();
  });
  after(async () => {
    for (const page of pages) await page.close().catch(() => {});
    await chromiumBrowser?.close();
    await firefox?.close();
    await h?.close();
    await rm(bundleDir, { recursive: true, force: true });
  });

  /** Chromium with the browser tests' flags (fake camera and microphone, loopback candidates), launched once. */
  async function chromiumPage(): Promise<MemberPage> {
    if (!chromiumBrowser) {
      const { chromiumArgs } = (await import('../scripts/wtr/browsers.mjs' as string)) as { chromiumArgs: string[] };
      chromiumBrowser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
    }
    const page = await chromiumBrowser.newPage();
    pages.push(page);
    return page;
  }

  async function firefoxPage(): Promise<MemberPage> {
    const page = await firefox.newMember();
    pages.push(page);
    return page;
  }

  /**
   * Joins `room` from the demo's lobby as `name` (a shared link fills the room; joining takes a
   * click), recording the page's reconnect events, and waits until the member is in the room.
   */
  async function joinCall(page: MemberPage, room: string, name: string): Promise<CallState> {
    await page.goto(`${h.url}/?room=${encodeURIComponent(room)}`);
    await page.evaluate(async (n) => {
      await customElements.whenDefined('rtc-room');
      (document.getElementById('name-input') as HTMLInputElement).value = n;
      const events: string[] = ((window as any).__rtcEvents = []);
      const room = document.querySelector('rtc-room')!;
      for (const type of ['rtc-reconnecting', 'rtc-reconnected'])
        room.addEventListener(type, (e) => events.push(`${type} ${(e as CustomEvent).detail?.id ?? ''}`.trim()));
    }, name);
    await page.click('#join-button');
    return waitForCall(page, `${name} joins ${room}`, (s) => s.state === 'joined' && !!s.id, 15_000);
  }

  /** Both members see the other's video; returns their states then. */
  async function bothSeeVideo(a: MemberPage, b: MemberPage, label: string): Promise<[CallState, CallState]> {
    return Promise.all([
      waitForCall(a, `${label}: the first member decodes the second's video`, seesVideo),
      waitForCall(b, `${label}: the second member decodes the first's video`, seesVideo),
    ]);
  }

  const roomName = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}`;

  it('two Firefox members see and decode each other’s video', async () => {
    const room = roomName('ff-ff');
    const a = await firefoxPage();
    const b = await firefoxPage();
    const ja = await joinCall(a, room, 'Ada');
    const jb = await joinCall(b, room, 'Bob');
    const [sa, sb] = await bothSeeVideo(a, b, 'Firefox <-> Firefox');
    assert.deepEqual([sa.peers.map((p) => p.id), sb.peers.map((p) => p.id)], [[jb.id], [ja.id]]);
    assert.deepEqual([sa.peers[0]!.connectionState, sb.peers[0]!.connectionState], ['connected', 'connected']);
    await Promise.all([a.close(), b.close()]);
  });

  for (const order of ['Chromium', 'Firefox'] as const) {
    it(
      `Chromium and Firefox see and decode each other’s video when ${order} joins first`,
      {
        skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`,
      },
      async () => {
        const room = roomName(`cr-ff-${order}`);
        const [first, second] =
          order === 'Chromium' ? [await chromiumPage(), await firefoxPage()] : [await firefoxPage(), await chromiumPage()];
        const j1 = await joinCall(first, room, `${order} first`);
        const j2 = await joinCall(second, room, 'second');
        const [s1, s2] = await bothSeeVideo(first, second, `${order} first`);
        assert.deepEqual([s1.peers[0]!.id, s2.peers[0]!.id], [j2.id, j1.id]);
        await Promise.all([first.close(), second.close()]);
      },
    );
  }

  it('a Firefox member whose signaling connection drops comes back as the same member, and the video goes on', async () => {
    const room = roomName('ff-drop');
    const a = await firefoxPage();
    const b = await firefoxPage();
    const ja = await joinCall(a, room, 'Ada');
    const jb = await joinCall(b, room, 'Bob');
    await bothSeeVideo(a, b, 'before the drop');

    // Ada's connection breaks under her (as a network drop does): the server closes its transport.
    const sockets = await h.server.io.fetchSockets();
    const adas = sockets.filter((s) => s.data.id === ja.id);
    assert.equal(adas.length, 1, `one server socket is Ada's (of ${sockets.length})`);
    (h.server.io.sockets.sockets.get(adas[0]!.id) as any).conn.close();

    const back = await waitForCall(a, 'Ada reconnects', (s) => s.events.includes(`rtc-reconnected ${ja.id}`), 15_000);
    assert.deepEqual(back.events, [`rtc-reconnecting`, `rtc-reconnected ${ja.id}`]);
    assert.equal(back.id, ja.id, 'the same member id');
    // Bob still has Ada, as the same peer, and the video goes on both ways.
    const [adaHad, bobHad] = [back.frames[jb.id!] ?? 0, (await call(b)).frames[ja.id!] ?? 0];
    const ada = await waitForCall(a, 'Ada decodes more of Bob', (s) => s.state === 'joined' && (s.frames[jb.id!] ?? 0) > adaHad + 20);
    const bobs = await waitForCall(b, 'Bob decodes more of Ada', (s) => (s.frames[ja.id!] ?? 0) > bobHad + 20);
    assert.deepEqual(
      ada.peers.map((p) => p.id),
      [jb.id],
    );
    assert.deepEqual(
      bobs.peers.map((p) => [p.id, p.connectionState]),
      [[ja.id, 'connected']],
    );
    await Promise.all([a.close(), b.close()]);
  });
});
