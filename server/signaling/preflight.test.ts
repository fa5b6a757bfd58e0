import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { mintAccessToken, UNAUTHORIZED_MESSAGE } from '../auth/access-tokens.js';
import { nextEvent, rawRequest, recordAll, startServer } from '../test-support/harness.js';

describe('preflight: the ICE servers of a room, without joining it', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  const asked: string[] = [];
  before(async () => {
    h = await startServer({
      iceProvider: {
        name: 'recording',
        async getIceServers({ room, peerId }) {
          asked.push(`${room}/${peerId}`);
          return { iceServers: [{ urls: 'turn:turn.example.test', username: 'u', credential: 'c' }], expiresAt: 1_000 };
        },
      },
    });
  });
  after(() => h.close());

  it('answers what a join would get, creates no member and tells nobody', async () => {
    const member = await h.client();
    await rawRequest(member, 'join', { room: 'pre' });
    const seen = recordAll(member);
    const probe = await h.client();
    const res = await rawRequest(probe, 'preflight', { room: 'pre' });
    assert.deepEqual(res, {
      ok: true,
      protocol: 1,
      iceServers: [{ urls: 'turn:turn.example.test', username: 'u', credential: 'c' }],
      iceServersExpireAt: 1_000,
    });
    assert.match(asked.at(-1)!, /^pre\/preflight-[0-9a-f]{16}$/, 'a one-off identity, never a member id');
    assert.equal((await h.server.rooms.members('pre')).length, 1);
    // the probe is no member: it cannot signal, and the member heard nothing
    assert.equal((await rawRequest(probe, 'signal', { to: 'x', candidate: { candidate: '' } })).error.code, 'not_joined');
    await assert.rejects(nextEvent(member, 'peer-joined', 200));
    assert.deepEqual(seen, []);
  });

  it('refuses a bad room name with bad_request', async () => {
    const res = await rawRequest(await h.client(), 'preflight', { room: '../etc' });
    assert.equal(res.error.code, 'bad_request');
  });
});

describe('preflight on a server that requires access tokens', () => {
  const SECRET = 'preflight-secret-that-is-long-enough-for-hs256';
  let h: Awaited<ReturnType<typeof startServer>>;
  const asked: string[] = [];
  before(async () => {
    h = await startServer({
      accessTokenSecret: SECRET,
      iceProvider: {
        name: 'recording',
        async getIceServers({ room }) {
          asked.push(room);
          return { iceServers: [{ urls: 'turn:turn.example.test', username: 'u', credential: 'paid' }], expiresAt: 1_000 };
        },
      },
    });
  });
  after(() => h.close());

  it('refuses a missing, wrong, expired or other-room token with unauthorized, and hands out no ICE servers', async () => {
    const probe = await h.client();
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    const sign = (claims: Record<string, unknown>, secret = SECRET) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
    const cases: [string, string | undefined][] = [
      ['no token', undefined],
      ['not a JWT', 'hello'],
      ['wrong signature', await sign({ room: 'pre', sub: 'u', exp: inAnHour }, `${SECRET}-other`)],
      ['expired', await sign({ room: 'pre', sub: 'u', exp: Math.floor(Date.now() / 1000) - 60 })],
      ['other room', await sign({ room: 'other', sub: 'u', exp: inAnHour })],
    ];
    for (const [why, token] of cases) {
      const res = await rawRequest(probe, 'preflight', token === undefined ? { room: 'pre' } : { room: 'pre', token });
      assert.equal(res.ok, false, why);
      assert.deepEqual(res.error, { code: 'unauthorized', message: UNAUTHORIZED_MESSAGE }, why);
      assert.equal(res.iceServers, undefined, why);
    }
    assert.deepEqual(asked, [], 'the provider was never asked');
    const ok = await rawRequest(probe, 'preflight', {
      room: 'pre',
      token: await mintAccessToken({ room: 'pre', sub: 'u', secret: SECRET }),
    });
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.iceServers[0].credential, 'paid');
    assert.deepEqual(asked, ['pre']);
  });
});
