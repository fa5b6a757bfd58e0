// The routes test pages ask for their fixtures (fixtures.mjs), each answering JSON, never cached.
// The page-side helpers that call them are in components/test-support/.
import {
  mint,
  originOf,
  redisFixture,
  shortIceFixture,
  startProcess,
  stopProcess,
  TOKEN_SECRET,
  tokenFixture,
  turnFixture,
  turnSetupFor,
} from './fixtures.mjs';

/** A middleware answering `path` with the JSON `answer(ctx)` resolves to. */
function jsonRoute(path, answer) {
  return async function route(ctx, next) {
    if (ctx.path !== path) return next();
    const body = await answer(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'json';
    ctx.body = JSON.stringify(body);
  };
}

/**
 * Real server processes (the reconnect tests): `?op=start[&port=N][&tokens][&RATE_LIMIT_JOIN=1/5…]`
 * (query keys in capitals are the process's environment variables; `tokens`: joins need access
 * tokens from `op=mint`) answers `{ id, port, url }`; `?op=stop&id=I&signal=SIGKILL` kills it and
 * answers `{ code, signal, ms, output }`, where `output` is everything the process logged (tests
 * look for unhandled rejections in it); `?op=mint&room=R&ttl=S` answers `{ token }`.
 */
async function serverProcess(ctx) {
  const { op } = ctx.query;
  if (op === 'start') {
    const env = Object.fromEntries(
      Object.entries(ctx.query)
        .filter(([key]) => /^[A-Z][A-Z0-9_]*$/.test(key))
        .map(([k, v]) => [k, String(v)]),
    );
    if ('tokens' in ctx.query) env.ACCESS_TOKEN_SECRET = TOKEN_SECRET;
    const { id, proc } = await startProcess({ port: Number(ctx.query.port ?? 0), env });
    return { id, port: proc.port, url: proc.url };
  }
  if (op === 'mint') {
    const { room, ttl } = ctx.query;
    return { token: await mint({ room: String(room), sub: 'process-user', ttl: Number(ttl ?? 300) }) };
  }
  const stopped = op === 'stop' ? await stopProcess(String(ctx.query.id), ctx.query.signal || 'SIGTERM') : undefined;
  if (stopped) return stopped;
  ctx.status = 400;
  return { error: { code: 'bad_request', message: 'op=start, op=mint, or op=stop with a known id' } };
}

/**
 * The several-node test (components/redis.e2e.test.ts): `{ status: 'ready', nodes: [url, url],
 * health: [healthz, healthz] }`, or `{ status: 'unavailable' | 'failed', reason }`.
 */
async function redisSetup() {
  const fixture = await redisFixture();
  if (fixture.status !== 'ready') return { status: fixture.status, reason: fixture.reason };
  const nodes = fixture.nodes.map((node) => node.url);
  // Each node's /healthz (which has no CORS headers, so the page cannot read it itself).
  const health = await Promise.all(nodes.map(async (url) => (await fetch(`${url}/healthz`)).json()));
  return { status: 'ready', nodes, health };
}

/** The token server's URL and counters; with `?room=R`, tokens for R (host, viewer) and for another room. */
async function tokens(ctx) {
  const fixture = await tokenFixture(originOf(ctx));
  const room = String(ctx.query.room ?? '');
  const minted = room
    ? {
        host: await mint({ room, sub: 'host-user', name: 'Host' }),
        viewer: await mint({ room, sub: 'viewer-user', name: 'Viewer', publish: false }),
        otherRoom: await mint({ room: `${room}-other`, sub: 'lost-user' }),
      }
    : {};
  return { server: fixture.url, counters: fixture.server.counters, ...minted };
}

export const middleware = [
  jsonRoute('/__rtc-test/server-process', serverProcess),
  jsonRoute('/__rtc-test/redis', redisSetup),
  // TurnTestSetup in components/test-support/turn.ts
  jsonRoute('/__rtc-test/turn', async (ctx) => turnSetupFor(await turnFixture(originOf(ctx)))),
  jsonRoute('/__rtc-test/tokens', tokens),
  // the ICE-refresh test: a server whose ICE servers are always about to expire
  jsonRoute('/__rtc-test/short-ice', async (ctx) => {
    const { url, calls } = await shortIceFixture(originOf(ctx));
    return { server: url, calls };
  }),
];
