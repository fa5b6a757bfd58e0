import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test, type TestContext } from 'node:test';
import { pino } from 'pino';
import type { IceServer } from '../../protocol/index.js';
import { StandInHttpClient, startTwilioStandIn, type TwilioStandIn } from '../test-support/twilio-stand-in.js';
import { createTwilioIceProvider, mapTwilioIceServers, type TwilioIceProviderOptions } from './twilio.js';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'auth-token-that-must-never-be-logged';
const KEY = 'SKfedcba9876543210fedcba9876543210';
const KEY_SECRET = 'api-key-secret-that-must-never-be-logged';
const FALLBACK: IceServer[] = [{ urls: 'stun:stun.example.org:3478' }];
const T0 = 1_700_000_000_000;
const TTL = 600;

function captureLogger() {
  const lines: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return {
    logger,
    lines,
    at: (level: 'debug' | 'info' | 'warn' | 'error') => lines.filter((l) => l.level === pino.levels.values[level]),
  };
}

/** A fresh stand-in, clock and logger per test; everything is closed when the test ends. */
async function setup(t: TestContext, overrides: Partial<TwilioIceProviderOptions> = {}) {
  const standIn = await startTwilioStandIn({ accountSid: ACCOUNT, authToken: AUTH_TOKEN, apiKeys: { [KEY]: KEY_SECRET } });
  const clock = { now: T0 };
  const log = captureLogger();
  const provider = createTwilioIceProvider({
    accountSid: ACCOUNT,
    authToken: AUTH_TOKEN,
    ttlSeconds: TTL,
    fallback: FALLBACK,
    logger: log.logger,
    httpClient: standIn.httpClient,
    now: () => clock.now,
    requestTimeoutMs: 1_000,
    backoff: { initialMs: 1_000, maxMs: 60_000 },
    ...overrides,
  });
  t.after(async () => {
    provider.close?.();
    await standIn.close();
  });
  return { standIn, clock, log, provider };
}

const ctx = { room: 'r1', peerId: 'p1' };

function turnUsername(servers: IceServer[]): string | undefined {
  return servers.find((s) => String(s.urls).startsWith('turn:'))?.username;
}

