// Browser tests: Debian's Chromium with a fake camera and microphone, against the real rtc-room
// server attached to the test runner's own HTTP server (same origin, as a page would use it).
// Run through `node --import tsx` so that this file can load the server's TypeScript sources.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { pino } from 'pino';
import { createRtcServer } from './server/app.ts';

/** Prints a plain "N passed, N failed, N skipped" line at exit, for CI's log reader. */
function countsReporter() {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const walk = (suite) => {
    if (!suite) return;
    for (const t of suite.tests) t.skipped ? counts.skipped++ : t.passed ? counts.passed++ : counts.failed++;
    for (const s of suite.suites) walk(s);
  };
  return {
    onTestRunFinished({ sessions }) {
      for (const s of sessions) {
        walk(s.testResults);
        if (!s.passed && !s.testResults?.tests.length && s.errors?.length) counts.failed++;
      }
    },
    stop() {
      process.once('exit', () =>
        process.stdout.write(`browser: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`),
      );
    },
  };
}

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // Host candidates on 127.0.0.1 (inside the loopback-only namespace the tests run in, the only ones).
  '--allow-loopback-in-peer-connection',
];

let rtc;

export default {
  files: ['components/**/*.test.ts'],
  nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
  concurrency: 1,
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: chromiumArgs,
      },
    }),
  ],
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }),
    {
      name: 'rtc-room-server',
      serverStart({ server }) {
        rtc = createRtcServer({ httpServer: server, logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }) });
      },
      async serverStop() {
        await rtc?.close();
      },
    },
  ],
  reporters: [process.env.CI ? summaryReporter({ flatten: true }) : defaultReporter(), countsReporter()],
  testFramework: { config: { timeout: 15000 } },
};
