// `refresh-token` against a real server: a member hands over a fresh access token mid-call and gets
// fresh TURN credentials that end with it. Written as attacks too: a token of another identity,
// another room, or another `publish` must not move the seat's expiry or hand out credentials.
import assert from 'node:assert/strict';
import { createSecretKey } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { mintAccessToken } from '../auth/access-tokens.js';
import type { RtcServerOptions } from '../app.js';
import { rawRequest, startServer, type TestClient } from '../test-support/harness.js';

const SECRET = 'refresh-token-test-secret-long-enough!!';
const TURN = { urls: ['turn:127.0.0.1:3478'], secrets: ['turn-secret'] };
let roomSeq = 0;
const room = () => `refresh-${process.pid}-${++roomSeq}`;
const token = (room: string, sub: string, ttl = 3600, publish?: false) =>
  mintAccessToken({ room, sub, ttl, secret: SECRET, ...(publish === false ? { publish } : {}) });
const expOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).exp as number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The expiry (Unix seconds) in the TURN REST username of an answer with ICE servers. */
const turnExpiry = (answer: { iceServers?: { username?: string }[] }) => {
  const username = answer.iceServers?.find((s) => s.username)?.username;
  assert.ok(username, `a TURN entry with a username in ${JSON.stringify(answer)}`);
  return Number(username.split(':')[0]);
};

describe('refresh-token', () => {
  const servers: { close(): Promise<void> }[] = [];
  const start = async (options: RtcServerOptions = {}) => {
    const h = await startServer({ accessTokenSecret: SECRET, turn: TURN, iceTtl: 86_400, ...options });
    servers.push(h);
    return h;
  };
  after(() => Promise.all(servers.map((s) => s.close())));

  /** A member of a new room with a short-lived token of `sub`. */
  const member = async (h: Awaited<ReturnType<typeof start>>, sub = 'ada', ttl = 60) => {
    const name = room();
    const socket = await h.client();
    const joined = await rawRequest(socket, 'join', { room: name, token: await token(name, sub, ttl) });
    assert.equal(joined.ok, true, JSON.stringify(joined));
    return { socket, name, joined };
  };

  it('answers fresh ICE servers whose TURN credentials end with the new token, and ice-servers follows it', async () => {
    const h = await start();
    const { socket, name, joined } = await member(h);
    const fresh = await token(name, 'ada', 600);
    const answer = await rawRequest(socket, 'refresh-token', { token: fresh });
    assert.equal(answer.ok, true, JSON.stringify(answer));
    const exp = expOf(fresh);
    assert.ok(turnExpiry(answer) > turnExpiry(joined) + 500, 'later than the first token’s credentials');
    assert.ok(turnExpiry(answer) >= exp && turnExpiry(answer) <= exp + 5, `TURN expiry ${turnExpiry(answer)}, token exp ${exp}`);
    assert.equal(answer.iceServersExpireAt, turnExpiry(answer) * 1000);
    // The seat counts its expiry from the new token now.
    assert.ok(turnExpiry(await rawRequest(socket, 'ice-servers')) >= exp);
  });

  it('brings back a member whose token expired: ice-servers is refused before, answered after', async () => {
    const h = await start();
    const name = room();
    // Expired 4 s ago: still inside the 5 s the server allows for clock skew, so it joins, for about a second.
    const nearlyGone = await new SignJWT({ room: name })
      .setSubject('ada')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 4)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(createSecretKey(Buffer.from(SECRET)));
    const socket = await h.client();
    assert.equal((await rawRequest(socket, 'join', { room: name, token: nearlyGone })).ok, true);
    await sleep(1_100);
    assert.equal((await rawRequest(socket, 'ice-servers')).error?.code, 'unauthorized');
    assert.equal((await rawRequest(socket, 'refresh-token', { token: await token(name, 'ada') })).ok, true);
    assert.equal((await rawRequest(socket, 'ice-servers')).ok, true);
  });

  it('refuses a token of another identity with a clear message, and the seat keeps its old expiry', async () => {
    const h = await start();
    const { socket, name, joined } = await member(h);
    const answer = await rawRequest(socket, 'refresh-token', { token: await token(name, 'mallory', 86_400) });
    assert.equal(answer.error?.code, 'unauthorized', JSON.stringify(answer));
    assert.match(answer.error.message, /another identity/);
    assert.equal(turnExpiry(await rawRequest(socket, 'ice-servers')), turnExpiry(joined), 'the expiry did not move');
  });

  it('refuses a token for another room, a forged one, and one that changes publish', async () => {
    const h = await start();
    const { socket, name, joined } = await member(h);
    const otherRoom = await rawRequest(socket, 'refresh-token', { token: await token(room(), 'ada', 86_400) });
    assert.equal(otherRoom.error?.code, 'unauthorized');
    const forged = await mintAccessToken({ room: name, sub: 'ada', ttl: 86_400, secret: 'another-secret-that-is-long-enough!!!' });
    assert.equal((await rawRequest(socket, 'refresh-token', { token: forged })).error?.code, 'unauthorized');
    const viewer = await rawRequest(socket, 'refresh-token', { token: await token(name, 'ada', 86_400, false) });
    assert.equal(viewer.error?.code, 'unauthorized');
    assert.match(viewer.error.message, /send media/);
    assert.equal(turnExpiry(await rawRequest(socket, 'ice-servers')), turnExpiry(joined), 'the expiry did not move');
  });

  it('is for members only, and its payload is strict', async () => {
    const h = await start();
    const name = room();
    const stranger = await h.client();
    assert.equal((await rawRequest(stranger, 'refresh-token', { token: await token(name, 'ada') })).error?.code, 'not_joined');
    const { socket } = await member(h);
    for (const bad of [{}, { token: '' }, { token: 'x'.repeat(4_097) }, { token: 'a.b.c', room: name }, 'a.b.c']) {
      assert.equal((await rawRequest(socket, 'refresh-token', bad)).error?.code, 'bad_request', JSON.stringify(bad).slice(0, 40));
    }
  });

  it('is rate limited per socket (5 a minute by default)', async () => {
    const h = await start({ rateLimits: {} });
    const { socket, name } = await member(h);
    const fresh = await token(name, 'ada', 600);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await rawRequest(socket, 'refresh-token', { token: fresh });
      codes.push(answer.ok ? 'ok' : answer.error.code);
    }
    assert.deepEqual(codes, ['ok', 'ok', 'ok', 'ok', 'ok', 'rate_limited']);
  });

  it('without access tokens, hands out fresh ICE servers to members (the token is not looked at)', async () => {
    const h = await start({ accessTokenSecret: undefined });
    const socket: TestClient = await h.client();
    assert.equal((await rawRequest(socket, 'join', { room: room() })).ok, true);
    const answer = await rawRequest(socket, 'refresh-token', { token: 'not-even-a-jwt' });
    assert.equal(answer.ok, true);
    assert.ok(turnExpiry(answer) > Date.now() / 1000 + 86_000);
  });
});