async function until(check: () => boolean | Promise<boolean>, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A port on 127.0.0.1 that nothing listens on (connection refused). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('mapTwilioIceServers', () => {
  test('prefers urls, falls back to url, never passes url on', () => {
    const mapped = mapTwilioIceServers([
      { url: 'stun:old.example:3478', urls: 'stun:new.example:3478' },
      { url: 'turn:only-url.example:3478?transport=udp', username: 'u', credential: 'c' },
      { urls: ['turns:a.example:443', 'turn:b.example:3478'], username: 'u2', credential: 'c2' },
      { username: 'no-url' },
      { urls: null, url: null },
    ]);
    assert.deepEqual(mapped, [
      { urls: 'stun:new.example:3478' },
      { urls: 'turn:only-url.example:3478?transport=udp', username: 'u', credential: 'c' },
      { urls: ['turns:a.example:443', 'turn:b.example:3478'], username: 'u2', credential: 'c2' },
    ]);
    for (const s of mapped) assert.equal('url' in s, false);
  });

  test('keeps credentials only on turn:/turns: entries', () => {
    const mapped = mapTwilioIceServers([
      { urls: 'stun:global.stun.twilio.com:3478', username: 'leak', credential: 'leak' },
      { urls: 'TURN:upper.example:3478', username: 'u', credential: 'c' },
      { urls: 'turns:tls.example:443', username: 'u', credential: 'c' },
    ]);
    assert.deepEqual(mapped[0], { urls: 'stun:global.stun.twilio.com:3478' });
    assert.deepEqual(mapped[1], { urls: 'TURN:upper.example:3478', username: 'u', credential: 'c' });
    assert.deepEqual(mapped[2], { urls: 'turns:tls.example:443', username: 'u', credential: 'c' });
  });

  test('tolerates a missing list', () => {
    assert.deepEqual(mapTwilioIceServers(null), []);
    assert.deepEqual(mapTwilioIceServers(undefined), []);
  });
});

describe('createTwilioIceProvider against the stand-in (real twilio SDK)', () => {
  test('requests a token with the configured Ttl and Basic auth, and maps it', async (t) => {
    const { standIn, provider } = await setup(t);
    const result = await provider.getIceServers(ctx);

    assert.equal(standIn.requests.length, 1);
    const [req] = standIn.requests;
    assert.equal(req!.method, 'POST');
    assert.equal(req!.path, `/2010-04-01/Accounts/${ACCOUNT}/Tokens.json`);
    assert.equal(req!.twilioHost, 'api.twilio.com');
    assert.deepEqual(req!.form, { Ttl: String(TTL) });
    assert.deepEqual(req!.basicAuth, [ACCOUNT, AUTH_TOKEN]);
    assert.match(String(req!.headers['user-agent']), /^twilio-node\//);

    assert.equal(result.degraded, undefined);
    assert.equal(result.expiresAt, T0 + TTL * 1000);
    assert.equal(result.iceServers.length, 4);
    assert.deepEqual(result.iceServers[0], { urls: 'stun:global.stun.twilio.com:3478' });
    for (const s of result.iceServers.slice(1)) {
      assert.match(String(s.urls), /^turn:/);
      assert.equal(typeof s.username, 'string');
      assert.equal(typeof s.credential, 'string');
    }
    for (const s of result.iceServers) assert.equal('url' in s, false);
    assert.deepEqual(provider.health?.(), { ok: true, lastSuccessAt: T0 });
  });

  test("expiresAt comes from Twilio's string ttl, counted from when the request was sent", async (t) => {
    const standIn = await startTwilioStandIn({ accountSid: ACCOUNT, authToken: AUTH_TOKEN });
    t.after(() => standIn.close());
    const clock = { now: T0 };
    // The clock moves on 7 s while the request is under way.
    const slowClock = {
      request: async (opts: Parameters<typeof standIn.httpClient.request>[0]) => {
        const response = await standIn.httpClient.request(opts);
        clock.now += 7_000;
        return response;
      },
    };
    const provider = createTwilioIceProvider({
      accountSid: ACCOUNT,
      authToken: AUTH_TOKEN,
      ttlSeconds: 3600,
      fallback: FALLBACK,
      logger: pino({ level: 'silent' }),
      httpClient: slowClock,
      now: () => clock.now,
    });
    t.after(() => provider.close?.());
    const result = await provider.getIceServers(ctx);
    assert.equal(result.expiresAt, T0 + 3600 * 1000);

    // Twilio may grant a different lifetime than asked for: its answer wins.
    standIn.answer({ status: 201, body: { ...tokenLike(), ttl: '120' } });
    clock.now += 3600 * 1000; // the first token has expired
    const sentAt = clock.now;
    const second = await provider.getIceServers(ctx);
    assert.equal(second.expiresAt, sentAt + 120 * 1000);
  });

  test('API key auth: username is the key, path has the account SID', async (t) => {
    const { standIn, provider } = await setup(t, { authToken: undefined, apiKeySid: KEY, apiKeySecret: KEY_SECRET });
    const result = await provider.getIceServers(ctx);
    assert.equal(result.degraded, undefined);
    const [req] = standIn.requests;
    assert.deepEqual(req!.basicAuth, [KEY, KEY_SECRET]);
    assert.equal(req!.path, `/2010-04-01/Accounts/${ACCOUNT}/Tokens.json`);
    assert.equal(await provider.verify?.(), null);
  });

  test('edge and region pick the API host', async (t) => {
    const { standIn, provider } = await setup(t, { edge: 'dublin', region: 'ie1' });
    await provider.getIceServers(ctx);
    assert.equal(standIn.requests[0]!.twilioHost, 'api.dublin.ie1.twilio.com');
  });

  test('reuses the token while more than half of its life remains', async (t) => {
    const { standIn, clock, provider } = await setup(t);
    const first = await provider.getIceServers(ctx);
    clock.now = T0 + (TTL * 1000) / 2 - 1;
    const second = await provider.getIceServers({ room: 'other', peerId: 'p2' });
    assert.equal(standIn.requests.length, 1);
    assert.equal(turnUsername(second.iceServers), turnUsername(first.iceServers));
    assert.equal(second.expiresAt, first.expiresAt);
  });

  test('past half life it serves the token at once and refreshes in the background', async (t) => {
    const { standIn, clock, provider } = await setup(t);
    const first = await provider.getIceServers(ctx);
    clock.now = T0 + (TTL * 1000) / 2;
    standIn.answer({ delayMs: 100, status: 201, body: tokenLike() });
    const started = Date.now();
    const second = await provider.getIceServers(ctx);
    assert.ok(Date.now() - started < 90, 'did not wait for Twilio');
    assert.equal(turnUsername(second.iceServers), turnUsername(first.iceServers));
    assert.equal(second.degraded, undefined);
    await until(() => standIn.requests.length === 2);
    // Joins meanwhile do not start another request.
    await provider.getIceServers(ctx);
    assert.equal(standIn.requests.length, 2);
    await until(async () => turnUsername((await provider.getIceServers(ctx)).iceServers) === 'refreshed-user');
    assert.equal((await provider.getIceServers(ctx)).expiresAt, clock.now + TTL * 1000);
    assert.equal(standIn.requests.length, 2);
  });

  test('an expired token is not served: the join waits for a new one', async (t) => {
    const { standIn, clock, provider } = await setup(t);
    const first = await provider.getIceServers(ctx);
    clock.now = T0 + TTL * 1000;
    const second = await provider.getIceServers(ctx);
    assert.equal(standIn.requests.length, 2);
    assert.notEqual(turnUsername(second.iceServers), turnUsername(first.iceServers));
  });

  test('single flight: 20 concurrent joins make exactly one request', async (t) => {
    const { standIn, provider } = await setup(t);
    standIn.answer({ delayMs: 50, status: 201, body: tokenLike() });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => provider.getIceServers({ room: 'r', peerId: `p${i}` })));
    assert.equal(standIn.requests.length, 1);
    for (const r of results) {
      assert.equal(r.degraded, undefined);
      assert.equal(turnUsername(r.iceServers), 'refreshed-user');
    }
    // Callers get copies: one cannot change what the next receives.
    results[0]!.iceServers.length = 0;
    assert.equal(results[1]!.iceServers.length, 4);
  });

  test('single flight also while Twilio fails', async (t) => {
    const { standIn, provider, log } = await setup(t);
    standIn.answer({ status: 503, delayMs: 30 });
    const results = await Promise.all(Array.from({ length: 20 }, () => provider.getIceServers(ctx)));
    assert.equal(standIn.requests.length, 1);
    for (const r of results) assert.deepEqual(r, { iceServers: FALLBACK, expiresAt: null, degraded: true });
    assert.equal(log.at('warn').length, 1);
  });
});

