// Takes docs/demo.png: the demo page in a three-person call (fake camera), for the README.
// Usage: npm run build && node scripts/screenshot.mjs
import { chromium } from 'playwright-core';
import { pino } from 'pino';

const { createRtcServer } = await import('../dist/server/app.js');
const rtc = createRtcServer({ demoDir: 'demo', bundleDir: 'dist', logger: pino({ level: 'silent' }) });
const { url } = await rtc.listen(0, '127.0.0.1');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection', '--disable-background-networking'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const a = await context.newPage();
  const b = await context.newPage();
  const c = await context.newPage();
  await a.goto(`${url}/?room=standup&name=Ada`);
  await b.goto(`${url}/?room=standup&name=Bob`);
  await c.goto(`${url}/?room=standup&name=Cy`);
  for (const page of [a, b, c]) {
    await page.waitForFunction(() => {
      const videos = [...(document.querySelector('rtc-remote-videos')?.shadowRoot?.querySelectorAll('video') ?? [])];
      return videos.length === 2 && videos.every((v) => v.videoWidth > 0);
    }, null, { timeout: 15_000 });
  }
  await a.waitForTimeout(500); // let the fake camera's picture move on from its first frame
  await a.screenshot({ path: 'docs/demo.png' });
  console.log('wrote docs/demo.png');
} finally {
  await browser.close();
  await rtc.close();
}
