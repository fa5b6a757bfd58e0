// Debian's Chromium for calls on loopback: the flags every script and test launches it with.

/** Where Chromium is: CHROMIUM_PATH, or Debian's package. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // a fake camera and microphone, and no permission prompt
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // Host candidates on 127.0.0.1 (inside the loopback-only namespace, the only ones).
  '--allow-loopback-in-peer-connection',
];
