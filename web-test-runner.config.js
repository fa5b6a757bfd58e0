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
import { redisUnavailableReason, startRedis } from './server/test-support/redis.ts';
import { startServerProcess } from './server/test-support/server-process.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.mjs';

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
        ...UNLIMITED,
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

/**
 * Every test page connects from 127.0.0.1, so per-IP limits would count the whole suite as one
 * client: the test servers have none. The limits have tests of their own (server/limits.test.ts).
 */
const UNLIMITED = { rateLimits: false, maxConnectionsPerIp: 100_000 };

const AUTOPLAY_TESTS = 'components/**/*.autoplay.test.ts';
const MEDIA_DENIED_TESTS = 'components/**/*.media-denied.test.ts';
const NO_DEVICE_TESTS = 'components/**/*.no-device.test.ts';

/** Debian's Chromium through Playwright, with these flags. */
function chromium(args) {
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
      ...UNLIMITED,
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

/**
 * Real server processes for the reconnect tests: `?op=start[&port=N][&tokens][&RATE_LIMIT_JOIN=1/5…]`
 * (query keys in capitals are the process's environment variables; `tokens`: joins need access
 * tokens from `op=mint`) answers `{ id, port, url }`; `?op=stop&id=I&signal=SIGKILL` kills it and
 * answers `{ code, signal, ms, output }`, where `output` is everything the process logged (tests
 * look for unhandled rejections in it); `?op=mint&room=R&ttl=S` answers `{ token }`.
 */
const PROCESS_ROUTE = '/__rtc-test/server-process';
const processes = new Map();
let processSeq = 0;
async function serverProcessRoute(ctx) {
  const op = ctx.query.op;
  if (op === 'start') {
    const env = Object.fromEntries(Object.entries(ctx.query).filter(([key]) => /^[A-Z][A-Z0-9_]*$/.test(key)).map(([k, v]) => [k, String(v)]));
    if ('tokens' in ctx.query) env.ACCESS_TOKEN_SECRET = TOKEN_SECRET;
    const proc = await startServerProcess({ port: Number(ctx.query.port ?? 0), env });
    const id = String(++processSeq);
    processes.set(id, proc);
    return { id, port: proc.port, url: proc.url };
  }
  if (op === 'mint') {
    const { room, ttl } = ctx.query;
    return { token: await mintAccessToken({ secret: TOKEN_SECRET, room: String(room), sub: 'process-user', ttl: Number(ttl ?? 300) }) };
  }
  const proc = processes.get(String(ctx.query.id));
  if (op !== 'stop' || !proc) {
    ctx.status = 400;
    return { error: { code: 'bad_request', message: 'op=start, op=mint, or op=stop with a known id' } };
  }
  processes.delete(String(ctx.query.id));
  const stopped = await proc.stop(ctx.query.signal || 'SIGTERM');
  return { ...stopped, output: proc.output() };
}

/**
 * Where the several-node test (components/redis.e2e.test.ts) learns its setup: a real redis-server
 * and two real server processes sharing rooms through it (`REDIS_URL`). Started on the first
 * request, shared, stopped in serverStop. JSON: `{ status: 'ready', nodes: [url, url], health: [healthz, healthz] }`, or
 * `{ status: 'unavailable' | 'failed', reason }`.
 */
const REDIS_ROUTE = '/__rtc-test/redis';
let redisNodes = null;
function redisFixture() {
  redisNodes ??= (async () => {
    const reason = redisUnavailableReason();
    if (reason) {
      console.warn(`Redis tests skip: ${reason}`);
      return { status: 'unavailable', reason };
    }
    const started = { redis: null, nodes: [] };
    try {
      started.redis = await startRedis();
      const env = { REDIS_URL: started.redis.url };
      started.nodes = await Promise.all([startServerProcess({ env }), startServerProcess({ env })]);
      return { status: 'ready', ...started };
    } catch (error) {
      await stopRedisFixture(started);
      console.error('Redis fixture failed to start:', error);
      return { status: 'failed', reason: String(error?.message ?? error) };
    }
  })();
  return redisNodes;
}
async function stopRedisFixture(fixture) {
  await Promise.all((fixture?.nodes ?? []).map((node) => node.stop('SIGKILL')));
  await fixture?.redis?.stop();
}

/** Where the access-token tests get a server that requires tokens, and tokens for a room. */
const TOKEN_ROUTE = '/__rtc-test/tokens';
const TOKEN_SECRET = `rtc-test-token-secret-${randomUUID()}`;
/** A fourth rtc-room server: joins need an access token signed with TOKEN_SECRET. */
let tokenServer = null;
function tokenFixture(origin) {
  tokenServer ??= (async () => {
    const server = createRtcServer({ logger, allowedOrigins: [origin], accessTokenSecret: TOKEN_SECRET, ...UNLIMITED });
    return { server, url: (await server.listen(0, '127.0.0.1')).url };
  })();
  return tokenServer;
}

export default {
  // *.node.test.ts run in Node (npm run test:server), not here.
  files: ['components/**/*.test.ts', `!${AUTOPLAY_TESTS}`, `!${MEDIA_DENIED_TESTS}`, `!${NO_DEVICE_TESTS}`, '!components/**/*.node.test.ts'],
  nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
  concurrency: 1,
  middleware: [
    async function serverProcessMiddleware(ctx, next) {
      if (ctx.path !== PROCESS_ROUTE) return next();
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'json';
      ctx.body = JSON.stringify(await serverProcessRoute(ctx));
    },
    async function redisSetupRoute(ctx, next) {
      if (ctx.path !== REDIS_ROUTE) return next();
      const fixture = await redisFixture();
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'json';
      if (fixture.status !== 'ready') return void (ctx.body = JSON.stringify({ status: fixture.status, reason: fixture.reason }));
      const nodes = fixture.nodes.map((node) => node.url);
      // Each node's /healthz (which has no CORS headers, so the page cannot read it itself).
      const health = await Promise.all(nodes.map(async (url) => (await fetch(`${url}/healthz`)).json()));
      ctx.body = JSON.stringify({ status: 'ready', nodes, health });
    },
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
  ],
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }),
    {
      name: 'rtc-room-server',
      serverStart({ server, config }) {
        pageOrigin = `${config.http2 ? 'https' : 'http'}://${config.hostname}:${config.port}`;
        rtc = createRtcServer({ httpServer: server, logger, ...UNLIMITED });
      },
      async serverStop() {
        await Promise.all([...processes.values()].map((proc) => proc.stop('SIGKILL')));
        await stopRedisFixture(await redisNodes);
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
