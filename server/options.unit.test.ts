import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { DEFAULT_RATE_LIMITS } from './limits.js';
import { fillNames, mainIssue, optionName } from './option-messages.js';
import { DEFAULTS, optionsSchema, parseOptions } from './options.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const KEY = `SK${'fedcba9876543210'.repeat(2)}`;

/** The TypeError parseOptions throws for `options`, or fails. */
function refusal(options: object): string {
  try {
    parseOptions(options);
  } catch (error) {
    assert.ok(error instanceof TypeError, `a TypeError, not ${String(error)}`);
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(options)}`);
}

describe('options schema', () => {
  it('fills in every default from DEFAULTS', () => {
    const settings = parseOptions({});
    assert.equal(settings.roomCapacity, DEFAULTS.roomCapacity);
    assert.equal(settings.reconnectGrace, DEFAULTS.reconnectGrace);
    assert.equal(settings.iceTtl, DEFAULTS.iceTtl);
    assert.equal(settings.maxConnectionsPerIp, DEFAULTS.maxConnectionsPerIp);
    assert.equal(settings.trustProxy, false);
    assert.equal(settings.metrics, undefined, 'settled by createRtcServer: on standalone, off when attached');
    assert.equal(settings.path, '/socket.io');
    assert.deepEqual(settings.iceServers, []);
  });

  it('takes the rate-limit defaults from the limiter', () => {
    assert.equal(DEFAULTS.rateLimits, DEFAULT_RATE_LIMITS);
  });

  it('takes a packet budget or false, and a queue bound of at least one largest message', () => {
    assert.deepEqual(parseOptions({}).packetBudget, DEFAULTS.packetBudget);
    assert.equal(parseOptions({}).maxQueuedBytes, 1024 * 1024);
    assert.equal(parseOptions({ packetBudget: false }).packetBudget, false);
    assert.deepEqual(parseOptions({ packetBudget: { points: 50, duration: 1 } }).packetBudget, { points: 50, duration: 1 });
    assert.match(
      refusal({ packetBudget: { points: 0, duration: 1 } }),
      /^createRtcServer: packetBudget\.points must be a positive integer/,
    );
    assert.equal(refusal({ maxQueuedBytes: 1024 }), 'createRtcServer: maxQueuedBytes must be an integer from 65536 to 1073741824');
  });

  it('refuses a capacity outside 2..8 or not whole, naming roomCapacity', () => {
    for (const roomCapacity of [1, 9, 2.5, Number.NaN]) {
      assert.equal(refusal({ roomCapacity }), 'createRtcServer: roomCapacity must be an integer from 2 to 8', String(roomCapacity));
    }
  });

  it('refuses a capacity given as a string (options are not coerced)', () => {
    assert.match(refusal({ roomCapacity: '3' }), /^createRtcServer: roomCapacity must be an integer/);
  });

  it('takes a fractional grace period, and refuses one outside 0..300 s', () => {
    assert.equal(parseOptions({ reconnectGrace: 0.2 }).reconnectGrace, 0.2);
    assert.equal(parseOptions({ reconnectGrace: 0 }).reconnectGrace, 0);
    for (const reconnectGrace of [-1, 301]) {
      assert.equal(refusal({ reconnectGrace }), 'createRtcServer: reconnectGrace must be from 0 to 300 seconds');
    }
  });

  it('refuses corsOrigin, present even as undefined, pointing to allowedOrigins', () => {
    assert.match(refusal({ corsOrigin: undefined }), /corsOrigin.*allowedOrigins/);
  });

  it('normalises allowed origins, and refuses one with a path', () => {
    assert.deepEqual(parseOptions({ allowedOrigins: ['https://App.example.com/'] }).allowedOrigins, ['https://app.example.com']);
    assert.equal(
      refusal({ allowedOrigins: ['https://ok.test', 'https://x.test/app'] }),
      "createRtcServer: allowedOrigins: 'https://x.test/app' is not an origin such as https://app.example.com",
    );
  });

  it("refuses a TURN URL that is not turn: or turns:, naming the entry's list", () => {
    assert.equal(
      refusal({ turn: { urls: ['stun:x'], secrets: ['s'] } }),
      "createRtcServer: turn.urls: 'stun:x' is not a turn: or turns: URL",
    );
  });

  it('refuses Twilio and TURN together', () => {
    assert.equal(
      refusal({ twilio: { accountSid: SID, authToken: 't' }, turn: { urls: ['turn:x'], secrets: ['s'] } }),
      'createRtcServer: Set either twilio or turn, not both',
    );
  });

  it('needs a Twilio auth token or a complete API key', () => {
    assert.match(refusal({ twilio: { accountSid: SID } }), /twilio\.accountSid needs twilio\.authToken/);
    assert.match(refusal({ twilio: { accountSid: SID, apiKeySid: KEY } }), /twilio\.apiKeySid and twilio\.apiKeySecret go together/);
    assert.ok(parseOptions({ twilio: { accountSid: SID, apiKeySid: KEY, apiKeySecret: 's' } }).twilio);
  });

  it('keeps a Twilio HTTP client given for tests', () => {
    const httpClient = { request: async () => ({}) } as never;
    assert.equal(parseOptions({ twilio: { accountSid: SID, authToken: 't', httpClient } }).twilio?.httpClient, httpClient);
  });

  it("refuses an ICE server with the removed 'url' key", () => {
    assert.match(refusal({ iceServers: [{ url: 'stun:x' }] as never }), /^createRtcServer: iceServers: 'url' was removed/);
  });

  it('takes a Redis URL or options, keeping the options the store reads', () => {
    assert.equal(parseOptions({ redis: 'rediss://r.test:6380' }).redis, 'rediss://r.test:6380');
    assert.deepEqual(parseOptions({ redis: { url: 'redis://r.test', sweepMs: 50 } }).redis, { url: 'redis://r.test', sweepMs: 50 });
  });

  it('refuses a Redis URL of another scheme without repeating it (it may hold a password)', () => {
    const message = refusal({ redis: 'http://user:secret@r.test' });
    assert.equal(message, 'createRtcServer: redis must be a redis:// or rediss:// URL (got a http: URL)');
  });

  it('names the limit at fault in partial rate limits, and takes false', () => {
    assert.match(
      refusal({ rateLimits: { signal: { perSocket: { points: 0, duration: 1 } } } }),
      /^createRtcServer: rateLimits\.signal\.perSocket\.points must be a positive integer/,
    );
    assert.equal(parseOptions({ rateLimits: false }).rateLimits, false);
  });

  it('passes objects the caller made through as the same objects', () => {
    const logger = pino({ level: 'silent' });
    const iceProvider = { name: 'mine', getIceServers: async () => ({ iceServers: [], expiresAt: null }) };
    const settings = parseOptions({ logger, iceProvider });
    assert.equal(settings.logger, logger);
    assert.equal(settings.iceProvider, iceProvider);
  });

  it('refuses an access-token secret shorter than 32 characters', () => {
    assert.match(refusal({ accessTokenSecret: 'short' }), /^createRtcServer: accessTokenSecret must be at least 32 characters/);
  });

  it('is the schema parseOptions uses (same verdicts)', () => {
    for (const input of [{ roomCapacity: 3 }, { roomCapacity: 30 }, { iceTtl: 10 }, { maxConnectionsPerIp: 0 }]) {
      let threw = false;
      try {
        parseOptions(input);
      } catch {
        threw = true;
      }
      assert.equal(!threw, optionsSchema.safeParse(input).success, JSON.stringify(input));
    }
  });
});

describe('option names in messages', () => {
  it('names a field inside a list entry with the index in brackets', () => {
    assert.equal(optionName(['iceServers', 0, 'urls']), 'iceServers[0.urls]');
  });

  it('names a list entry by its list', () => {
    assert.equal(optionName(['turn', 'urls', 3]), 'turn.urls');
  });

  it('fills {} with the path and {a.b} with another name', () => {
    assert.equal(
      fillNames('{} needs {twilio.authToken}', ['twilio', 'accountSid'], optionName),
      'twilio.accountSid needs twilio.authToken',
    );
  });

  it('puts the name before a message that has no place for it', () => {
    assert.equal(fillNames('Invalid input', ['iceTtl'], optionName), 'iceTtl: Invalid input');
  });

  it('reports the union member a value came closest to', () => {
    const result = optionsSchema.safeParse({ rateLimits: { join: { perIp: { points: 1, duration: -1 } } } });
    assert.ok(!result.success);
    assert.deepEqual(mainIssue(result.error.issues).path, ['rateLimits', 'join', 'perIp', 'duration']);
  });
});

describe('options left empty', () => {
  it('takes an empty access-token secret or key as no tokens, as an unset variable passed through would be', () => {
    const settings = parseOptions({ accessTokenSecret: '', accessTokenPublicKey: '' });
    assert.ok(!settings.accessTokenSecret && !settings.accessTokenPublicKey);
  });

  it('takes undefined for every optional option', () => {
    assert.doesNotThrow(() => parseOptions({ accessTokenSecret: undefined, twilio: undefined, redis: undefined, iceServers: undefined }));
  });
});
