// The Chromiums the browser tests run in: Debian's Chromium through Playwright with a fake camera
// and microphone, and three variants for the tests of what the elements do when the browser says
// no (autoplay policy, permission denied, no devices).
import { playwrightLauncher } from '@web/test-runner-playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.mjs';

/** Debian's Chromium through Playwright, with these flags. */
export function chromium(args) {
  return playwrightLauncher({
    product: 'chromium',
    launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args },
  });
}

// Three fake cameras: Chromium makes the second one (fake_device_1) a Y16 depth camera, which no
// encoder takes, so the device tests switch between fake_device_0 and fake_device_2 (both I420).
export const chromiumArgs = CHROMIUM_ARGS.map((arg) =>
  arg === '--use-fake-device-for-media-stream' ? '--use-fake-device-for-media-stream=device-count=3' : arg,
);

const AUTOPLAY_TESTS = 'components/**/*.autoplay.test.ts';
const MEDIA_DENIED_TESTS = 'components/**/*.media-denied.test.ts';
const NO_DEVICE_TESTS = 'components/**/*.no-device.test.ts';

/** Browser tests in the default Chromium: not the groups' files, and not the Node-side tests. */
export const defaultFiles = [
  'components/**/*.test.ts',
  `!${AUTOPLAY_TESTS}`,
  `!${MEDIA_DENIED_TESTS}`,
  `!${NO_DEVICE_TESTS}`,
  // run by node --test (npm run test:unit, npm run test:integration)
  '!components/**/*.node.test.ts',
  '!components/**/*.unit.test.ts',
];

/** The files named after `--files` on the command line (`npm run test:browser -- --files a b`); null without. */
function filesAsked(argv = process.argv) {
  const at = argv.indexOf('--files');
  if (at < 0) return null;
  const rest = argv.slice(at + 1);
  const end = rest.findIndex((arg) => arg.startsWith('--'));
  return end < 0 ? rest : rest.slice(0, end);
}

const allGroups = [
  // The browser's own autoplay policy (sound needs a user gesture): the tests of what the
  // elements do when playback is refused run in a Chromium without the flag that lifts it.
  {
    name: 'autoplay-policy',
    files: [AUTOPLAY_TESTS],
    browsers: [chromium(chromiumArgs.filter((arg) => !arg.startsWith('--autoplay-policy')))],
  },
  // A person who refuses the camera and microphone: Chromium's fake permission UI answers "deny".
  {
    name: 'media-denied',
    files: [MEDIA_DENIED_TESTS],
    browsers: [chromium(chromiumArgs.map((arg) => (arg === '--use-fake-ui-for-media-stream' ? `${arg}=deny` : arg)))],
  },
  // A machine with no camera or microphone: no fake devices (the test machine has no real ones).
  {
    name: 'no-device',
    files: [NO_DEVICE_TESTS],
    browsers: [chromium(chromiumArgs.filter((arg) => !arg.startsWith('--use-fake-device-for-media-stream')))],
  },
];

/**
 * The groups to run: all of them, or with `--files`, those whose files were named (otherwise each
 * one-file run would also run every group's files).
 */
const asked = filesAsked();
export const groups = asked
  ? allGroups.filter(({ files: [glob] }) => asked.some((file) => file.endsWith(glob.split('*').at(-1))))
  : allGroups;
