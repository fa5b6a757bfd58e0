// Browser tests: Debian's Chromium with a fake camera and microphone (scripts/wtr/browsers.mjs),
// against the real rtc-room server attached to the test runner's own HTTP server, plus the servers
// some tests need (coturn, Redis, server processes: scripts/wtr/fixtures.mjs), which pages reach
// through the routes of scripts/wtr/routes.mjs. Run through `node --import tsx` so that those files
// can load the server's TypeScript sources.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { chromium, chromiumArgs, defaultFiles, groups } from './scripts/wtr/browsers.mjs';
import { rtcServerPlugin } from './scripts/wtr/fixtures.mjs';
import { countsReporter } from './scripts/wtr/reporter.mjs';
import { middleware } from './scripts/wtr/routes.mjs';

// scripts/bench-signals.ts launches Chromium with the tests' flags.
export { chromiumArgs };

export default {
  files: defaultFiles,
  nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
  concurrency: 1,
  middleware,
  browsers: [chromium(chromiumArgs)],
  groups,
  plugins: [esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }), rtcServerPlugin()],
  reporters: [process.env.CI ? summaryReporter({ flatten: true }) : defaultReporter(), countsReporter()],
  testFramework: { config: { timeout: 15000 } },
  // A file's whole run: components/reconnect.e2e.test.ts needs about 90 s alone, more on a busy machine.
  testsFinishTimeout: 300_000,
};
