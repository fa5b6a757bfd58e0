// What the browser tests call besides the page's own origin, all on 127.0.0.1: the rtc-room server
// attached to the test runner's HTTP server (same origin, as a page would use it), and servers
// started on a test's first request and shared by the later ones: a TURN setup (real coturn), one
// whose ICE grants always expire, one that requires access tokens, real server processes, and two
// server processes sharing rooms through a real redis-server. Every one stops with the runner.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createRtcServer } from '../../server/app.ts';
import { mintAccessToken } from '../../server/auth/access-tokens.ts';
import { createTurnRestIceProvider, turnRestCredential, turnRestUsername } from '../../server/ice/turn-rest.ts';
import { coturnUnavailableReason, startCoturn, TURNSERVER_PATH } from '../../server/test-support/coturn.ts';
import { redisUnavailableReason, startRedis } from '../../server/test-support/redis.ts';
import { startServerProcess } from '../../server/test-support/server-process.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

/**
 * Every test page connects from 127.0.0.1, so per-IP limits would count the whole suite as one
 * client: the test servers have none. The limits have tests of their own (server/limits.test.ts).
 */
const UNLIMITED = { rateLimits: false, maxConnectionsPerIp: 100_000 };

/** Access tokens for the token server and for server processes started with `tokens`. */
export const TOKEN_SECRET = `rtc-test-token-secret-${randomUUID()}`;

let rtc = null;
/** The origin test pages are served from (what the other servers' CORS allows). */
let pageOrigin = null;
export const originOf = (ctx) => pageOrigin ?? ctx.origin;

/** A web-test-runner plugin: the rtc-room server on the runner's own HTTP server; stops every fixture. */
export function rtcServerPlugin() {
  return {
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
  };
}

/** coturn + a second rtc-room server whose ICE provider signs TURN REST credentials for it. */
let turn = null;
export function turnFixture(origin) {
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
        allowedOrigins: [origin],
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

/** A third rtc-room server: every grant expires in one second, with a new username each time. */
let shortIce = null;
export function shortIceFixture(origin) {
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
          const iceServers = [{ urls: 'turn:127.0.0.1:9?transport=udp', username: `grant-${state.calls}`, credential: 'x' }];
          return { iceServers, expiresAt: Date.now() + 1_000 };
        },
      },
    });
    state.url = (await state.server.listen(0, '127.0.0.1')).url;
    return state;
  })();
  return shortIce;
}

/** A fourth rtc-room server: joins need an access token signed with TOKEN_SECRET. */
let tokenServer = null;
export function tokenFixture(origin) {
  tokenServer ??= (async () => {
    const server = createRtcServer({ logger, allowedOrigins: [origin], accessTokenSecret: TOKEN_SECRET, ...UNLIMITED });
    return { server, url: (await server.listen(0, '127.0.0.1')).url };
  })();
  return tokenServer;
}

export const mint = (claims) => mintAccessToken({ secret: TOKEN_SECRET, ttl: 300, ...claims });

/** Real server processes by id, started and stopped by the tests (see routes.mjs). */
const processes = new Map();
let processSeq = 0;
export async function startProcess(options) {
  const proc = await startServerProcess(options);
  const id = String(++processSeq);
  processes.set(id, proc);
  return { id, proc };
}
/** Stops the process `id` with `signal`; undefined when there is no such process. */
export async function stopProcess(id, signal) {
  const proc = processes.get(id);
  if (!proc) return undefined;
  processes.delete(id);
  const stopped = await proc.stop(signal);
  return { ...stopped, output: proc.output() };
}

/** A real redis-server and two real server processes sharing rooms through it (`REDIS_URL`). */
let redisNodes = null;
export function redisFixture() {
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

/** The JSON a TURN test page gets: the second server's URL, coturn's URLs and hand-made credentials. */
export function turnSetupFor(fixture) {
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
