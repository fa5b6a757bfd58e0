// Takes the README's screenshots from the real demo page (fake cameras, real calls on loopback):
//   docs/demo.png        a three-person call on a desktop, with a chat message
//   docs/demo-lobby.png  the lobby on a phone: camera preview, devices, the setup check
//   docs/demo-phone.png  the same call on a phone (the whole page: grid, chat, toolbar)
// Usage: npm run screenshot (builds first). Runs in a loopback-only network namespace when it can.
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { canUseNetns, rerunInNetns } from './netns.mjs';
import { joinFromLobby } from './demo-lobby.mjs';

const INSIDE = '--inside-netns';
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Resolves once the page's grid shows `n` remote pictures. */
const pictures = (page, n) =>
  page.waitForFunction(
    (count) => {
      const videos = [...(document.querySelector('rtc-remote-videos')?.shadowRoot?.querySelectorAll('video') ?? [])];
      return videos.length === count && videos.every((v) => v.videoWidth > 0);
    },
    n,
    { timeout: 20_000 },
  );

async function main() {
  const { createRtcServer } = await import('../server/dist/server/app.js');
  const rtc = createRtcServer({ demoDir: 'demo', bundleDir: 'dist', logger: pino({ level: 'silent' }) });
  const { url } = await rtc.listen(0, '127.0.0.1');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const desktop = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const phone = await browser.newContext(PHONE);
    const lobby = await phone.newPage();
    await lobby.goto(`${url}/`);
    await lobby.fill('#room-input', 'standup');
    await lobby.fill('#name-input', 'Dee');
    await lobby.waitForFunction(() => document.getElementById('preview').videoWidth > 0, null, { timeout: 10_000 });
    await lobby.evaluate(() => document.getElementById('preflight').run());
    await lobby.waitForFunction(() => document.getElementById('preflight').shadowRoot.querySelector('[part~="verdict"]'), null, {
      timeout: 10_000,
    });
    await lobby.screenshot({ path: 'docs/demo-lobby.png' });
    console.log('wrote docs/demo-lobby.png');
    await lobby.close();

    const a = await desktop.newPage();
    const b = await desktop.newPage();
    const c = await phone.newPage();
    await joinFromLobby(a, url, 'standup', { name: 'Ada' });
    await joinFromLobby(b, url, 'standup', { name: 'Bob' });
    await joinFromLobby(c, url, 'standup', { name: 'Cy' });
    for (const page of [a, b, c]) await pictures(page, 2);
    await b.evaluate(() => document.querySelector('rtc-chat').sendMessage('Morning! Shall we start?'));
    await a.waitForFunction(() => document.querySelector('rtc-chat').messages.length === 1, null, { timeout: 10_000 });
    await a.waitForTimeout(500); // let the fake cameras' pictures move on from their first frame
    await a.screenshot({ path: 'docs/demo.png' });
    console.log('wrote docs/demo.png');
    await c.screenshot({ path: 'docs/demo-phone.png', fullPage: true }); // the chat and the toolbar below the grid
    console.log('wrote docs/demo-phone.png');
  } finally {
    await browser.close();
    await rtc.close();
  }
}

if (process.argv.includes(INSIDE)) {
  await main();
} else if (canUseNetns()) {
  process.exit(rerunInNetns('scripts/screenshot.mjs', INSIDE));
} else {
  await main();
}
