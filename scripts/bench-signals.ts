// How many `signal` requests a real call sends, per member socket: the numbers behind the default
// rate limits (server/limits.ts). Pages of the demo in Chromium join one room one after another
// (a mesh of SIZES members); once everyone sees everyone, it prints per socket the total and the
// most in any 1 s and any 10 s window. Run: node --import tsx scripts/bench-signals.ts [sizes]
// (in this network namespace: host candidates of every interface; under `unshare -n`: loopback only).
import { rm } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { createRtcServer } from '../server/app.js';
import { joinFromLobby } from './demo-lobby.mjs';
import { buildTestBundle } from '../server/test-support/test-bundle.js';

const SIZES = (process.argv[2] ?? '2,4,6').split(',').map(Number);
const { chromiumArgs } = (await import('../web-test-runner.config.js' as string)) as { chromiumArgs: string[] };

const bundleDir = await buildTestBundle('rtc-bundle-');
// No rate limits at all here: this measures what a call sends, so nothing may be refused or slowed
// (and every page joins from 127.0.0.1). Meshes of up to 8 stay under the 50 connections per IP.
const server = createRtcServer({ demoDir: 'demo', bundleDir, logger: pino({ level: 'silent' }), roomCapacity: 8, rateLimits: false });
const times = new Map<string, number[]>();
server.io.on('connection', (socket) => {
  times.set(socket.id, []);
  socket.onAny((event) => event === 'signal' && times.get(socket.id)!.push(Date.now()));
});
const { url } = await server.listen(0, '127.0.0.1');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: chromiumArgs });

/** The most timestamps in any window of `ms`. */
function peak(stamps: number[], ms: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < stamps.length; i++) {
    while (stamps[i]! - stamps[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

for (const size of SIZES) {
  times.clear();
  const room = `signals-${size}-${Date.now()}`;
  const context = await browser.newContext();
  const pages = [];
  for (let k = 0; k < size; k++) {
    const page = await context.newPage();
    await joinFromLobby(page, url, room);
    pages.push(page);
  }
  const everyoneSeen = (n: number) => {
    const videos = [...(document.querySelector('rtc-remote-videos')?.shadowRoot?.querySelectorAll('video') ?? [])];
    return videos.length === n && videos.every((v) => v.videoWidth > 0);
  };
  for (const page of pages) await page.waitForFunction(everyoneSeen, size - 1, { timeout: 60_000 });
  await new Promise((r) => setTimeout(r, 2_000)); // late candidates
  const rows = [...times.values()].filter((t) => t.length);
  const fmt = (f: (t: number[]) => number) =>
    rows
      .map(f)
      .sort((a, b) => b - a)
      .join(' ');
  console.log(
    `mesh of ${size}: signals per member socket, total: ${fmt((t) => t.length)}; most in 1 s: ${fmt((t) => peak(t, 1_000))}; most in 10 s: ${fmt((t) => peak(t, 10_000))}`,
  );
  await context.close();
}
await browser.close();
await server.close();
await rm(bundleDir, { recursive: true, force: true });
