import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createTwilioIceProvider } from './twilio.js';

// Against the real Twilio API (network and a Twilio account needed); skipped without credentials.
const env = process.env;
const accountSid = env.TWILIO_ACCOUNT_SID?.trim();
const authToken = env.TWILIO_AUTH_TOKEN?.trim() || undefined;
const apiKeySid = env.TWILIO_API_KEY_SID?.trim() || undefined;
const apiKeySecret = env.TWILIO_API_KEY_SECRET?.trim() || undefined;
const hasCredentials = Boolean(accountSid && (authToken || (apiKeySid && apiKeySecret)));
const skip = hasCredentials
  ? false
  : 'live Twilio test: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET) to run it';

test('real Twilio: verify() passes and a token maps to STUN + TURN servers', { skip, timeout: 30_000 }, async (t) => {
  const ttlSeconds = 600;
  const provider = createTwilioIceProvider({
    accountSid: accountSid!,
    ...(apiKeySid && apiKeySecret ? { apiKeySid, apiKeySecret } : { authToken }),
    ...(env.TWILIO_EDGE ? { edge: env.TWILIO_EDGE } : {}),
    ...(env.TWILIO_REGION ? { region: env.TWILIO_REGION } : {}),
    ttlSeconds,
    fallback: [],
    logger: pino({ level: 'silent' }),
    requestTimeoutMs: 10_000,
  });
  t.after(() => provider.close?.());

  assert.equal(await provider.verify?.(), null);
  const sentBefore = Date.now();
  const result = await provider.getIceServers({ room: 'live', peerId: 'p1' });
  assert.equal(result.degraded, undefined);
  // The token verify() fetched is reused (its life has barely begun).
  assert.ok(result.expiresAt !== null && result.expiresAt <= sentBefore + ttlSeconds * 1000);
  assert.ok(result.expiresAt > sentBefore + (ttlSeconds * 1000) / 2);

  const urls = result.iceServers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  assert.ok(
    urls.some((u) => u.startsWith('stun:')),
    'a STUN server',
  );
  assert.ok(
    urls.some((u) => /^turns?:/.test(u)),
    'a TURN server',
  );
  for (const s of result.iceServers) {
    assert.equal('url' in s, false);
    const turn = (Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => /^turns?:/.test(u));
    assert.equal(typeof s.username === 'string' && typeof s.credential === 'string', turn, String(s.urls));
  }
  assert.deepEqual(provider.health?.().ok, true);
});
