// Browser tests: Debian's Chromium with a fake camera and microphone, against the real rtc-room
// server attached to the test runner's own HTTP server (same origin, as a page would use it).
// For the TURN tests (components/turn.e2e.test.ts) it also runs a real coturn and a second
// rtc-room server that hands out TURN REST credentials for it (see turnFixture below).
// Run through `node --import tsx` so that this file can load the server's TypeScript sources.
import { randomUUID } from 'node:crypto';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { pino } from 'pino';
import { createRtcServer } from './server/app.ts';
import { mintAccessToken } from './server/auth/access-tokens.ts';
import { createTurnRestIceProvider, turnRestCredential, turnRestUsername } from './server/ice/turn-rest.ts';
import { coturnUnavailableReason, startCoturn, TURNSERVER_PATH } from './server/test-support/coturn.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

/** Where test pages learn about the TURN setup (JSON; see TurnTestSetup in components/test-support/turn.ts). */
const TURN_ROUTE = '/__rtc-test/turn';

/**
 * coturn + a second rtc-room server whose ICE provider signs TURN REST credentials for it.
 * Started on the first request to TURN_ROUTE (runs without the TURN tests do not pay for it),
 * shared by all later ones, stopped in serverStop.
 */
let turn = null;

/** @param {string} pageOrigin the origin test pages are served from (allowed by the second server's CORS) */
function turnFixture(pageOrigin) {
  turn ??= (async () => {
    const binary = process.env.RTC_TEST_TURNSERVER || TURNSERVER_PATH;
    const reason = coturnUnavailableReason(binary);
    if (reason) {
      console.warn(`TURN tests skip: ${reason}`);
      return { status: 'unavailable', reason };
    }
    // The first signs; the second stands for the previous one during a rotation.
    const secrets = [`rtc-test-current-${randomUUID()}`, `rtc-test-previous-${randomUUID()}`];
    let coturn;
    let server;
    try {
      coturn = await startCoturn({ secrets, binary, onLog: (line) => logger.debug({ coturn: line }) });
      server = createRtcServer({
        iceProvider: createTurnRestIceProvider({ urls: coturn.urls, secrets }),
        logger,
        allowedOrigins: [pageOrigin],
      });
      const { url } = await server.listen(0, '127.0.0.1');
      return { status: 'ready', secrets, coturn, server, url };
    } catch (error) {
      await server?.close();
      await coturn?.stop();
      console.error('TURN fixture failed to start:', error);
      return { status: 'failed', reason: String(error?.message ?? error) };
    }
  })();
  return turn;
}

/** The JSON a test page gets: the second server's URL, coturn's URLs and hand-made credentials. */
function turnSetupFor(fixture) {
  if (fixture.status !== 'ready') return { status: fixture.status, reason: fixture.reason };
  const now = Math.floor(Date.now() / 1000);
  const signed = (secret, expiry, user) => {
    const username = turnRestUsername(expiry, user);
    return { username, credential: turnRestCredential(secret, username) };
  };
  const [current, previous] = fixture.secrets;
  return {
    status: 'ready',
    server: fixture.url,
    urls: fixture.coturn.urls,
    realm: fixture.coturn.realm,
    startupMs: fixture.coturn.startupMs,
    // correctly signed, but ran out a minute ago
    expired: signed(current, now - 60, 'expired-user'),
    // fresh, but signed with a secret coturn does not know
    wrongSecret: signed(`not-${current}`, now + 600, 'wrong-secret-user'),
    // fresh, signed with the second static-auth-secret (accepted while rotating)
    previousSecret: signed(previous, now + 600, 'previous-secret-user'),
  };
}

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
        const before = counts.passed + counts.failed + counts.skipped;
        walk(s.testResults);
        // a file that failed without running a test (e.g. an import error) counts as one failure
        const ran = counts.passed + counts.failed + counts.skipped - before;
        if (!s.passed && ran === 0 && s.errors?.length) counts.failed++;
      }
    },
    stop() {
      process.once('exit', () =>
        process.stdout.write(`browser: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`),
      );
    },
  };
}

const AUTOPLAY_TESTS = 'components/**/*.autoplay.test.ts';

/** Debian's Chromium through Playwright, with these flags. */
function chromium(args) {
  return playwrightLauncher({
    product: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args },
  });
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
let pageOrigin;

