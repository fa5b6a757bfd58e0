import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createRtcServer } from '../app.js';
import { rawRequest, startServer } from '../test-support/harness.js';
import { startTwilioStandIn, type TwilioStandIn } from '../test-support/twilio-stand-in.js';
import { createIceProvider } from './select.js';
import { turnRestCredential } from './turn-rest.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const FALLBACK = [{ urls: 'stun:fallback.test:3478' }];

describe('the ICE provider chosen by createRtcServer, through a real server', () => {
  let twilio: TwilioStandIn;
  before(async () => {
    twilio = await startTwilioStandIn({ accountSid: SID, authToken: 'right-token' });
  });
  after(() => twilio.close());

  it('Twilio: join answers carry the mapped token servers and its expiry; /healthz says twilio, ok', async () => {
    const h = await startServer({
      twilio: { accountSid: SID, authToken: 'right-token', httpClient: twilio.httpClient },
      iceServers: FALLBACK,
      iceTtl: 600,
    });
    try {
      const before = Date.now();
      const joined = await rawRequest(await h.client(), 'join', { room: 'r' });
      assert.equal(joined.ok, true);
      assert.equal(joined.iceServersDegraded, undefined);
      assert.ok(joined.iceServers.length >= 2);
      assert.ok(joined.iceServers.every((s: object) => 'urls' in s && !('url' in s)));
      assert.ok(joined.iceServers.some((s: { username?: string }) => s.username));
      assert.ok(Math.abs(joined.iceServersExpireAt - (before + 600_000)) < 5_000, 'expiry from the 600 s TTL');
      assert.equal(twilio.requests.at(-1)!.form.Ttl, '600');
      const health = await (await fetch(`${h.url}/healthz`)).json();
      assert.equal(health.ice.provider, 'twilio');
      assert.equal(health.ice.ok, true);
    } finally {
      await h.close();
    }
  });

  it('Twilio with a wrong token: joins still succeed with the fallback list, flagged degraded; /healthz says why', async () => {
    const h = await startServer({
      twilio: { accountSid: SID, authToken: 'wrong-token', httpClient: twilio.httpClient },
      iceServers: FALLBACK,
    });
    try {
      const problem = await h.server.iceProvider.verify?.();
      assert.match(problem ?? '', /TWILIO_AUTH_TOKEN/);
      const joined = await rawRequest(await h.client(), 'join', { room: 'r' });
      assert.equal(joined.ok, true);
      assert.deepEqual(joined.iceServers, FALLBACK);
      assert.equal(joined.iceServersDegraded, true);
      const health = await (await fetch(`${h.url}/healthz`)).json();
      assert.equal(health.ok, true, 'the server itself is up');
      assert.equal(health.ice.provider, 'twilio');
      assert.equal(health.ice.ok, false);
      assert.match(health.ice.error, /401|20003|rejected/i);
      assert.doesNotMatch(JSON.stringify(health), /wrong-token/);
    } finally {
      await h.close();
    }
  });

  it('TURN REST: each member gets its own signed, expiring credential next to the static entries', async () => {
    const h = await startServer({ turn: { urls: ['turn:127.0.0.1:3478'], secrets: ['new', 'old'] }, iceServers: FALLBACK, iceTtl: 120 });
    try {
      const joined = await rawRequest(await h.client(), 'join', { room: 'r' });
      const turn = joined.iceServers.find((s: { username?: string }) => s.username);
      assert.deepEqual(joined.iceServers[0], FALLBACK[0]);
      const [expiry, user] = turn.username.split(':');
      assert.equal(user, joined.id);
      assert.ok(Math.abs(Number(expiry) - (Date.now() / 1000 + 120)) < 5);
      assert.equal(joined.iceServersExpireAt, Number(expiry) * 1000);
      assert.equal(turn.credential, turnRestCredential('new', turn.username));
      const health = await (await fetch(`${h.url}/healthz`)).json();
      assert.deepEqual(health.ice, { provider: 'turn-rest', ok: true });
    } finally {
      await h.close();
    }
  });

  it('refuses Twilio and TURN at once', () => {
    assert.throws(
      () =>
        createIceProvider(
          { twilio: { accountSid: SID, authToken: 't' }, turn: { urls: ['turn:x'], secrets: ['s'] } },
          pino({ level: 'silent' }),
        ),
      /either `twilio` or `turn`/,
    );
    assert.throws(
      () => createRtcServer({ turn: { urls: ['stun:x'], secrets: ['s'] }, logger: pino({ level: 'silent' }) }),
      /turn: or turns:/,
    );
  });
});