describe('failures fall back, degraded, and show in health', () => {
  const cases: Array<{
    name: string;
    arrange: (standIn: TwilioStandIn) => void | Partial<TwilioIceProviderOptions> | Promise<Partial<TwilioIceProviderOptions>>;
    error: RegExp;
    level: 'warn' | 'error';
  }> = [
    {
      name: 'timeout',
      arrange: (s) => void s.answer({ delayMs: 2_000, status: 201, body: tokenLike() }),
      error: /no answer within 100 ms/,
      level: 'warn',
    },
    { name: '401 wrong token', arrange: () => ({ authToken: 'wrong-token' }), error: /credentials.*HTTP 401.*20003/, level: 'error' },
    { name: '429', arrange: (s) => s.answer({ status: 429 }), error: /HTTP 429, Twilio error 20429: Too Many Requests/, level: 'warn' },
    { name: '500', arrange: (s) => s.answer({ status: 500 }), error: /HTTP 500/, level: 'warn' },
    { name: '503', arrange: (s) => s.answer({ status: 503 }), error: /HTTP 503/, level: 'warn' },
    {
      name: 'non-JSON 502 from a proxy',
      arrange: (s) => s.answer({ status: 502, body: '<html>Bad Gateway</html>' }),
      error: /HTTP 502/,
      level: 'warn',
    },
    {
      name: 'connection refused',
      arrange: async () => ({ httpClient: new StandInHttpClient(`http://127.0.0.1:${await deadPort()}`) }),
      error: /ECONNREFUSED/,
      level: 'warn',
    },
  ];
  for (const c of cases) {
    test(c.name, async (t) => {
      const standIn = await startTwilioStandIn({ accountSid: ACCOUNT, authToken: AUTH_TOKEN });
      t.after(() => standIn.close());
      const overrides = (await c.arrange(standIn)) ?? {};
      const log = captureLogger();
      const provider = createTwilioIceProvider({
        accountSid: ACCOUNT,
        authToken: AUTH_TOKEN,
        fallback: FALLBACK,
        logger: log.logger,
        httpClient: standIn.httpClient,
        now: () => T0,
        requestTimeoutMs: 100,
        ...overrides,
      });
      t.after(() => provider.close?.());
      const started = Date.now();
      const result = await provider.getIceServers(ctx);
      assert.ok(Date.now() - started < 1_500, 'bounded by requestTimeoutMs');
      assert.deepEqual(result, { iceServers: FALLBACK, expiresAt: null, degraded: true });
      const health = provider.health?.();
      assert.equal(health?.ok, false);
      assert.match(health?.error ?? '', c.error);
      assert.equal(health?.lastSuccessAt, null);
      // One line for the episode, at the right level, naming the cause.
      const lines = log.lines.filter((l) => l.level >= pino.levels.values.warn!);
      assert.equal(lines.length, 1);
      assert.equal(lines[0]!.level, pino.levels.values[c.level]);
      const text = JSON.stringify(log.lines);
      assert.ok(!text.includes(AUTH_TOKEN) && !text.includes('wrong-token'), 'no secrets in logs');
      // More joins in the backoff window: fallback at once, no request, no more lines.
      const before = standIn.requests.length;
      assert.equal((await provider.getIceServers(ctx)).degraded, true);
      assert.equal(standIn.requests.length, before);
      assert.equal(log.lines.filter((l) => l.level >= pino.levels.values.warn!).length, 1);
    });
  }
});

