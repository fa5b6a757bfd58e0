// `node scripts/bench-start.mjs` (after `npm run build`): how fast a call starts with the tags,
// against a minimal hand-written call (bench/reference/) on the same server, in the same sitting.
//
// Two pages: page A opens the room and waits (joined, camera on); page B opens it; from B's
// navigation start we take B's `rtc:*` marks (components/core/marks.ts, bench/reference/call.js)
// and the first decoded remote frame on B and on A. The tags page (bench/tags/) holds only
// <rtc-room>, <rtc-local-video> and <rtc-remote-videos>. The two variants run alternately (the
// order flips every run) so that the machine's drift hits both alike. Then the same for a mesh:
// BENCH_MESH_SIZE - 1 members in the call, and the last page's load until every member has a frame
// from every other. Prints the median waterfall of each variant and the ratios tags / reference.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { BENCH_LIMITS_OPTIONS } from './built-server.mjs';
import { printBytes } from './bench-bytes.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { canUseNetns, rerunInNetns } from './netns.mjs';
import { ensureSystemPackages } from './system-deps.mjs';
import { median } from './bench-common.mjs';

const INSIDE = '--inside-netns';
const RUNS = Number(process.env.BENCH_START_RUNS ?? 10);
const MESH_SIZE = Number(process.env.BENCH_MESH_SIZE ?? 4);
const MESH_RUNS = Number(process.env.BENCH_MESH_RUNS ?? 10);
/** A run that takes longer than this is counted as failed (and printed), not timed. */
const TIMEOUT_MS = 60_000;
/**
 * Other builds of the bundle to run beside the current one, to measure a change:
 * BENCH_START_VARIANTS="before=/tmp/bundle-before,other=/tmp/x" (each a directory holding a built
 * rtc-room.js and its chunks). Each gets a tags page of its own, "tags-<name>".
 */
const EXTRA = (process.env.BENCH_START_VARIANTS ?? '')
  .split(',')
  .filter(Boolean)
  .map((pair) => pair.split('='));
const VARIANTS = ['reference', 'tags', ...EXTRA.map(([name]) => `tags-${name}`)];
const TAGS = VARIANTS.filter((v) => v !== 'reference');
const pageOf = (variant) => `/${variant}/index.html`;
/** The waterfall's steps, in the order a call goes through them (marks on the joining page). */
const STEPS = ['module', 'socket-open', 'join-answer', 'camera-ready', 'offer-sent', 'answer-received', 'ice-connected', 'first-frame'];

/**
 * Installed in every page before its scripts: opts in to the tags' marks, and marks the first
 * decoded remote frame (a remote <video>'s first `resize`, the same code for both variants),
 * keeping each remote stream's first frame in `window.__frames` (wall clock).
 */
function instrument() {
  window.RTC_ROOM_MARKS = true;
  window.__frames = {};
  const remote = new Set();
  const Native = window.RTCPeerConnection;
  function Watched(...args) {
    const pc = new Native(...args);
    pc.addEventListener('track', ({ track }) => remote.add(track.id));
    return pc;
  }
  Watched.prototype = Native.prototype;
  Object.setPrototypeOf(Watched, Native);
  window.RTCPeerConnection = Watched;
  const desc = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    ...desc,
    set(value) {
      desc.set.call(this, value);
      if (this.__benchWatched) return;
      this.__benchWatched = true;
      this.addEventListener('resize', () => {
        const stream = this.srcObject;
        if (!stream || this.videoWidth === 0 || !stream.getVideoTracks().some((t) => remote.has(t.id))) return;
        if (window.__frames[stream.id]) return;
        if (!Object.keys(window.__frames).length) performance.mark('rtc:first-frame');
        window.__frames[stream.id] = performance.timeOrigin + performance.now();
      });
    },
  });
}

/** Wall-clock first-frame times of `count` remote streams on a page, once it has them all. */
async function frames(page, count) {
  const handle = await page.waitForFunction((n) => Object.keys(window.__frames).length >= n && Object.values(window.__frames), count, {
    timeout: TIMEOUT_MS,
    polling: 20,
  });
  return handle.jsonValue();
}

/** The page's first `rtc:*` mark of each name, in ms from its navigation start, and its time origin. */
const marksOf = (page) =>
  page.evaluate(() => {
    const marks = {};
    for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('rtc:')) marks[m.name.slice(4)] ??= m.startTime;
    return { marks, origin: performance.timeOrigin };
  });

async function openMember(context, url, variant, room) {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`${variant} page error: ${error.message}`));
  await page.goto(`${url}${pageOf(variant)}?room=${room}`);
  return page;
}

/** One call of `size` pages; returns the last page's marks and when every member had every frame. */
async function call(browser, url, variant, size, run) {
  const context = await browser.newContext();
  await context.addInitScript(instrument);
  const room = `start-${variant}-${size}-${Date.now()}-${run}`;
  try {
    const waiting = [];
    for (let k = 0; k < size - 1; k++) {
      const page = await openMember(context, url, variant, room);
      await page.waitForFunction(
        () => performance.getEntriesByName('rtc:join-answer').length && performance.getEntriesByName('rtc:camera-ready').length,
        null,
        {
          timeout: TIMEOUT_MS,
        },
      );
      waiting.push(page);
      // the call before the newcomer is complete: every page has a picture from every other one
      for (const p of waiting) if (waiting.length > 1) await frames(p, waiting.length - 1);
    }
    const last = await openMember(context, url, variant, room);
    const seen = await Promise.all([last, ...waiting].map((p) => frames(p, size - 1)));
    const { marks, origin } = await marksOf(last);
    return { ...marks, 'last-sees-all': Math.max(...seen[0]) - origin, 'all-see-all': Math.max(...seen.flat()) - origin };
  } finally {
    await context.close();
  }
}

