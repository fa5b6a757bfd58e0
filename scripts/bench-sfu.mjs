// `npm run bench` (the SFU row): how long a group call takes to come together as a mesh and through
// the SFU (Janus), in the same run on the same machine.
//
// Starts Janus (server/test-support/janus.ts), the built server (dist/) with JANUS_URL and
// MESH_MAX 6, and Debian's Chromium. For each row, RUNS times: `size - 1` demo pages are in the
// call with pictures; the last page joins, and we time from its join() (setting `room`) until every
// page has a decoded frame from every other member (each remote video's first `resize`). Rows: a
// 6-member mesh (capacity 6) and SFU rooms (capacity 10 and up, so above MESH_MAX) of 6 and 10 members
// (BENCH_SFU_SIZES). Runs inside a loopback-only network namespace with the lab0 bridge holding
// 127.0.0.2 when it can (Janus gathers no ICE candidates on a loopback-flagged interface).
// Run: `npm run build && node --import tsx scripts/bench-sfu.mjs`.
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { BENCH_LIMITS_OPTIONS } from './built-server.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { canUseNetns, LAB_BRIDGE } from './netns.mjs';
import { median, watchRemoteFrames } from './bench-common.mjs';

const INSIDE = '--inside-netns';
const RUNS = Number(process.env.BENCH_SFU_RUNS ?? 3);
const MESH_SIZE = 6;
const SFU_SIZES = (process.env.BENCH_SFU_SIZES ?? '6,10').split(',').map(Number).filter(Boolean);
const TIMEOUT_MS = 60_000;

/** First-frame times of `count` remote streams on a page, once it has them all. */
async function framesFrom(page, count) {
  const handle = await page.waitForFunction((n) => Object.keys(window.__frames).length >= n && Object.values(window.__frames), count, {
    timeout: TIMEOUT_MS,
    polling: 50,
  });
  return await handle.jsonValue();
}

/** Opens the demo page with `capacity` set on its <rtc-room> (before it joins). */
async function openPage(context, url, capacity) {
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.waitForFunction(() => customElements.get('rtc-room') && document.querySelector('rtc-room')?.state === 'idle');
  await page.evaluate((c) => (document.querySelector('rtc-room').capacity = c), capacity);
  return page;
}

/** Joins `page` into `room` as the demo's code does (setting `room`); resolves with the wall-clock start. */
const join = (page, room) =>
  page.evaluate((r) => {
    const t = performance.timeOrigin + performance.now();
    document.querySelector('rtc-room').room = r;
    return t;
  }, room);

/** One row: `size` members in rooms of `capacity`; returns, per run, the ms from the last join() until everyone sees everyone. */
async function groupRuns(url, browser, size, capacity, mode) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    await context.addInitScript(watchRemoteFrames);
    const room = `${mode}-${size}-${Date.now()}-${i}`;
    try {
      const pages = [];
      for (let k = 0; k < size - 1; k++) {
        const page = await openPage(context, url, capacity);
        await join(page, room);
        await page.waitForFunction(() => document.querySelector('rtc-room')?.state === 'joined', null, { timeout: TIMEOUT_MS });
        pages.push(page);
      }
      for (const page of pages) if (pages.length > 1) await framesFrom(page, pages.length - 1);
      const last = await openPage(context, url, capacity);
      const start = await join(last, room);
      const everyone = [last, ...pages];
      const seen = await Promise.all(everyone.map(async (p) => Math.max(...(await framesFrom(p, size - 1))))).catch(async (error) => {
        const counts = await Promise.all(everyone.map((p) => p.evaluate(() => Object.keys(window.__frames).length)));
        throw new Error(`bench-sfu: ${mode} of ${size}: remote pictures per page ${counts.join(', ')} (want ${size - 1} each)`, {
          cause: error,
        });
      });
      const actual = await last.evaluate(() => document.querySelector('rtc-room').session?.mode);
      if (actual !== mode) throw new Error(`bench-sfu: a ${mode} row made a ${actual} room`);
      runs.push(Math.max(...seen) - start);
    } finally {
      await context.close();
    }
  }
  return runs;
}

async function main() {
  const { startJanus } = await import('../server/test-support/janus.ts');
  const { createRtcServer } = await import('../dist/server/app.js');
  const janus = await startJanus();
  const unlimited = { perSocket: { points: 100_000_000, duration: 1 }, perIp: { points: 100_000_000, duration: 1 } };
  const rtc = createRtcServer({
    demoDir: 'demo',
    bundleDir: 'dist',
    janusUrl: janus.url,
    meshMax: MESH_SIZE, // a room of capacity 6 stays a mesh; above it, the SFU
    roomCapacity: Math.max(10, ...SFU_SIZES),
    logger: pino({ level: 'silent' }),
    ...BENCH_LIMITS_OPTIONS,
    rateLimits: { ...BENCH_LIMITS_OPTIONS.rateLimits, 'sfu-signal': unlimited, 'room-message': unlimited },
  });
  const { url } = await rtc.listen(0, '127.0.0.1');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const rows = [];
  const row = async (name, ...args) => {
    try {
      rows.push([name, await groupRuns(url, browser, ...args)]);
    } catch (error) {
      rows.push([name, error]);
    }
  };
  try {
    await row(`mesh of ${MESH_SIZE}`, MESH_SIZE, MESH_SIZE, 'mesh');
    for (const size of SFU_SIZES) await row(`SFU room of ${size}`, size, Math.max(10, size), 'sfu');
  } finally {
    await browser.close();
    await rtc.close();
    await janus.stop();
  }
  const fmt = (n) => `${Math.round(n)} ms`;
  for (const [name, runs] of rows) {
    if (runs instanceof Error) {
      console.log(`${name}: failed: ${runs.message}`);
      process.exitCode = 1;
      continue;
    }
    console.log(
      `${name} (${runs.length} runs, from the last member's join(), median): every member sees every other ` +
        `${fmt(median(runs))} (min ${fmt(Math.min(...runs))}, max ${fmt(Math.max(...runs))})`,
    );
  }
}

const labBridge = () => networkInterfaces().lab0?.some((a) => a.address === '127.0.0.2') ?? false;

if (process.argv.includes(INSIDE) || labBridge()) {
  if (labBridge()) await main();
  else console.log('SFU rows skipped: no lab0 bridge holding 127.0.0.2 in this namespace (Janus needs it on loopback)');
} else if (canUseNetns()) {
  const script = `ip link set lo up && ${LAB_BRIDGE} && exec node --import tsx scripts/bench-sfu.mjs ${INSIDE}`;
  process.exit(spawnSync('unshare', ['-n', 'sh', '-c', script], { stdio: 'inherit' }).status ?? 1);
} else {
  await main(); // no namespace here: Janus and Chromium use this machine's own interfaces
}
