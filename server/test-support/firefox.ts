// Debian's Firefox ESR for the node browser tests, driven by puppeteer-core over WebDriver BiDi,
// with a fake camera and microphone and the prefs that make it gather loopback candidates (see
// ../shared/RECIPES.md, "Firefox ESR ... over WebDriver BiDi").
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/** Why the Firefox tests cannot run here (a `skip` message), or false when they can. */
export const firefoxSkip = (): string | false => (existsSync(FIREFOX) ? false : `no Firefox at ${FIREFOX} (apt-get install firefox-esr)`);

/** The prefs of a Firefox in a call on loopback, with nobody at the keyboard. */
export const FIREFOX_PREFS: Record<string, unknown> = {
  // a fake camera and microphone, without asking
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // The deciding pair: without a remembered camera/microphone permission Firefox gathers only the
  // default route's address, and a loopback-only namespace has none (zero candidates, ICE fails).
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // remote video and sound play without a click
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
};

/** A headless Firefox with a HOME of its own; `close()` ends it and removes that HOME. */
export async function launchFirefox(): Promise<{ browser: Browser; newMember(): Promise<Page>; close(): Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'rtc-firefox-home-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      extraPrefsFirefox: FIREFOX_PREFS,
      env: { ...process.env, HOME: home, MOZ_HEADLESS: '1' },
      timeout: 30_000,
    });
  } catch (error) {
    await rm(home, { recursive: true, force: true });
    throw error;
  }
  return {
    browser,
    /**
     * A page for one member: a browser context and window of its own, so it is the visible tab
     * of its window (a background tab throttles video) and shares no storage with the others.
     */
    async newMember() {
      const context = await browser.createBrowserContext();
      return context.newPage({ type: 'window' });
    },
    async close() {
      await browser.close().catch(() => {});
      await rm(home, { recursive: true, force: true });
    },
  };
}
