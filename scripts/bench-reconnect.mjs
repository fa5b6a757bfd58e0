// `npm run bench` (part 3): a call through a server that is killed (SIGKILL) and started again.
//
// RUNS times: starts the built server (server/dist/server/main.js) as its own process, puts two members
// (two <rtc-room> elements in one foreground page, so the page's timers are not throttled) in a
// call, samples both members' decoded frames every 50 ms, kills the server, starts it again on the
// same port, and measures (1) the time from the new server listening to both members rejoined
// (`rtc-reconnected`), (2) from the kill to both rejoined, and (3) the media gap: the longest interval
// without a new decoded frame on either member across the whole episode. Medians are printed.
import { once } from 'node:events';
import { chromium } from 'playwright-core';
import { startBuiltServer } from './built-server.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { canUseNetns, rerunInNetns } from './netns.mjs';
import { ensureSystemPackages } from './system-deps.mjs';
import { median } from './bench-common.mjs';

const INSIDE = '--inside-netns';
/** At least five runs: the issue asks for a median over five or more. */
const RUNS = Math.max(5, Math.floor(Number(process.env.BENCH_RECONNECT_RUNS ?? 5)) || 5);
const STEP_TIMEOUT_MS = 20_000;

// startBuiltServer raises the per-IP connection cap and rate limits for the bench (everything is
// on 127.0.0.1, and each run joins and rejoins): BENCH_LIMITS_ENV in built-server.mjs.
const startServer = (port = 0) => startBuiltServer({ port });

/** In the page: two members in `room`, a 50 ms frame sampler, and each member's first `rtc-reconnected`. */
function setUpCall(room) {
  const rooms = ['Ada', 'Bob'].map((name) => {
    const el = document.createElement('rtc-room');
    Object.assign(el, { room, name });
    el.append(document.createElement('rtc-remote-videos'));
    document.body.append(el);
    return el;
  });
  // reconnected: member name → time of its first rtc-reconnected since the last reset.
  const bench = (window.__bench = { reconnected: {}, longestGap: 0, samples: 0 });
  for (const el of rooms) el.addEventListener('rtc-reconnected', () => (bench.reconnected[el.name] ??= Date.now()));
  const last = new Map();
  const frames = async (el) => {
    const peer = el.peers[0];
    if (!peer) return 0;
    let n = 0;
    (await el.session.getStats(peer.id))?.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded ?? 0;
    });
    return n;
  };
  bench.ready = () => rooms.every((el) => last.get(el)?.frames > 0);
  bench.reset = () => {
    bench.longestGap = 0;
    bench.reconnected = {};
  };
  setInterval(async () => {
    bench.samples++;
    for (const el of rooms) {
      const n = await frames(el);
      const now = performance.now();
      const seen = last.get(el);
      if (!seen || n > seen.frames) last.set(el, { frames: n, at: now });
      else bench.longestGap = Math.max(bench.longestGap, now - seen.at);
    }
  }, 50);
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const runs = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      let server = await startServer();
      const page = await browser.newPage();
      try {
        await page.goto(`http://127.0.0.1:${server.port}/`);
        await page.waitForFunction(() => customElements.get('rtc-room'));
        await page.evaluate(setUpCall, `restart-${Date.now()}-${i}`);
        await page.waitForFunction(() => window.__bench.ready(), null, { timeout: STEP_TIMEOUT_MS, polling: 50 });
        await page.waitForTimeout(500);
        await page.evaluate(() => window.__bench.reset());
        const killedAt = Date.now();
        server.child.kill('SIGKILL');
        await once(server.child, 'exit');
        server = await startServer(server.port);
        // Both members (two distinct names), not two events: one member reconnecting twice is not enough.
        await page.waitForFunction(() => Object.keys(window.__bench.reconnected).length >= 2, null, {
          timeout: STEP_TIMEOUT_MS,
          polling: 50,
        });
        await page.waitForTimeout(1_000); // frames after the rejoin count too
        const { reconnected, longestGap } = await page.evaluate(() => window.__bench);
        const rejoined = Math.max(...Object.values(reconnected));
        runs.push({ fromListen: rejoined - server.at, fromKill: rejoined - killedAt, down: server.at - killedAt, gap: longestGap });
      } finally {
        await page.close();
        server.child.kill('SIGKILL');
      }
    }
  } finally {
    await browser.close();
  }
  const fmt = (n) => `${Math.round(n)} ms`;
  const stat = (key) =>
    `${fmt(median(runs.map((r) => r[key])))} (min ${fmt(Math.min(...runs.map((r) => r[key])))}, max ${fmt(Math.max(...runs.map((r) => r[key])))})`;
  console.log(
    `server restart (${runs.length} runs, SIGKILL then a new process on the same port, median): ` +
      `both members rejoined ${stat('fromListen')} after the new server listened, ${stat('fromKill')} after the kill ` +
      `(the server was down ${stat('down')}); media gap (longest time without a decoded frame) ${stat('gap')}`,
  );
}

if (process.argv.includes(INSIDE)) {
  await main();
} else {
  ensureSystemPackages();
  if (canUseNetns()) process.exit(rerunInNetns('scripts/bench-reconnect.mjs', INSIDE));
  await main();
}
