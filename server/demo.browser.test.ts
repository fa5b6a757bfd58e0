// The demo page under the server's security headers, in a real Chromium: two pages of the demo
// make a call with the content security policy in force, no violation is reported, and a display
// name full of markup reaches the other page as text. Then the page itself: on a phone, the
// remembered camera, the connection state in the header, and an honest setup check.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { startServer } from './test-support/harness.js';
import { buildTestBundle } from './test-support/test-bundle.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">Eve';

describe('the demo under helmet and its CSP, in Chromium', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}` }, () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  let bundleDir: string;
  let browser: Browser;
  before(async () => {
    // the same bundle as dist/rtc-room.js (npm test does not build): one ES module, browser builds
    bundleDir = await buildTestBundle('rtc-bundle-');
    h = await startServer({ demoDir: 'demo', bundleDir, rateLimits: {} });
    // the browser tests' Chromium flags (fake camera and microphone, loopback candidates)
    const { chromiumArgs } = (await import('../scripts/wtr/browsers.mjs' as string)) as { chromiumArgs: string[] };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await rm(bundleDir, { recursive: true, force: true });
  });

  /** A page that records CSP violations and page errors (in a context of its own). */
  async function open(path: string, context: BrowserContextOptions = {}): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage(context);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()} ${message.location().url}`);
    });
    await page.addInitScript(() => {
      (window as any).__violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as any).__violations.push(
          `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${(e.target as Element)?.nodeName}`,
        ),
      );
    });
    const response = await page.goto(`${h.url}${path}`);
    assert.equal(response?.status(), 200);
    return { page, problems };
  }

  it('serves the demo with security headers, and a call works under the CSP with nothing violated', async () => {
    const res = await fetch(`${h.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'self'",
    ]) {
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    }
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-powered-by'), null);

    const room = `csp-${process.pid}`;
    const a = await open(`/?room=${room}`);
    await a.page.click('#join-button');
    await a.page.waitForFunction(() => (document.querySelector('rtc-room') as any)?.state === 'joined', null, { timeout: 15_000 });
    const b = await open('/');
    await b.page.fill('#room-input', room);
    await b.page.fill('#name-input', HOSTILE_NAME);
    await b.page.click('#join-button');
    const pictures = () => {
      const grid = document.querySelector('rtc-remote-videos');
      const video = grid?.shadowRoot?.querySelector('video');
      return !!video && video.videoWidth > 0;
    };
    await a.page.waitForFunction(pictures, null, { timeout: 20_000 });
    await b.page.waitForFunction(pictures, null, { timeout: 20_000 });

    // B's name reached A as text, not markup
    const shown = await a.page.evaluate(() => {
      const grid = document.querySelector('rtc-remote-videos')!.shadowRoot!;
      return {
        text: grid.querySelector('[part~="name"]')?.textContent ?? '',
        imgs: grid.querySelectorAll('img').length,
        pwned: (window as any).__pwned ?? 0,
      };
    });
    assert.deepEqual(shown, { text: HOSTILE_NAME.slice(0, 64), imgs: 0, pwned: 0 });

    for (const { page, problems } of [a, b]) {
      assert.deepEqual(await page.evaluate(() => (window as any).__violations), [], 'no CSP violation');
      assert.deepEqual(problems, [], 'no page error');
    }
    // the policy is in force: inline script is refused (so the empty list above means something)
    const blocked = await a.page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inline = 1';
      const refused = new Promise((r) => document.addEventListener('securitypolicyviolation', r, { once: true }));
      document.body.append(script);
      await refused;
      return { ran: (window as any).__inline ?? 0, violations: (window as any).__violations as string[] };
    });
    assert.equal(blocked.ran, 0);
    assert.match(blocked.violations.join(), /script-src/);
    await a.page.close();
    await b.page.close();
  });

  const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const joined = (page: Page) =>
    page.waitForFunction(() => (document.querySelector('rtc-room') as any)?.state === 'joined', null, { timeout: 15_000 });
  const statusIs = (page: Page, text: string) =>
    page
      .waitForFunction((want) => document.getElementById('status')?.textContent === want, text, { timeout: 15_000 })
      .then(
        () => undefined,
        async (error: Error) => assert.fail(`status '${await page.textContent('#status')}', wanted '${text}': ${error.message}`),
      );

  it('on a 390×844 phone: the lobby fits, and once joined it hides and the toolbar is on screen', async () => {
    const { page, problems } = await open('/', PHONE);
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.equal(await fits(), true, 'the lobby has no sideways scroll');
    assert.equal(await page.isVisible('#join-button'), true);
    await page.fill('#room-input', `phone-${process.pid}`);
    await page.click('#join-button');
    await joined(page);
    assert.equal(await page.isHidden('#lobby'), true, 'the lobby hides once joined');
    assert.equal(await page.isVisible('rtc-controls'), true, 'the toolbar shows');
    // Every button of the toolbar lies inside the viewport, without scrolling.
    const buttons = await page.evaluate(() =>
      [...document.querySelector('rtc-controls')!.shadowRoot!.querySelectorAll('button')]
        .filter((b) => b.getClientRects().length > 0)
        .map((b) => {
          const r = b.getBoundingClientRect();
          return {
            label: b.getAttribute('aria-label') ?? b.textContent?.trim(),
            left: r.left,
            right: r.right,
            top: r.top,
            bottom: r.bottom,
          };
        }),
    );
    assert.ok(buttons.length >= 3, `toolbar buttons: ${JSON.stringify(buttons)}`);
    for (const b of buttons)
      assert.ok(b.left >= 0 && b.right <= 390 && b.top >= 0 && b.bottom <= 844, `${b.label} on screen: ${JSON.stringify(b)}`);
    assert.equal(await fits(), true, 'the call has no sideways scroll');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('the header shows the connection state: joining, in the room with nobody, with one other person, and back', async () => {
    const room = `status-${process.pid}`;
    const a = await open('/');
    await statusIs(a.page, 'Not in a call');
    await a.page.fill('#room-input', room);
    await a.page.click('#join-button');
    await statusIs(a.page, `In “${room}” · nobody else yet`);
    assert.equal(await a.page.getAttribute('#status', 'data-state'), 'joined');
    const b = await open(`/?room=${room}`);
    await b.page.click('#join-button');
    await statusIs(b.page, `In “${room}” · 1 other person`);
    await statusIs(a.page, `In “${room}” · 1 other person`);
    await b.page.close();
    await statusIs(a.page, `In “${room}” · nobody else yet`);
    // The toolbar's leave button: back in the lobby, not in a call.
    await a.page.evaluate(() => (document.querySelector('rtc-room') as any).leave());
    await statusIs(a.page, 'Not in a call');
    assert.equal(await a.page.isVisible('#lobby'), true);
    assert.deepEqual(a.problems, []);
    await a.page.close();
  });

  it('a shared link fills in the room but joins only on a click, and never takes the name from the link', async () => {
    const room = `link-${process.pid}`;
    const { page, problems } = await open(`/?room=${room}&name=Mallory`);
    // The lobby is up, with its camera preview (local only), the room filled in and the name not.
    await page.waitForFunction(() => !!(document.getElementById('preview') as HTMLVideoElement).srcObject, null, { timeout: 10_000 });
    assert.equal(await page.inputValue('#room-input'), room);
    assert.equal(await page.inputValue('#name-input'), '');
    assert.equal(await page.isVisible('#lobby'), true);
    const call = () =>
      page.evaluate(() => ({
        state: (document.querySelector('rtc-room') as any).state,
        room: (document.querySelector('rtc-room') as any).room,
      }));
    assert.deepEqual(await call(), { state: 'idle', room: '' });
    await page.fill('#name-input', 'Ada');
    await page.click('#join-button');
    await statusIs(page, `In “${room}” · nobody else yet`);
    assert.equal(await page.evaluate(() => (document.querySelector('rtc-room') as any).name), 'Ada');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('remembers the camera chosen in the lobby: the preview, a reload and the call use it', async () => {
    const { page, problems } = await open('/');
    const cameraOf = (selector: string) =>
      page.evaluate((s) => {
        const el = document.querySelector(s) as any;
        const stream: MediaStream | null = el?.srcObject ?? el?.localStream ?? null;
        return stream?.getVideoTracks()[0]?.getSettings().deviceId ?? null;
      }, selector);
    await page.waitForFunction(() => (document.getElementById('camera-select') as HTMLSelectElement).options.length >= 2, null, {
      timeout: 10_000,
    });
    const ids = await page.$$eval('#camera-select option', (options) => options.map((o) => (o as HTMLOptionElement).value));
    const chosen = ids.at(-1)!;
    assert.notEqual(chosen, ids[0]);
    await page.selectOption('#camera-select', chosen);
    await page.waitForFunction(
      (id) =>
        (document.getElementById('preview') as HTMLVideoElement).srcObject &&
        (document.getElementById('preview') as any).srcObject.getVideoTracks()[0]?.getSettings().deviceId === id,
      chosen,
      { timeout: 10_000 },
    );
    assert.equal(await page.evaluate(() => localStorage.getItem('rtc-room.device.videoinput')), chosen, 'saved in the device store');
    await page.reload();
    await page.waitForFunction((id) => (document.getElementById('camera-select') as HTMLSelectElement).value === id, chosen, {
      timeout: 10_000,
    });
    assert.equal(await cameraOf('#preview'), chosen, 'the preview after a reload');
    const check = await page.evaluate(() => (document.getElementById('preflight') as any).run());
    assert.deepEqual(
      [check.camera.status, check.camera.source, check.camera.deviceId],
      ['ok', 'remembered', chosen],
      'the setup check opens the chosen camera',
    );
    await page.fill('#room-input', `camera-${process.pid}`);
    await page.click('#join-button');
    await joined(page);
    await page.waitForFunction(() => (document.querySelector('rtc-room') as any).localStream?.getVideoTracks().length > 0, null, {
      timeout: 10_000,
    });
    assert.equal(await cameraOf('rtc-room'), chosen, 'the call opens the chosen camera');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("the lobby's setup check looks at the camera and microphone too, so 'Ready for a call' means it", async () => {
    const { page, problems } = await open('/');
    await page.fill('#room-input', `check-${process.pid}`);
    const result = await page.evaluate(() => (document.getElementById('preflight') as any).run());
    assert.deepEqual([result.camera.status, result.microphone.status, result.verdict], ['ok', 'ok', 'ok']);
    const shown = await page.evaluate(() => document.getElementById('preflight')!.shadowRoot!.textContent ?? '');
    assert.doesNotMatch(shown, /not checked/);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