describe('backoff and recovery', () => {
  test('no request during the backoff window, one after it; the window doubles', async (t) => {
    const { standIn, clock, provider, log } = await setup(t);
    standIn.answer({ status: 503 });
    await provider.getIceServers(ctx);
    assert.equal(standIn.requests.length, 1);

    clock.now = T0 + 999;
    assert.equal((await provider.getIceServers(ctx)).degraded, true);
    assert.equal(standIn.requests.length, 1);

    clock.now = T0 + 1_000;
    assert.equal((await provider.getIceServers(ctx)).degraded, true);
    assert.equal(standIn.requests.length, 2);

    clock.now = T0 + 1_000 + 1_999; // second window: 2 s
    await provider.getIceServers(ctx);
    assert.equal(standIn.requests.length, 2);
    clock.now = T0 + 1_000 + 2_000;
    await provider.getIceServers(ctx);
    assert.equal(standIn.requests.length, 3);

    // Still one warn line for the whole episode.
    assert.equal(log.at('warn').length, 1);
    assert.equal(log.at('debug').filter((l) => /failed again/.test(l.msg)).length, 2);
  });

  test('the window stops growing at backoff.maxMs', async (t) => {
    const { standIn, clock, provider } = await setup(t, { backoff: { initialMs: 1_000, maxMs: 3_000 } });
    standIn.answer({ status: 500 });
    for (const wait of [0, 1_000, 2_000, 3_000, 3_000]) {
      clock.now += wait;
      await provider.getIceServers(ctx);
    }
    assert.equal(standIn.requests.length, 5);
    clock.now += 2_999;
    await provider.getIceServers(ctx);
    assert.equal(standIn.requests.length, 5);
  });

  test('recovery: a fresh token, health ok, one info line; a later failure is a new episode', async (t) => {
    const { standIn, clock, provider, log } = await setup(t);
    standIn.answer({ status: 429 });
    await provider.getIceServers(ctx);
    standIn.answer(null);
    clock.now = T0 + 1_000;
    const result = await provider.getIceServers(ctx);
    assert.equal(result.degraded, undefined);
    assert.equal(result.expiresAt, clock.now + TTL * 1000);
    assert.ok(turnUsername(result.iceServers));
    assert.deepEqual(provider.health?.(), { ok: true, lastSuccessAt: clock.now });
    const infos = log.at('info');
    assert.equal(infos.length, 1);
    assert.match(infos[0]!.msg, /available again after 1 failed attempt/);

    // The token expires, Twilio fails again: a new episode, a new warn line, backoff from the start.
    standIn.answer({ status: 500 });
    clock.now += TTL * 1000;
    assert.equal((await provider.getIceServers(ctx)).degraded, true);
    assert.equal(log.at('warn').length, 2);
    const count = standIn.requests.length;
    clock.now += 1_000;
    await provider.getIceServers(ctx);
    assert.equal(standIn.requests.length, count + 1);
  });

  test('a failed background refresh keeps serving the still-valid token', async (t) => {
    const { standIn, clock, provider, log } = await setup(t);
    const first = await provider.getIceServers(ctx);
    standIn.answer({ status: 503 });
    clock.now = T0 + (TTL * 1000) / 2;
    await provider.getIceServers(ctx);
    await until(() => provider.health?.().ok === false);
    const second = await provider.getIceServers(ctx);
    assert.equal(second.degraded, undefined);
    assert.equal(turnUsername(second.iceServers), turnUsername(first.iceServers));
    assert.equal(standIn.requests.length, 2, 'no retry inside the backoff window');
    assert.match(log.at('warn')[0]!.msg, /serving the current token until it expires/);
    // After the window the next join retries in the background, and recovers.
    standIn.answer(null);
    clock.now += 1_000;
    await provider.getIceServers(ctx);
    await until(() => provider.health?.().ok === true);
    assert.equal(standIn.requests.length, 3);
  });

  test('rejected credentials are retried only after backoff.maxMs', async (t) => {
    const { standIn, clock, provider } = await setup(t, { authToken: 'wrong-token' });
    await provider.getIceServers(ctx);
    assert.equal(standIn.requests.length, 1);
    clock.now = T0 + 59_999; // initialMs would long have allowed a retry
    assert.equal((await provider.getIceServers(ctx)).degraded, true);
    assert.equal(standIn.requests.length, 1);
    clock.now = T0 + 60_000;
    await provider.getIceServers(ctx);
    assert.equal(standIn.requests.length, 2);
  });
});

