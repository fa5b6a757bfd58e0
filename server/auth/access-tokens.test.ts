import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { nextEvent, rawRequest, recordAll, startServer, type TestClient } from '../test-support/harness.js';
import { sdpSending, sdpSendsMedia } from '../sdp.js';
import { createAccessTokenVerifier, mintAccessToken, roomGranted, UNAUTHORIZED_MESSAGE } from './access-tokens.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256!';
const OTHER_SECRET = 'another-secret-that-is-long-enough-for-hs256';
const ec = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};
const SENDRECV =
  'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendrecv\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=sendrecv\r\n';
const RECVONLY = SENDRECV.replaceAll('a=sendrecv', 'a=recvonly');
let seq = 0;
const room = (prefix = 'tok') => `${prefix}-${process.pid}-${++seq}`;
const join = (socket: TestClient, body: unknown) => rawRequest(socket, 'join', body);
const hs = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

function assertUnauthorized(res: any, why: string) {
  assert.equal(res.ok, false, why);
  assert.deepEqual(res.error, { code: 'unauthorized', message: UNAUTHORIZED_MESSAGE }, `${why}: one code, one message`);
}

describe('access tokens: HS256 (ACCESS_TOKEN_SECRET)', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    h = await startServer({ accessTokenSecret: SECRET });
  });
  after(() => h.close());

  it('refuses a join without token, with a wrong signature, expired, for another room, or otherwise bad; all alike', async () => {
    const name = room();
    const c = await h.client();
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ room: name, sub: 'u', exp: inAnHour() })).toString('base64url')}.`;
    const es = ec();
    const cases: [string, unknown][] = [
      ['no token', undefined],
      ['empty token', ''],
      ['not a JWT', 'hello'],
      ['wrong signature', await hs({ room: name, sub: 'u', exp: inAnHour() }, OTHER_SECRET)],
      ['expired', await hs({ room: name, sub: 'u', exp: now - 60 })],
      ['other room', await hs({ room: `${name}-x`, sub: 'u', exp: inAnHour() })],
      ['prefix of another room', await hs({ room: 'zzz-*', sub: 'u', exp: inAnHour() })],
      ['no exp', await hs({ room: name, sub: 'u' })],
      ['no sub', await hs({ room: name, exp: inAnHour() })],
      ['empty sub', await hs({ room: name, sub: '', exp: inAnHour() })],
      ['sub with a bidi override', await hs({ room: name, sub: 'admin\u202e', exp: inAnHour() })],
      ['sub with a zero-width space', await hs({ room: name, sub: 'ad\u200bmin', exp: inAnHour() })],
      ['sub with a line break', await hs({ room: name, sub: 'u\nforged: yes', exp: inAnHour() })],
      ['sub with a NUL', await hs({ room: name, sub: 'u\u0000', exp: inAnHour() })],
      ['sub of 257 characters', await hs({ room: name, sub: 'u'.repeat(257), exp: inAnHour() })],
      ['sub not a string', await hs({ room: name, sub: 7, exp: inAnHour() })],
      ['no room', await hs({ sub: 'u', exp: inAnHour() })],
      ['room of wrong type', await hs({ room: [name], sub: 'u', exp: inAnHour() })],
      ['not yet valid', await hs({ room: name, sub: 'u', exp: inAnHour(), nbf: now + 600 })],
      ['alg none', unsigned],
      ['ES256 on an HS256 server', await mintAccessToken({ room: name, sub: 'u', privateKey: es.privateKey })],
    ];
    for (const [why, token] of cases) {
      assertUnauthorized(await join(c, token === undefined ? { room: name } : { room: name, token }), why);
    }
    assert.equal(h.server.counters.unauthorized, cases.length);
    assert.deepEqual(await h.server.rooms.stats(), { rooms: 0, peers: 0 }, 'nobody was admitted');
  });

  it('admits a valid token; sub and name come from the token and the others see them', async () => {
    const name = room();
    const [a, b] = [await h.client(), await h.client()];
    const first = await join(a, {
      room: name,
      name: 'I say I am Bob',
      token: await mintAccessToken({ room: name, sub: 'user-1', name: 'Ada\u202e', secret: SECRET }),
    });
    assert.equal(first.ok, true, JSON.stringify(first));
    assert.equal(first.name, 'Ada', "the token's name wins, cleaned");
    assert.equal(first.sub, 'user-1');
    assert.equal(first.publish, undefined);
    assert.match(first.id, /^[A-Za-z0-9_-]{22}$/, 'the member id is still made by the server (from its resume token), never the token sub');
    const heard = nextEvent(a, 'peer-joined');
    const second = await join(b, { room: name, name: 'Bob', token: await mintAccessToken({ room: name, sub: 'user-2', secret: SECRET }) });
    assert.equal(second.ok, true);
    assert.deepEqual(second.peers, [{ id: first.id, name: 'Ada', sub: 'user-1' }]);
    assert.deepEqual(await heard, { id: second.id, name: 'Bob', sub: 'user-2' }, "no name in the token: the page's name");
  });

  it('a sub with spaces, accents and emoji is fine; mintAccessToken refuses one with control or format characters', async () => {
    const name = room();
    const sub = "Zoë O'Brien 🙂 user@example.com";
    const res = await join(await h.client(), { room: name, token: await hs({ room: name, sub, exp: inAnHour() }) });
    assert.equal(res.sub, sub);
    await assert.rejects(mintAccessToken({ room: name, sub: 'u\u202e', secret: SECRET }), TypeError);
    await assert.rejects(mintAccessToken({ room: name, sub: 'x'.repeat(257), secret: SECRET }), TypeError);
  });

  it("ice-servers: refused with unauthorized once the member's token has expired", async () => {
    const name = room();
    const [fresh, expiring] = [await h.client(), await h.client()];
    assert.equal((await join(fresh, { room: name, token: await mintAccessToken({ room: name, sub: 'f', secret: SECRET }) })).ok, true);
    assert.equal((await rawRequest(fresh, 'ice-servers')).ok, true);
    // expired 3 s ago: still admitted within the 5 s of allowed clock skew (even if the second
    // ticks before the join is checked), for one to two seconds more
    const exp = Math.floor(Date.now() / 1000) - 3;
    assert.equal((await join(expiring, { room: name, token: await hs({ room: name, sub: 'e', exp }) })).ok, true);
    await new Promise((r) => setTimeout(r, Math.max(0, (exp + 5) * 1000 - Date.now()) + 50));
    assertUnauthorized(await rawRequest(expiring, 'ice-servers'), 'expired token');
    assert.equal((await rawRequest(fresh, 'ice-servers')).ok, true, 'a valid one still gets servers');
  });

  it('a prefix grant admits the rooms under it, and only those', async () => {
    const prefix = room('team');
    const token = await mintAccessToken({ room: `${prefix}-*`, sub: 'u', secret: SECRET });
    const c = await h.client();
    assert.equal((await join(c, { room: `${prefix}-daily`, token })).ok, true);
    await rawRequest(c, 'leave');
    assert.equal((await join(c, { room: `${prefix}-`, token })).ok, true, 'the empty rest is the prefix itself');
    await rawRequest(c, 'leave');
    assertUnauthorized(await join(c, { room: `${prefix}x-daily`, token }), 'outside the prefix');
    assertUnauthorized(await join(c, { room: prefix, token }), 'shorter than the prefix');
  });

  it('a receive-only token: the others are told, and its descriptions may not send media', async () => {
    const name = room();
    const [a, viewer] = [await h.client(), await h.client()];
    const ja = await join(a, { room: name, token: await mintAccessToken({ room: name, sub: 'host', secret: SECRET }) });
    const heard = nextEvent(a, 'peer-joined');
    const jv = await join(viewer, {
      room: name,
      token: await mintAccessToken({ room: name, sub: 'viewer', publish: false, secret: SECRET }),
    });
    assert.equal(jv.ok, true);
    assert.equal(jv.publish, false, 'the join answer tells the member itself');
    assert.deepEqual(await heard, { id: jv.id, name: '', sub: 'viewer', publish: false });
    const hostSeen = recordAll(a);
    const refused = await rawRequest(viewer, 'signal', { to: ja.id, description: { type: 'offer', sdp: SENDRECV } });
    assert.equal(refused.error.code, 'unauthorized');
    // Chrome applies a section's last direction line: recvonly first, sendrecv last is refused
    const twoLines = RECVONLY.replace('a=recvonly', 'a=recvonly\r\na=sendrecv');
    assert.equal(
      (await rawRequest(viewer, 'signal', { to: ja.id, description: { type: 'offer', sdp: twoLines } })).error.code,
      'bad_request',
    );
    // a session-level recvonly does not cover sections without a direction of their own
    const sessionLevel = SENDRECV.replace('t=0 0\r\n', 't=0 0\r\na=recvonly\r\n').replaceAll('a=sendrecv\r\n', '');
    assert.equal(
      (await rawRequest(viewer, 'signal', { to: ja.id, description: { type: 'answer', sdp: sessionLevel } })).error.code,
      'unauthorized',
    );
    assert.deepEqual(hostSeen, [], 'refused descriptions reach nobody');
    const got = nextEvent(a, 'signal');
    assert.deepEqual(await rawRequest(viewer, 'signal', { to: ja.id, description: { type: 'offer', sdp: RECVONLY } }), { ok: true });
    assert.equal((await got).description.sdp, RECVONLY);
    // the host's own sendrecv answer is its business
    const toViewer = nextEvent(viewer, 'signal');
    assert.deepEqual(await rawRequest(a, 'signal', { to: jv.id, description: { type: 'answer', sdp: SENDRECV } }), { ok: true });
    assert.equal((await toViewer).from, ja.id);
    // Whatever media state it claims, the others hear a receive-only member sends nothing.
    const claimed = nextEvent(a, 'media-state');
    assert.deepEqual(await rawRequest(viewer, 'media-state', { audio: true, video: true, screen: true }), { ok: true });
    assert.deepEqual(await claimed, { from: jv.id, audio: false, video: false, screen: false });
    const late = await join(await h.client(), { room: name, token: await mintAccessToken({ room: name, sub: 'late', secret: SECRET }) });
    assert.deepEqual(late.peers.find((p: { id: string }) => p.id === jv.id).media, { audio: false, video: false, screen: false });
  });
});

describe('access tokens: ES256 (ACCESS_TOKEN_PUBLIC_KEY)', () => {
  const keys = ec();
  let h: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    // as an environment variable often carries it: one line with literal \n
    h = await startServer({ accessTokenPublicKey: keys.publicKey.replace(/\n/g, '\\n') });
  });
  after(() => h.close());

  it("admits a token signed by the private key; refuses another key's, and an HS256 one", async () => {
    const name = room();
    const c = await h.client();
    assertUnauthorized(
      await join(c, { room: name, token: await mintAccessToken({ room: name, sub: 'u', privateKey: ec().privateKey }) }),
      'other key',
    );
    assertUnauthorized(await join(c, { room: name, token: await mintAccessToken({ room: name, sub: 'u', secret: SECRET }) }), 'HS256');
    const ok = await join(c, {
      room: name,
      token: await mintAccessToken({ room: name, sub: 'u', name: 'Ed', privateKey: keys.privateKey }),
    });
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.name, 'Ed');
  });

  it('refuses keys that cannot verify ES256, and short secrets, when the server is made', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => createAccessTokenVerifier({ publicKey: rsa }), /EC P-256/);
    assert.throws(() => createAccessTokenVerifier({ publicKey: 'nonsense' }), /PEM/);
    assert.throws(() => createAccessTokenVerifier({ secret: 'short' }), /at least 32/);
  });
});

describe('access tokens: without a secret', () => {
  it('the server stays open, and ignores a token it cannot check', async () => {
    const h = await startServer();
    try {
      const c = await h.client();
      assert.equal(h.server.accessTokens, null);
      assert.equal((await join(c, { room: room() })).ok, true);
      await rawRequest(c, 'leave');
      assert.equal((await join(c, { room: room(), token: 'anything' })).ok, true);
    } finally {
      await h.close();
    }
  });
});

describe('roomGranted and sdpSendsMedia', () => {
  it('matches exact rooms and prefixes', () => {
    assert.equal(roomGranted('a', 'a'), true);
    assert.equal(roomGranted('a', 'ab'), false);
    assert.equal(roomGranted('a*', 'ab'), true);
    assert.equal(roomGranted('*', 'anything'), true);
    assert.equal(roomGranted('b*', 'ab'), false);
  });

  it('finds media that would be sent', () => {
    assert.equal(sdpSendsMedia(SENDRECV), true);
    assert.equal(sdpSendsMedia(RECVONLY), false);
    assert.equal(sdpSendsMedia(SENDRECV.replaceAll('a=sendrecv', 'a=inactive')), false);
    assert.equal(sdpSendsMedia(SENDRECV.replaceAll('a=sendrecv\r\n', '')), true, 'no direction means sendrecv');
    // A session-level direction protects nothing: a section without its own line is sendrecv.
    assert.equal(
      sdpSendsMedia(SENDRECV.replace('t=0 0\r\n', 't=0 0\r\na=recvonly\r\n').replaceAll('a=sendrecv\r\n', '')),
      true,
      'session-level recvonly',
    );
    assert.equal(
      sdpSendsMedia(SENDRECV.replace('t=0 0\r\n', 't=0 0\r\na=inactive\r\n').replaceAll('a=sendrecv\r\n', '')),
      true,
      'session-level inactive',
    );
    assert.equal(
      sdpSendsMedia(RECVONLY.replace('t=0 0\r\n', 't=0 0\r\na=sendrecv\r\n')),
      false,
      'session-level sendrecv under recvonly sections',
    );
    assert.equal(sdpSendsMedia(RECVONLY.replace('a=recvonly', 'a=sendonly')), true);
    assert.equal(sdpSendsMedia(SENDRECV.replaceAll(' 9 UDP', ' 0 UDP')), false, 'rejected sections');
    assert.equal(sdpSendsMedia('v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n'), false);
    assert.equal(
      sdpSendsMedia(SENDRECV.replaceAll(' 9 UDP', ' 0 UDP').replaceAll('a=mid', 'a=bundle-only\r\na=mid')),
      true,
      'bundle-only sections are live',
    );
    assert.equal(sdpSendsMedia(RECVONLY.replaceAll('\r\n', '\n')), false, 'LF-only line ends');
  });

  it('calls a section with more than one direction line, or a mangled one, ambiguous', () => {
    // Chrome applies the last direction line: the first one must not decide.
    const cases: [string, string][] = [
      ['recvonly then sendrecv', RECVONLY.replace('a=recvonly', 'a=recvonly\r\na=sendrecv')],
      ['recvonly twice', RECVONLY.replace('a=recvonly', 'a=recvonly\r\na=recvonly')],
      ['inactive then sendonly', RECVONLY.replace('a=recvonly', 'a=inactive\r\na=sendonly')],
      ['trailing space', RECVONLY.replace('a=recvonly', 'a=recvonly ')],
      ['with a value', RECVONLY.replace('a=recvonly', 'a=recvonly:1')],
      ['upper case', RECVONLY.replace('a=recvonly', 'a=RECVONLY')],
      ['sendrecv hidden behind a bare CR in the recvonly section', RECVONLY.replace('a=recvonly', 'a=recvonly\ra=sendrecv')],
    ];
    for (const [why, sdp] of cases) assert.equal(sdpSending(sdp), 'ambiguous', why);
    assert.equal(sdpSending(RECVONLY), 'silent');
    assert.equal(sdpSending(SENDRECV), 'sends');
    // a direction line without its line end is no line for Chrome: the section has no direction
    assert.equal(sdpSending(RECVONLY.replace(/\r\n$/, '')), 'sends', 'the last recvonly without CRLF');
    // a bare CR is no line break (as in Chrome): the section below has no direction of its own
    assert.equal(sdpSending(SENDRECV.replaceAll('a=sendrecv', 'a=mid:x\ra=recvonly')), 'sends');
    // rejected sections and data channels do not count, however odd their lines
    assert.equal(
      sdpSending(RECVONLY.replace('m=video 9', 'm=video 0').replace('a=mid:1\r\na=recvonly', 'a=mid:1\r\na=recvonly\r\na=sendrecv')),
      'silent',
    );
    assert.equal(sdpSending(`${RECVONLY}m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sendrecv\r\na=recvonly\r\n`), 'silent');
  });
});

describe('rtc-room-server mint-token', () => {
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'mint-token', ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.once('exit', (code) => resolve({ code, out, err }));
    });

  it('prints a token the server admits, receive-only when asked', async () => {
    const name = room();
    const { code, out, err } = await run(['--room', name, '--sub', 'cli-user', '--name', 'Cli', '--receive-only', '--ttl', '120'], {
      ACCESS_TOKEN_SECRET: SECRET,
    });
    assert.equal(code, 0, err);
    const grant = await createAccessTokenVerifier({ secret: SECRET }).verify(out.trim(), name);
    const { expiresAt, ...rest } = grant;
    assert.deepEqual(rest, { sub: 'cli-user', name: 'Cli', publish: false });
    const expected = (Math.floor(Date.now() / 1000) + 120 + 5) * 1000;
    assert.ok(Math.abs(expiresAt - expected) <= 5_000, `expiresAt ${expiresAt} ~ ${expected}: ttl plus the clock skew`);
  });

  it('says what is missing', async () => {
    const noKey = await run(['--room', 'a', '--sub', 'b'], {});
    assert.equal(noKey.code, 1);
    assert.match(noKey.err, /set ACCESS_TOKEN_SECRET or ACCESS_TOKEN_PRIVATE_KEY/);
    const noRoom = await run(['--sub', 'b'], { ACCESS_TOKEN_SECRET: SECRET });
    assert.equal(noRoom.code, 2);
    assert.match(noRoom.err, /needs --room and --sub/);
  });
});