/** Runs every variant in turn `runs` times (the order turns every run); `{ reference: [...], tags: [...], ... }`. */
async function sitting(browser, url, size, runs) {
  const results = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  for (let i = 0; i < runs; i++) {
    const order = [...VARIANTS.slice(i % VARIANTS.length), ...VARIANTS.slice(0, i % VARIANTS.length)];
    for (const variant of order) {
      try {
        results[variant].push(await call(browser, url, variant, size, i));
      } catch (error) {
        failures.push(`${variant}, ${size} pages, run ${i + 1}: ${String(error.message).split('\n')[0]}`);
      }
    }
  }
  return results;
}

/** Runs that did not finish (a timeout on a busy machine), printed at the end. */
const failures = [];

const fmt = (ms) => (ms === undefined || Number.isNaN(ms) ? '-' : `${Math.round(ms)} ms`);
const ratioOf = (results, key, variant = 'tags', pick = () => true) =>
  median(results[variant].filter(pick).map((r) => r[key])) / median(results.reference.filter(pick).map((r) => r[key]));

/** The ratio, and the ratio from each half of the runs (when the halves agree, the runs were enough). */
function printRatio(label, results, runs) {
  for (const v of TAGS) {
    const whole = ratioOf(results, 'all-see-all', v);
    const half = (first) => ratioOf(results, 'all-see-all', v, (_, i) => i < runs / 2 === first).toFixed(2);
    console.log(
      `${label} ratio (${v} / reference, medians of ${runs}): ${whole.toFixed(2)} (halves: ${half(true)}, ${half(false)}; target <= 0.85)`,
    );
  }
}

function printWaterfall(title, results, steps, total) {
  console.log(title);
  const head = VARIANTS.map((v) => v.padStart(12)).join('') + TAGS.map((v) => `${v}/ref`.padStart(v.length + 6)).join('');
  console.log(`  ${'step'.padEnd(34)}${head}`);
  for (const step of [...steps, total]) {
    const medians = Object.fromEntries(VARIANTS.map((v) => [v, median(results[v].map((r) => r[step]).filter((x) => x !== undefined))]));
    const label = step === total ? `${total} (the call start)` : step;
    const ratios = TAGS.map((v) => (medians[v] / medians.reference).toFixed(2).padStart(v.length + 6)).join('');
    console.log(`  ${label.padEnd(34)}${VARIANTS.map((v) => fmt(medians[v]).padStart(12)).join('')}${ratios}`);
  }
  const spread = (v) => {
    const xs = results[v].map((r) => r[total]);
    return `${v} ${fmt(Math.min(...xs))} to ${fmt(Math.max(...xs))}`;
  };
  console.log(`  range of the call start: ${VARIANTS.map(spread).join(', ')}`);
}

/**
 * The pages, served as the demo directory: bench/reference as it is, and for each tags variant
 * bench/tags with its own copy of the bundle (the same way for all, current build included).
 */
function pagesDir() {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-bench-start-'));
  cpSync('bench/reference', join(dir, 'reference'), { recursive: true });
  const html = readFileSync('bench/tags/index.html', 'utf8').replace('src="/rtc-room.js"', 'src="bundle/rtc-room.js"');
  for (const [variant, bundle] of [['tags', 'dist'], ...EXTRA.map(([name, path]) => [`tags-${name}`, path])]) {
    cpSync('bench/tags', join(dir, variant), { recursive: true });
    writeFileSync(join(dir, variant, 'index.html'), html);
    cpSync(bundle, join(dir, variant, 'bundle'), { recursive: true, filter: (src) => !/[\\/](components|server|protocol)$/.test(src) });
  }
  return dir;
}

async function main() {
  const { createRtcServer } = await import('../dist/server/app.js');
  const pages = pagesDir();
  const rtc = createRtcServer({
    demoDir: pages,
    bundleDir: 'dist',
    roomCapacity: 8,
    logger: pino({ level: 'silent' }),
    ...BENCH_LIMITS_OPTIONS,
  });
  const { url } = await rtc.listen(0, '127.0.0.1');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    if (RUNS > 0) {
      const two = await sitting(browser, url, 2, RUNS);
      const title = `call start, two pages (${RUNS} runs each, alternately; median, from the joining page's navigation start):`;
      printWaterfall(title, two, STEPS, 'all-see-all');
      printRatio('call-start', two, RUNS);
    }
    if (MESH_SIZE > 2 && MESH_RUNS > 0) {
      const mesh = await sitting(browser, url, MESH_SIZE, MESH_RUNS);
      const title = `mesh of ${MESH_SIZE} (${MESH_RUNS} runs each, alternately; median, from the last member's navigation start):`;
      printWaterfall(title, mesh, [...STEPS, 'last-sees-all'], 'all-see-all');
      printRatio(`mesh-of-${MESH_SIZE}`, mesh, MESH_RUNS);
    }
  } finally {
    await browser.close();
    await rtc.close();
    rmSync(pages, { recursive: true, force: true });
  }
  if (failures.length) console.log(`runs that did not finish (left out of the medians):\n  ${failures.join('\n  ')}`);
  printBytes();
}

if (process.argv.includes(INSIDE)) {
  await main();
} else {
  ensureSystemPackages();
  if (canUseNetns()) process.exit(rerunInNetns('scripts/bench-start.mjs', INSIDE));
  await main();
}
