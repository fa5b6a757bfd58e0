import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES, ConfigError, environmentSchema, loadConfig, readEnvironment, serverOptions } from './config.js';
import { helpText } from './help.js';
import { DEFAULTS, parseOptions } from './options.js';
import { DEFAULT_PACKET_BUDGET, DEFAULT_RATE_LIMITS } from './limits.js';

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
        packetBudget: DEFAULT_PACKET_BUDGET,
        maxQueuedBytes: 1024 * 1024,
        trustProxy: false,
        path: '/socket.io',
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
    assert.deepEqual(keyed.ice, {
      kind: 'twilio',
      twilio: { accountSid: SID, apiKeySid: KEY, apiKeySecret: 'sec', edge: 'dublin', region: 'ie1' },
    });
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
    [{ PACKET_BUDGET: 'lots' }, "PACKET_BUDGET must be COUNT/SECONDS, e.g. 1000/10, or off (got 'lots')"],
    [{ PACKET_BUDGET: '0/10' }, "PACKET_BUDGET must be COUNT/SECONDS, e.g. 1000/10, or off (got '0/10')"],
    [{ MAX_QUEUED_BYTES: '1000' }, "MAX_QUEUED_BYTES must be an integer from 65536 to 1073741824 (got '1000')"],
    [{ ACCESS_TOKEN_SECRET: 'short' }, 'ACCESS_TOKEN_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)'],
    [{ ACCESS_TOKEN_SECRET: 'x'.repeat(31) }, 'ACCESS_TOKEN_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)'],
    [
      { ACCESS_TOKEN_PUBLIC_KEY: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE' },
      'ACCESS_TOKEN_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY----- …)',
    ],
    [
      { ALLOWED_ORIGINS: 'https://ok.test, not an origin' },
      "ALLOWED_ORIGINS: 'not an origin' is not an origin such as https://app.example.com",
    ],
    [{ TRUST_PROXY: 'maybe' }, "TRUST_PROXY must be 1, true or yes to turn it on, or 0, false or no (got 'maybe')"],
    [{ TRUST_PROXY: '2' }, "TRUST_PROXY must be 1, true or yes to turn it on, or 0, false or no (got '2')"],
  ];
  for (const [env, message] of exact) {
    it(`refuses ${JSON.stringify(env)}: ${message}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && error.message === message,
      );
    });
  }

  it('reads TRUST_PROXY as 1/true/yes or 0/false/no, in any case', () => {
    for (const on of ['1', 'true', 'TRUE', 'yes', ' Yes ']) assert.equal(loadConfig({ TRUST_PROXY: on }).trustProxy, true, on);
    for (const off of ['', '0', 'false', 'No']) assert.equal(loadConfig({ TRUST_PROXY: off }).trustProxy, false, off);
  });

  it('reads the packet budget as COUNT/SECONDS or off, and the queue bound in bytes', () => {
    assert.deepEqual(loadConfig({ PACKET_BUDGET: '2000/5' }).packetBudget, { points: 2000, duration: 5 });
    for (const off of ['off', 'OFF', '0', 'false', 'no']) assert.equal(loadConfig({ PACKET_BUDGET: off }).packetBudget, false, off);
    assert.equal(loadConfig({ MAX_QUEUED_BYTES: '4194304' }).maxQueuedBytes, 4_194_304);
    assert.equal(serverOptions(readEnvironment({ PACKET_BUDGET: 'off' })).packetBudget, false);
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
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});

/** A value each variable refuses (the message must then name it), for the table test below. */
const REFUSED: Record<string, string> = {
  HOST: 'my host',
  TURN_URLS: 'stun:x',
  TWILIO_ACCOUNT_SID: 'nope',
  TWILIO_EDGE: 'Bad!',
  TWILIO_REGION: 'Bad!',
};

describe('environment -> options', () => {
  it('reads every variable of the table: a bad value is refused in its name', () => {
    for (const { name } of CONFIG_VARIABLES) {
      const env: Record<string, string> = { [name]: REFUSED[name] ?? 'x' };
      if (name === 'TURN_URLS') env.TURN_SECRET = 's';
      if (name === 'TURN_SECRET') continue; // any secret is a secret; TURN_URLS covers the pair
      if (name.startsWith('TWILIO_') && name !== 'TWILIO_ACCOUNT_SID') env.TWILIO_ACCOUNT_SID = SID;
      if (name === 'TWILIO_AUTH_TOKEN' || name === 'TWILIO_API_KEY_SECRET') continue; // free text
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && error.message.includes(name),
        name,
      );
    }
  });

  it('lists each variable once, with the default the schema fills in', () => {
    const names = CONFIG_VARIABLES.map((v) => v.name);
    assert.equal(new Set(names).size, names.length);
    const byName = new Map(CONFIG_VARIABLES.map((v) => [v.name, v.default]));
    assert.equal(byName.get('ROOM_CAPACITY'), String(DEFAULTS.roomCapacity));
    assert.equal(byName.get('RECONNECT_GRACE'), String(DEFAULTS.reconnectGrace));
    assert.equal(
      byName.get('RATE_LIMIT_SIGNAL'),
      `${DEFAULT_RATE_LIMITS.signal.perSocket.points}/${DEFAULT_RATE_LIMITS.signal.perSocket.duration}`,
    );
  });

  it('puts every variable in --help', () => {
    const help = helpText();
    for (const { name } of CONFIG_VARIABLES) assert.match(help, new RegExp(`^  ${name} `, 'm'), name);
  });

  it('treats an empty or blank variable as unset', () => {
    assert.equal(loadConfig({ ROOM_CAPACITY: '', PORT: '  ' }).roomCapacity, DEFAULTS.roomCapacity);
    assert.equal(loadConfig({ PORT: '  ' }).port, DEFAULTS.port);
  });

  it('checks capacity with the same rule createRtcServer applies', () => {
    for (const value of ['1', '2', '8', '9', '2.5']) {
      const fromEnv = (() => {
        try {
          return loadConfig({ ROOM_CAPACITY: value }).roomCapacity;
        } catch {
          return 'refused';
        }
      })();
      const fromOptions = (() => {
        try {
          return parseOptions({ roomCapacity: Number(value) }).roomCapacity;
        } catch {
          return 'refused';
        }
      })();
      assert.equal(fromEnv, fromOptions, value);
    }
  });

  it('takes a fractional RECONNECT_GRACE, as createRtcServer does', () => {
    assert.equal(loadConfig({ RECONNECT_GRACE: '0.5' }).reconnectGrace, 0.5);
  });

  it('never repeats a refused secret in the message', () => {
    for (const [name, value] of [
      ['ACCESS_TOKEN_SECRET', 'tooshort-secret'],
      ['REDIS_URL', 'http://user:pw-in-url@redis.test'],
      ['TWILIO_ACCOUNT_SID', 'ACsecretish'],
    ] as const) {
      const env: Record<string, string> = { [name]: value, ...(name === 'TWILIO_ACCOUNT_SID' ? { TWILIO_AUTH_TOKEN: 't' } : {}) };
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && !error.message.includes(value),
        name,
      );
    }
  });

  it('takes a secret as it is, spaces included', () => {
    const secret = ` ${'s'.repeat(32)} `;
    assert.equal(loadConfig({ ACCESS_TOKEN_SECRET: secret }).accessTokenSecret, secret);
  });

  it('gives createRtcServer options without the CLI-only port, host and log level', () => {
    const options = serverOptions(readEnvironment({ PORT: '8080', HOST: '0.0.0.0', LOG_LEVEL: 'warn', ROOM_CAPACITY: '3' }));
    assert.equal(options.roomCapacity, 3);
    for (const key of ['port', 'host', 'logLevel']) assert.ok(!(key in options), key);
    assert.doesNotThrow(() => parseOptions(options));
  });

  it('maps REDIS_URL to the redis option', () => {
    assert.equal(serverOptions(readEnvironment({ REDIS_URL: 'redis://r.test:6379' })).redis, 'redis://r.test:6379');
  });

  it('is one zod schema: environmentSchema parses the environment itself', () => {
    const parsed = environmentSchema.safeParse({ ROOM_CAPACITY: '6', TRUST_PROXY: 'yes' });
    assert.ok(parsed.success);
    assert.equal(parsed.data.roomCapacity, 6);
    assert.equal(parsed.data.trustProxy, true);
    assert.equal(environmentSchema.safeParse({ ROOM_CAPACITY: 'six' }).success, false);
  });

  it('keeps only the API key when Twilio has both an auth token and a key', () => {
    const config = loadConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 't', TWILIO_API_KEY_SID: KEY, TWILIO_API_KEY_SECRET: 's' });
    assert.deepEqual(config.ice, { kind: 'twilio', twilio: { accountSid: SID, apiKeySid: KEY, apiKeySecret: 's' } });
  });
});
