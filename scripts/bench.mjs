// `npm run bench`: how fast a call starts, and how big the bundle is.
//
// Starts the real server (the built dist/) and Debian's Chromium on loopback, then, RUNS times:
// page A opens /?room=R and waits until joined; page B opens the same link; we take the time from
// B's navigation start to the first decoded remote frame on B and on A (the remote video's first `resize`),
// and report medians. Runs inside a loopback-only network namespace when it can (see netns.mjs).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { canUseNetns, rerunInNetns } from './netns.mjs';
import { ensureSystemPackages } from './system-deps.mjs';

const INSIDE = '--inside-netns';
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const RUN_TIMEOUT_MS = 15_000;

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection',
];

/**
 * Installed in every page: records the wall-clock time at which a remote video first has a decoded
 * frame (its `resize` event: the first frame's size became known). Event-driven, so neither timer
 * nor paint throttling of a page in the background skews it.
 */
function watchFirstRemoteFrame() {
  const desc = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    ...desc,
    set(value) {
      desc.set.call(this, value);
      if (this.__benchWatched) return;
      this.__benchWatched = true;
      this.addEventListener('resize', () => {
        const host = this.getRootNode()?.host;
        if (host?.localName === 'rtc-remote-video' && this.videoWidth > 0) {
          window.__firstRemoteFrame ??= performance.timeOrigin + performance.now();
        }
      });
    },
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function bundleSize() {
  const js = readFileSync('dist/rtc-room.js');
  return { min: js.length, gzip: gzipSync(js, { level: 9 }).length };
}

async function main() {
  const { createRtcServer } = await import('../dist/server/app.js');
  const rtc = createRtcServer({
    demoDir: 'demo',
    bundleDir: 'dist',
    logger: pino({ level: 'silent' }),
  });
  const { url } = await rtc.listen(0, '127.0.0.1');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ARGS });
  const results = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      await context.addInitScript(watchFirstRemoteFrame);
      const room = `bench-${Date.now()}-${i}`;
      const a = await context.newPage();
      const b = await context.newPage();
      await a.goto(`${url}/?room=${room}`);
      await a.waitForFunction(() => document.querySelector('rtc-room')?.state === 'joined', null, { timeout: RUN_TIMEOUT_MS });
      await b.goto(`${url}/?room=${room}`);
      const frame = (page) => page.waitForFunction(() => window.__firstRemoteFrame, null, { timeout: RUN_TIMEOUT_MS }).then((h) => h.jsonValue());
      const [frameA, frameB] = await Promise.all([frame(a), frame(b)]);
      const origin = await b.evaluate(() => performance.timeOrigin);
      results.push({ a: frameA - origin, b: frameB - origin });
      await context.close();
    }
  } finally {
    await browser.close();
    await rtc.close();
  }
  const both = results.map((r) => Math.max(r.a, r.b));
  const size = bundleSize();
  const fmt = (n) => `${Math.round(n)} ms`;
  console.log(`call start (${RUNS} runs, from the second page's load, median): ` +
    `first remote frame on the joining page ${fmt(median(results.map((r) => r.b)))}, ` +
    `on the waiting page ${fmt(median(results.map((r) => r.a)))}, on both ${fmt(median(both))} ` +
    `(min ${fmt(Math.min(...both))}, max ${fmt(Math.max(...both))})`);
  console.log(`bundle dist/rtc-room.js: ${(size.min / 1024).toFixed(1)} KB min, ${(size.gzip / 1024).toFixed(1)} KB gzip`);
}

if (process.argv.includes(INSIDE)) {
  await main();
} else {
  ensureSystemPackages();
  if (canUseNetns()) process.exit(rerunInNetns('scripts/bench.mjs', INSIDE));
  await main();
}
