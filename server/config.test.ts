import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';
import { DEFAULT_RATE_LIMITS } from './limits.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const KEY = `SK${'fedcba9876543210'.repeat(2)}`;

describe('loadConfig', () => {
  it('has defaults that work on a laptop', () => {
    assert.deepEqual(
      { ...loadConfig({}) },
      {
        port: 3000,
        host: '127.0.0.1',
        roomCapacity: 4,
        iceServers: [],
        ice: { kind: 'static' },
        iceTtl: 3600,
        reconnectGrace: 15,
        logLevel: 'info',
        allowedOrigins: null,
        rateLimits: DEFAULT_RATE_LIMITS,
        maxConnectionsPerIp: 50,
        trustProxy: false,
      },
    );
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      ROOM_CAPACITY: '4',
      ICE_SERVERS: '[{"urls":["stun:a.test:3478"]},{"urls":"turn:b.test","username":"u","credential":"p"}]',
      LOG_LEVEL: 'warn',
      REDIS_URL: 'redis://:secret@redis.internal:6379/2',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.redisUrl, 'redis://:secret@redis.internal:6379/2');
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.roomCapacity, 4);
    assert.deepEqual(config.iceServers, [{ urls: ['stun:a.test:3478'] }, { urls: 'turn:b.test', username: 'u', credential: 'p' }]);
    assert.equal(config.logLevel, 'warn');
    assert.ok(Object.isFrozen(config));
  });

  it('picks Twilio with an auth token or an API key, with edge and region', () => {
    assert.deepEqual(loadConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'tok', ICE_TTL: '600' }).ice, {
      kind: 'twilio',
      twilio: { accountSid: SID, authToken: 'tok' },
    });
    const keyed = loadConfig({
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_API_KEY_SID: KEY,
      TWILIO_API_KEY_SECRET: 'sec',
      TWILIO_EDGE: 'dublin',
      TWILIO_REGION: 'ie1',
    });
    assert.deepEqual(keyed.ice, { kind: 'twilio', twilio: { accountSid: SID, apiKeySid: KEY, apiKeySecret: 'sec', edge: 'dublin', region: 'ie1' } });
    assert.equal(loadConfig({ ICE_TTL: '600' }).iceTtl, 600);
  });

  it('picks TURN REST from comma-separated TURN_URLS and TURN_SECRET (the first secret signs)', () => {
    const config = loadConfig({ TURN_URLS: 'turn:t.test:3478?transport=udp, turns:t.test:5349', TURN_SECRET: 'new,old' });
    assert.deepEqual(config.ice, {
      kind: 'turn-rest',
      turn: { urls: ['turn:t.test:3478?transport=udp', 'turns:t.test:5349'], secrets: ['new', 'old'] },
    });
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT/],
    [{ PORT: '70000' }, /^PORT/],
    [{ ROOM_CAPACITY: '1' }, /^ROOM_CAPACITY/],
    [{ ROOM_CAPACITY: '9' }, /^ROOM_CAPACITY/],
    [{ ROOM_CAPACITY: '2.5' }, /^ROOM_CAPACITY/],
    [{ ICE_SERVERS: 'not json' }, /^ICE_SERVERS/],
    [{ ICE_SERVERS: '{"urls":"stun:x"}' }, /^ICE_SERVERS/],
    [{ ICE_SERVERS: '[{"url":"stun:x"}]' }, /use 'urls'/],
    [{ ICE_SERVERS: '[{"urls":"http://x"}]' }, /^ICE_SERVERS\[0\.urls\]/],
    [{ ICE_SERVERS: '[{"urls":[]}]' }, /^ICE_SERVERS/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL/],
    [{ HOST: 'my host' }, /^HOST must be an IP address or a host name/],
    [{ ICE_TTL: '10' }, /^ICE_TTL/],
    [{ ICE_TTL: '90000' }, /^ICE_TTL/],
    [{ RECONNECT_GRACE: '-1' }, /^RECONNECT_GRACE/],
    [{ RECONNECT_GRACE: '301' }, /^RECONNECT_GRACE/],
    [{ REDIS_URL: 'http://redis:6379' }, /^REDIS_URL .*http:/],
    [{ REDIS_URL: 'not a url' }, /^REDIS_URL/],
    [{ TWILIO_AUTH_TOKEN: 'x' }, /^TWILIO_ACCOUNT_SID is required/],
    [{ TWILIO_ACCOUNT_SID: 'nope', TWILIO_AUTH_TOKEN: 'x' }, /^TWILIO_ACCOUNT_SID must be/],
    [{ TWILIO_ACCOUNT_SID: SID }, /needs TWILIO_AUTH_TOKEN/],
    [{ TWILIO_ACCOUNT_SID: SID, TWILIO_API_KEY_SID: KEY }, /go together/],
    [{ TWILIO_ACCOUNT_SID: SID, TWILIO_API_KEY_SID: 'SKx', TWILIO_API_KEY_SECRET: 's' }, /^TWILIO_API_KEY_SID must be/],
    [{ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 't', TWILIO_EDGE: 'Dublin!' }, /^TWILIO_EDGE/],
    [{ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 't', TURN_URLS: 'turn:x', TURN_SECRET: 's' }, /not both/],
    [{ TURN_URLS: 'turn:x' }, /TURN_SECRET is empty/],
    [{ TURN_SECRET: 's' }, /TURN_URLS is empty/],
    [{ TURN_URLS: 'turn:a,stun:b', TURN_SECRET: 's' }, /^TURN_URLS: 'stun:b'/],
  ];
  // The exact line an operator reads (main.ts prints it after `rtc-room: `).
  const exact: [Record<string, string>, string][] = [
    [{ RATE_LIMIT_SIGNAL: 'abc' }, "RATE_LIMIT_SIGNAL must be COUNT/SECONDS, e.g. 500/10 (got 'abc')"],
    [{ RATE_LIMIT_SIGNAL: '0/10' }, "RATE_LIMIT_SIGNAL must be COUNT/SECONDS, e.g. 500/10 (got '0/10')"],
    [{ RATE_LIMIT_SIGNAL: '500/0' }, "RATE_LIMIT_SIGNAL must be COUNT/SECONDS, e.g. 500/10 (got '500/0')"],
    [{ RATE_LIMIT_MEDIA_STATE_PER_IP: '10' }, "RATE_LIMIT_MEDIA_STATE_PER_IP must be COUNT/SECONDS, e.g. 500/10 (got '10')"],
    [{ MAX_CONNECTIONS_PER_IP: '0' }, "MAX_CONNECTIONS_PER_IP must be an integer from 1 to 1000000 (got '0')"],
    [{ ACCESS_TOKEN_SECRET: 'short' }, 'ACCESS_TOKEN_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)'],
    [{ ACCESS_TOKEN_SECRET: 'x'.repeat(31) }, 'ACCESS_TOKEN_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)'],
    [{ ACCESS_TOKEN_PUBLIC_KEY: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE' }, 'ACCESS_TOKEN_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY----- …)'],
    [{ ALLOWED_ORIGINS: 'https://ok.test, not an origin' }, "ALLOWED_ORIGINS: 'not an origin' is not an origin such as https://app.example.com"],
    [{ TRUST_PROXY: 'maybe' }, "TRUST_PROXY must be 1, true or yes to turn it on, or 0, false or no (got 'maybe')"],
    [{ TRUST_PROXY: '2' }, "TRUST_PROXY must be 1, true or yes to turn it on, or 0, false or no (got '2')"],
  ];
  for (const [env, message] of exact) {
    it(`refuses ${JSON.stringify(env)}: ${message}`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.message === message);
    });
  }

  it('reads TRUST_PROXY as 1/true/yes or 0/false/no, in any case', () => {
    for (const on of ['1', 'true', 'TRUE', 'yes', ' Yes ']) assert.equal(loadConfig({ TRUST_PROXY: on }).trustProxy, true, on);
    for (const off of ['', '0', 'false', 'No']) assert.equal(loadConfig({ TRUST_PROXY: off }).trustProxy, false, off);
  });

  it('reads the rate limits, connection cap, keys and origins', () => {
    const config = loadConfig({
      RATE_LIMIT_SIGNAL: ' 800 / 5 ',
      RATE_LIMIT_JOIN_PER_IP: '100/30',
      MAX_CONNECTIONS_PER_IP: '500',
      ACCESS_TOKEN_SECRET: 's'.repeat(32),
      ALLOWED_ORIGINS: 'https://app.test, http://localhost:3000',
    });
    assert.deepEqual(config.rateLimits.signal, { perSocket: { points: 800, duration: 5 }, perIp: DEFAULT_RATE_LIMITS.signal.perIp });
    assert.deepEqual(config.rateLimits.join.perIp, { points: 100, duration: 30 });
    assert.equal(config.maxConnectionsPerIp, 500);
    assert.equal(config.accessTokenSecret, 's'.repeat(32));
    assert.deepEqual(config.allowedOrigins, ['https://app.test', 'http://localhost:3000']);
  });

  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with a ConfigError naming the variable`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }
});
