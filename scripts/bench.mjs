// `npm run bench`: how fast a call starts, and how big the bundle is.
//
// Starts the real server (the built dist/) and Debian's Chromium on loopback, then, RUNS times:
// page A opens /?room=R, clicks Join and waits until joined; page B does the same; we take the time from
// B's navigation start to the first decoded remote frame on B and on A (the remote video's first `resize`),
// and report medians. Runs inside a loopback-only network namespace when it can (see netns.mjs).
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { bundleBytes } from './bench-bytes.mjs';
import { BENCH_LIMITS_OPTIONS } from './built-server.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { canUseNetns, rerunInNetns } from './netns.mjs';
import { ensureSystemPackages } from './system-deps.mjs';
import { joinFromLobby } from './demo-lobby.mjs';
import { median, watchRemoteFrames } from './bench-common.mjs';

const INSIDE = '--inside-netns';
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const RUN_TIMEOUT_MS = 15_000;
const GROUP_SIZES = (process.env.BENCH_GROUP_SIZES ?? '2,4,6').split(',').map(Number).filter(Boolean);
const GROUP_RUNS = Number(process.env.BENCH_GROUP_RUNS ?? 5);
const GROUP_TIMEOUT_MS = 45_000;

/** First-frame times (ms, wall clock) of `count` remote streams on a page, once it has them all. */
async function framesFrom(page, count, timeout = RUN_TIMEOUT_MS) {
  const handle = await page.waitForFunction((n) => Object.keys(window.__frames).length >= n && Object.values(window.__frames), count, {
    timeout,
    polling: 20,
  });
  return (await handle.jsonValue()).sort((x, y) => x - y);
}

/**
 * A mesh of `size` pages (one member each, the demo page with its grid): `size - 1` members are in
 * the call with pictures; the last page loads idle, and we time from its join() (setting `room`)
 * until it has a decoded frame from every other member, and until every member has one from it.
 */
async function groupRuns(url, browser, size) {
  const runs = [];
  for (let i = 0; i < GROUP_RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    await context.addInitScript(watchRemoteFrames);
    const room = `group-${size}-${Date.now()}-${i}`;
    try {
      const pages = [];
      for (let k = 0; k < size - 1; k++) {
        const page = await context.newPage();
        await joinFromLobby(page, url, room);
        if (k > 0) await framesFrom(page, k, GROUP_TIMEOUT_MS);
        pages.push(page);
      }
      // the call before the newcomer is complete: every page has a picture from every other one
      for (const page of pages) if (pages.length > 1) await framesFrom(page, pages.length - 1, GROUP_TIMEOUT_MS);
      if (pages.length === 1) await pages[0].waitForFunction(() => document.querySelector('rtc-room')?.state === 'joined');
      const last = await context.newPage();
      await last.goto(`${url}/`);
      await last.waitForFunction(() => customElements.get('rtc-room') && document.querySelector('rtc-room')?.state === 'idle');
      const start = await last.evaluate((r) => {
        const t = performance.timeOrigin + performance.now();
        document.querySelector('rtc-room').room = r;
        return t;
      }, room);
      const lastSees = Math.max(...(await framesFrom(last, size - 1, GROUP_TIMEOUT_MS)));
      const othersSee = await Promise.all(pages.map(async (p) => Math.max(...(await framesFrom(p, size - 1, GROUP_TIMEOUT_MS)))));
      runs.push({ last: lastSees - start, all: Math.max(lastSees, ...othersSee) - start });
    } finally {
      await context.close();
    }
  }
  return runs;
}

async function main() {
  const { createRtcServer } = await import('../server/dist/server/app.js');
  const rtc = createRtcServer({
    demoDir: 'demo',
    bundleDir: 'dist',
    roomCapacity: 8, // the group runs go up to six
    logger: pino({ level: 'silent' }),
    // Every page joins from 127.0.0.1 (80 joins with the defaults, over the 60 per minute one IP
    // may make): the per-IP connection cap and the rate limits are raised for the bench.
    ...BENCH_LIMITS_OPTIONS,
  });
  const { url } = await rtc.listen(0, '127.0.0.1');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const results = [];
  const groups = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      await context.addInitScript(watchRemoteFrames);
      const room = `bench-${Date.now()}-${i}`;
      const a = await context.newPage();
      const b = await context.newPage();
      await joinFromLobby(a, url, room);
      await a.waitForFunction(() => document.querySelector('rtc-room')?.state === 'joined', null, { timeout: RUN_TIMEOUT_MS });
      await joinFromLobby(b, url, room);
      const frame = (page) => framesFrom(page, 1).then((times) => times[0]);
      const [frameA, frameB] = await Promise.all([frame(a), frame(b)]);
      const origin = await b.evaluate(() => performance.timeOrigin);
      results.push({ a: frameA - origin, b: frameB - origin });
      await context.close();
    }
    for (const size of GROUP_SIZES) groups.push([size, await groupRuns(url, browser, size)]);
  } finally {
    await browser.close();
    await rtc.close();
  }
  const both = results.map((r) => Math.max(r.a, r.b));
  const bytes = bundleBytes();
  const fmt = (n) => `${Math.round(n)} ms`;
  console.log(
    `call start (${RUNS} runs, from the second page's load, median): ` +
      `first remote frame on the joining page ${fmt(median(results.map((r) => r.b)))}, ` +
      `on the waiting page ${fmt(median(results.map((r) => r.a)))}, on both ${fmt(median(both))} ` +
      `(min ${fmt(Math.min(...both))}, max ${fmt(Math.max(...both))})`,
  );
  for (const [size, runs] of groups) {
    console.log(
      `group call of ${size} (${runs.length} runs, from the last member's join(), median): ` +
        `it sees every other member ${fmt(median(runs.map((r) => r.last)))}, ` +
        `every member sees every other ${fmt(median(runs.map((r) => r.all)))} ` +
        `(min ${fmt(Math.min(...runs.map((r) => r.all)))}, max ${fmt(Math.max(...runs.map((r) => r.all)))})`,
    );
  }
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `bundle: the call (dist/rtc-room.js) ${kb(bytes.callMin)} min, ${kb(bytes.callGzip)} gzip; ` +
      `all seven tags (with the lazy chunks) ${kb(bytes.allMin)} min, ${kb(bytes.allGzip)} gzip`,
  );
}

if (process.argv.includes(INSIDE)) {
  await main();
} else {
  ensureSystemPackages();
  if (canUseNetns()) process.exit(rerunInNetns('scripts/bench.mjs', INSIDE));
  await main();
}