describe('verify()', () => {
  test('wrong auth token: one clear message naming the variables, no crash, fallback served', async (t) => {
    const { standIn, provider, log } = await setup(t, { authToken: 'wrong-token' });
    const problem = await provider.verify?.();
    assert.ok(problem);
    assert.match(problem, /Twilio rejected the credentials/);
    assert.match(problem, /HTTP 401/);
    assert.match(problem, /TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
    assert.ok(!problem.includes('wrong-token'));
    // The caller logs the message: the provider itself adds no warn/error line.
    assert.equal(log.lines.filter((l) => l.level >= pino.levels.values.warn!).length, 0);
    assert.equal(provider.health?.().ok, false);
    assert.match(provider.health?.().error ?? '', /credentials/);
    assert.deepEqual(await provider.getIceServers(ctx), { iceServers: FALLBACK, expiresAt: null, degraded: true });
    assert.equal(standIn.requests.length, 1);
  });

  test('wrong API key secret names the API key variables', async (t) => {
    const { provider } = await setup(t, { authToken: undefined, apiKeySid: KEY, apiKeySecret: 'wrong-secret' });
    const problem = await provider.verify?.();
    assert.match(problem ?? '', /TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET/);
  });

  test('Twilio unreachable: a message, never a rejection', async (t) => {
    const { provider } = await setup(t, { httpClient: new StandInHttpClient(`http://127.0.0.1:${await deadPort()}`) });
    const problem = await provider.verify?.();
    assert.match(problem ?? '', /unavailable at start-up \(network error ECONNREFUSED\)/);
  });

  test('good credentials: null, and the token it fetched serves the first join', async (t) => {
    const { standIn, provider } = await setup(t);
    assert.equal(await provider.verify?.(), null);
    assert.equal(provider.health?.().ok, true);
    const result = await provider.getIceServers(ctx);
    assert.equal(result.degraded, undefined);
    assert.equal(standIn.requests.length, 1);
  });
});

describe('secrets and lifecycle', () => {
  let standIn: TwilioStandIn;
  before(async () => {
    standIn = await startTwilioStandIn({ accountSid: ACCOUNT, authToken: AUTH_TOKEN, apiKeys: { [KEY]: KEY_SECRET } });
  });
  after(() => standIn.close());

  test('no log line carries the auth token, API secret or TURN credentials', async () => {
    standIn.answer(null);
    const log = captureLogger();
    const clock = { now: T0 };
    for (const auth of [{ authToken: AUTH_TOKEN }, { apiKeySid: KEY, apiKeySecret: KEY_SECRET }, { authToken: 'wrong-token' }]) {
      const provider = createTwilioIceProvider({
        accountSid: ACCOUNT,
        ...auth,
        fallback: FALLBACK,
        logger: log.logger,
        httpClient: standIn.httpClient,
        now: () => clock.now,
        backoff: { initialMs: 10, maxMs: 10 },
      });
      const result = await provider.getIceServers(ctx);
      standIn.answer({ status: 500 });
      clock.now += TTL * 10_000;
      await provider.getIceServers(ctx);
      standIn.answer(null);
      clock.now += 10;
      await provider.getIceServers(ctx);
      provider.close?.();
      const text = JSON.stringify(log.lines);
      for (const secret of [
        AUTH_TOKEN,
        KEY_SECRET,
        'wrong-token',
        ...result.iceServers.flatMap((s) => [s.username ?? '', s.credential ?? '']),
      ]) {
        if (secret) assert.ok(!text.includes(secret), `log contains a secret`);
      }
    }
    assert.ok(log.lines.length > 0);
  });

  test('close() releases a pending request: the join falls back and no more requests go out', async () => {
    standIn.answer({ delayMs: 3_000, status: 201, body: tokenLike() });
    const provider = createTwilioIceProvider({
      accountSid: ACCOUNT,
      authToken: AUTH_TOKEN,
      fallback: FALLBACK,
      logger: pino({ level: 'silent' }),
      httpClient: standIn.httpClient,
      requestTimeoutMs: 10_000,
    });
    const before = standIn.requests.length;
    const pending = provider.getIceServers(ctx);
    await until(() => standIn.requests.length === before + 1);
    const started = Date.now();
    provider.close?.();
    assert.deepEqual(await pending, { iceServers: FALLBACK, expiresAt: null, degraded: true });
    assert.ok(Date.now() - started < 500);
    assert.equal((await provider.getIceServers(ctx)).degraded, true);
    assert.equal(standIn.requests.length, before + 1);
    standIn.answer(null);
  });

  test('the factory refuses missing credentials', () => {
    assert.throws(
      () => createTwilioIceProvider({ accountSid: ACCOUNT, fallback: [], logger: pino({ level: 'silent' }) }),
      /authToken, or apiKeySid with apiKeySecret/,
    );
  });
});

/** A Tokens body as Twilio sends it, with recognisable TURN credentials. */
function tokenLike() {
  const turn = (u: string) => ({ url: u, urls: u, username: 'refreshed-user', credential: 'refreshed-credential' });
  return {
    account_sid: ACCOUNT,
    date_created: 'Wed, 04 Sep 2024 15:02:39 +0000',
    date_updated: 'Wed, 04 Sep 2024 15:02:39 +0000',
    ice_servers: [
      { url: 'stun:global.stun.twilio.com:3478', urls: 'stun:global.stun.twilio.com:3478' },
      turn('turn:global.turn.twilio.com:3478?transport=udp'),
      turn('turn:global.turn.twilio.com:3478?transport=tcp'),
      turn('turn:global.turn.twilio.com:443?transport=tcp'),
    ],
    password: 'refreshed-credential',
    ttl: String(TTL),
    username: 'refreshed-user',
  };
}
