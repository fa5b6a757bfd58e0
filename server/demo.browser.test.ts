// The demo page under the server's security headers, in a real Chromium: two pages of the demo
// make a call with the content security policy in force, no violation is reported, and a display
// name full of markup reaches the other page as text.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer } from './test-support/harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">Eve';

describe('the demo under helmet and its CSP, in Chromium', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}` }, () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  let bundleDir: string;
  let browser: Browser;
  before(async () => {
    // the same bundle as dist/rtc-room.js (npm test does not build): one ES module, browser builds
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
    // the browser tests' Chromium flags (fake camera and microphone, loopback candidates)
    const { chromiumArgs } = (await import('../web-test-runner.config.js' as string)) as { chromiumArgs: string[] };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    await rm(bundleDir, { recursive: true, force: true });
  });

  /** A page that records CSP violations and page errors. */
  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()} ${message.location().url}`);
    });
    await page.addInitScript(() => {
      (window as any).__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${(e.target as Element)?.nodeName}`));
    });
    const response = await page.goto(`${h.url}${path}`);
    assert.equal(response?.status(), 200);
    return { page, problems };
  }

  it('serves the demo with security headers, and a call works under the CSP with nothing violated', async () => {
    const res = await fetch(`${h.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'"]) {
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    }
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-powered-by'), null);

    const room = `csp-${process.pid}`;
    const a = await open(`/?room=${room}`);
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
      return { text: grid.querySelector('[part~="name"]')?.textContent ?? '', imgs: grid.querySelectorAll('img').length, pwned: (window as any).__pwned ?? 0 };
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
      document.body.append(script);
      await new Promise((r) => setTimeout(r, 100));
      return { ran: (window as any).__inline ?? 0, violations: (window as any).__violations as string[] };
    });
    assert.equal(blocked.ran, 0);
    assert.match(blocked.violations.join(), /script-src/);
    await a.page.close();
    await b.page.close();
  });
});