/** Where the ICE-refresh test learns about a server whose ICE servers are always about to expire. */
const SHORT_ICE_ROUTE = '/__rtc-test/short-ice';
/** A third rtc-room server: every grant expires in one second, with a new username each time. */
let shortIce = null;
function shortIceFixture(origin) {
  shortIce ??= (async () => {
    const state = { calls: 0, server: null, url: '' };
    state.server = createRtcServer({
      logger,
      allowedOrigins: [origin],
      iceProvider: {
        name: 'short-lived',
        async getIceServers() {
          state.calls++;
          // 127.0.0.1:9 answers nothing: host candidates carry the call, the username is what we watch.
          return { iceServers: [{ urls: 'turn:127.0.0.1:9?transport=udp', username: `grant-${state.calls}`, credential: 'x' }], expiresAt: Date.now() + 1_000 };
        },
      },
    });
    state.url = (await state.server.listen(0, '127.0.0.1')).url;
    return state;
  })();
  return shortIce;
}

/** Where the access-token tests get a server that requires tokens, and tokens for a room. */
const TOKEN_ROUTE = '/__rtc-test/tokens';
const TOKEN_SECRET = `rtc-test-token-secret-${randomUUID()}`;
/** A fourth rtc-room server: joins need an access token signed with TOKEN_SECRET. */
let tokenServer = null;
function tokenFixture(origin) {
  tokenServer ??= (async () => {
    const server = createRtcServer({ logger, allowedOrigins: [origin], accessTokenSecret: TOKEN_SECRET });
    return { server, url: (await server.listen(0, '127.0.0.1')).url };
  })();
  return tokenServer;
}

export default {
  files: ['components/**/*.test.ts', `!${AUTOPLAY_TESTS}`],
  nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
  concurrency: 1,
  middleware: [
    async function turnSetupRoute(ctx, next) {
      if (ctx.path !== TURN_ROUTE) return next();
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'json';
      ctx.body = JSON.stringify(turnSetupFor(await turnFixture(pageOrigin ?? ctx.origin)));
    },
    async function tokenRoute(ctx, next) {
      if (ctx.path !== TOKEN_ROUTE) return next();
      const fixture = await tokenFixture(pageOrigin ?? ctx.origin);
      const room = String(ctx.query.room ?? '');
      const mint = (claims) => mintAccessToken({ secret: TOKEN_SECRET, ttl: 300, ...claims });
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'json';
      ctx.body = JSON.stringify({
        server: fixture.url,
        counters: fixture.server.counters,
        ...(room
          ? {
              host: await mint({ room, sub: 'host-user', name: 'Host' }),
              viewer: await mint({ room, sub: 'viewer-user', name: 'Viewer', publish: false }),
              otherRoom: await mint({ room: `${room}-other`, sub: 'lost-user' }),
            }
          : {}),
      });
    },
    async function shortIceRoute(ctx, next) {
      if (ctx.path !== SHORT_ICE_ROUTE) return next();
      const fixture = await shortIceFixture(pageOrigin ?? ctx.origin);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'json';
      ctx.body = JSON.stringify({ server: fixture.url, calls: fixture.calls });
    },
  ],
  browsers: [chromium(chromiumArgs)],
  groups: [
    // The browser's own autoplay policy (sound needs a user gesture): the tests of what the
    // elements do when playback is refused run in a Chromium without the flag that lifts it.
    {
      name: 'autoplay-policy',
      files: [AUTOPLAY_TESTS],
      browsers: [chromium(chromiumArgs.filter((arg) => !arg.startsWith('--autoplay-policy')))],
    },
  ],
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }),
    {
      name: 'rtc-room-server',
      serverStart({ server, config }) {
        pageOrigin = `${config.http2 ? 'https' : 'http'}://${config.hostname}:${config.port}`;
        rtc = createRtcServer({ httpServer: server, logger });
      },
      async serverStop() {
        await rtc?.close();
        await (await shortIce)?.server.close();
        await (await tokenServer)?.server.close();
        const fixture = await turn;
        if (fixture?.status === 'ready') {
          await fixture.server.close();
          await fixture.coturn.stop();
        }
      },
    },
  ],
  reporters: [process.env.CI ? summaryReporter({ flatten: true }) : defaultReporter(), countsReporter()],
  testFramework: { config: { timeout: 15000 } },
};
