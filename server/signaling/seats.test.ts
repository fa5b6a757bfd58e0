// Attacks on seats and identities (issue 17, finding 3 and part of 5), against a real server: one
// access token must not fill a room, one IP without tokens must not hold many seats in grace, a
// resume token must not work in another room or for another identity, and TURN credentials must
// not outlive the access token. (The same attacks through Redis: rooms/redis/redis.test.ts.)
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mintAccessToken } from '../auth/access-tokens.js';
import type { RtcServerOptions } from '../app.js';
import { dropConnection, nextEvent, rawRequest, recordAll, startServer, type TestClient } from '../test-support/harness.js';

const SECRET = 'seats-test-secret-that-is-long-enough!!';
let roomSeq = 0;
const room = () => `seats-${process.pid}-${++roomSeq}`;
const join = (socket: TestClient, body: unknown) => rawRequest(socket, 'join', body);
const token = (room: string, sub: string, ttl = 3600) => mintAccessToken({ room, sub, name: sub, ttl, secret: SECRET });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The expiry (Unix seconds) in the TURN REST username of a join or `ice-servers` answer. */
const turnExpiry = (answer: { iceServers: { username?: string }[] }) => {
  const username = answer.iceServers.find((s) => s.username)?.username;
  assert.ok(username, 'a TURN entry with a username');
  return Number(username.split(':')[0]);
};

describe('seats: one per identity, few per IP in grace', () => {
  const servers: { close(): Promise<void> }[] = [];
  const start = async (options: RtcServerOptions = {}) => {
    const h = await startServer({ roomCapacity: 4, reconnectGrace: 15, ...options });
    servers.push(h);
    return h;
  };
  after(() => Promise.all(servers.map((s) => s.close())));

  /** Joins `body` on a new socket, then drops the socket; resolves once `watcher` heard it go away. */
  const joinAndDrop = async (h: Awaited<ReturnType<typeof start>>, watcher: TestClient, body: object) => {
    const socket = await h.client();
    const joined = await join(socket, body);
    assert.equal(joined.ok, true, JSON.stringify(joined));
    const away = nextEvent(watcher, 'peer-away');
    dropConnection(socket);
    assert.deepEqual(await away, { id: joined.id });
    return joined;
  };

  it('one access token joined four times, each socket dropped, never fills a room of four: its host still gets in', async () => {
    const h = await start({ accessTokenSecret: SECRET });
    const name = room();
    const watcher = await h.client();
    await join(watcher, { room: name, token: await token(name, 'watcher') });
    const seen = recordAll(watcher);
    const left: string[] = [];
    watcher.on('peer-left', ({ id }) => left.push(id));
    const attacker = await token(name, 'mallory');
    const seats = [];
    for (let i = 0; i < 4; i++) seats.push(await joinAndDrop(h, watcher, { room: name, token: attacker }));
    const host = await join(await h.client(), { room: name, token: await token(name, 'host') });
    assert.equal(host.ok, true, `the host was refused: ${JSON.stringify(host)}`);
    const members = await h.server.rooms.members(name);
    assert.deepEqual(
      members.filter((m) => m.sub === 'mallory').map((m) => m.id),
      [seats[3].id],
      'one seat for the sub: the last',
    );
    // The others saw a clean leave for each seat taken over, before the new one joined.
    assert.deepEqual(left, [seats[0].id, seats[1].id, seats[2].id]);
    assert.deepEqual(seen.slice(0, 5), ['peer-joined', 'peer-away', 'peer-left', 'peer-joined', 'peer-away']);
  });

  it('a second join of a connected identity takes its seat over: the old socket is closed, and its resume is refused', async () => {
    const h = await start({ accessTokenSecret: SECRET, roomCapacity: 2 });
    const name = room();
    const watcher = await h.client();
    await join(watcher, { room: name, token: await token(name, 'watcher') });
    const first = await h.client();
    const mallory = await token(name, 'mallory');
    const one = await join(first, { room: name, token: mallory });
    const closed = nextEvent<string>(first, 'disconnect');
    const left = nextEvent(watcher, 'peer-left');
    const second = await h.client();
    const two = await join(second, { room: name, token: mallory });
    assert.equal(two.ok, true, 'a full room of two, and the same identity gets in again');
    assert.notEqual(two.id, one.id);
    assert.equal(await closed, 'io server disconnect');
    assert.deepEqual(await left, { id: one.id });
    // The old page comes back with its resume token: the identity's seat is elsewhere now (no ping-pong).
    const back = await join(await h.client(), { room: name, token: mallory, resume: one.resumeToken });
    assert.equal(back.error?.code, 'already_joined', JSON.stringify(back));
    assert.equal(second.connected, true);
    const members = await h.server.rooms.members(name);
    assert.deepEqual(
      members.map((m) => [m.sub, m.id === two.id]),
      [
        ['watcher', false],
        ['mallory', true],
      ],
    );
  });

  it('without tokens, one IP joining and dropping again and again holds at most two seats in grace: the room takes another member', async () => {
    const h = await start();
    const name = room();
    const watcher = await h.client();
    await join(watcher, { room: name, name: 'Watcher' });
    const left: string[] = [];
    watcher.on('peer-left', ({ id }) => left.push(id));
    const seats = [];
    for (let i = 0; i < 3; i++) seats.push(await joinAndDrop(h, watcher, { room: name }));
    assert.deepEqual(left, [seats[0].id], 'the oldest seat in grace was released for the third');
    const away = (await h.server.rooms.members(name)).filter((m) => m.away);
    assert.deepEqual(away.map((m) => m.id).sort(), [seats[1].id, seats[2].id].sort());
    const guest = await join(await h.client(), { room: name });
    assert.equal(guest.ok, true, `refused: ${JSON.stringify(guest)}`);
  });

  it('GRACE_SEATS_PER_IP (graceSeatsPerIp) sets the cap', async () => {
    const h = await start({ graceSeatsPerIp: 1 });
    const name = room();
    const watcher = await h.client();
    await join(watcher, { room: name });
    const left: string[] = [];
    watcher.on('peer-left', ({ id }) => left.push(id));
    const one = await joinAndDrop(h, watcher, { room: name });
    await joinAndDrop(h, watcher, { room: name });
    assert.deepEqual(left, [one.id]);
  });
});

describe('resume tokens are bound to their room and their sub', () => {
  const servers: { close(): Promise<void> }[] = [];
  const start = async (options: RtcServerOptions = {}) => {
    const h = await startServer({ roomCapacity: 4, reconnectGrace: 15, ...options });
    servers.push(h);
    return h;
  };
  after(() => Promise.all(servers.map((s) => s.close())));

  it("a resume token replayed in another room is a fresh join there: another id, and the victim's seat is untouched", async () => {
    const h = await start();
    const [home, elsewhere] = [room(), room()];
    const victim = await h.client();
    const v = await join(victim, { room: home, name: 'Victim' });
    const seenByVictim = recordAll(victim);
    const replayed = await join(await h.client(), { room: elsewhere, name: 'Eve', resume: v.resumeToken });
    assert.equal(replayed.ok, true);
    assert.notEqual(replayed.id, v.id, 'the victim’s id does not move to another room');
    await sleep(100);
    assert.equal(victim.connected, true);
    assert.deepEqual(seenByVictim, []);
    assert.deepEqual(
      (await h.server.rooms.members(home)).map((m) => [m.id, m.name]),
      [[v.id, 'Victim']],
    );
  });

  it("a resume token replayed with another identity's access token is a fresh join: the victim keeps its id, its name and its socket", async () => {
    const h = await start({ accessTokenSecret: SECRET });
    const name = room();
    const watcher = await h.client();
    await join(watcher, { room: name, token: await token(name, 'watcher') });
    const victim = await h.client();
    const v = await join(victim, { room: name, token: await token(name, 'victim') });
    const joined = nextEvent(watcher, 'peer-joined');
    const seenByVictim = recordAll(victim);
    const replayed = await join(await h.client(), { room: name, token: await token(name, 'eve'), resume: v.resumeToken });
    assert.equal(replayed.ok, true);
    assert.notEqual(replayed.id, v.id);
    assert.deepEqual(await joined, { id: replayed.id, name: 'eve', sub: 'eve' });
    await sleep(100);
    assert.equal(victim.connected, true, 'the victim was not disconnected');
    assert.deepEqual(seenByVictim, ['peer-joined'], 'the victim only heard of a newcomer');
    assert.equal((await h.server.rooms.get(name, v.id))?.sub, 'victim');
  });

  it('a resume token comes back as the same member in its own room with a fresh token of the same sub', async () => {
    const h = await start({ accessTokenSecret: SECRET });
    const name = room();
    const first = await h.client();
    const one = await join(first, { room: name, token: await token(name, 'ada') });
    dropConnection(first);
    const again = await join(await h.client(), { room: name, token: await token(name, 'ada', 600), resume: one.resumeToken });
    assert.equal(again.id, one.id);
  });
});

describe('TURN credentials never outlive the access token', () => {
  const servers: { close(): Promise<void> }[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  it('a token expiring in a minute gets TURN credentials for about a minute, not ICE_TTL (24 h): at join, ice-servers and preflight', async () => {
    const h = await startServer({
      accessTokenSecret: SECRET,
      turn: { urls: ['turn:127.0.0.1:3478'], secrets: ['turn-secret'] },
      iceTtl: 86_400,
    });
    servers.push(h);
    const name = room();
    const shortLived = await token(name, 'ada', 60);
    const exp = JSON.parse(Buffer.from(shortLived.split('.')[1]!, 'base64url').toString()).exp as number;
    const c = await h.client();
    const joined = await join(c, { room: name, token: shortLived });
    assert.equal(joined.ok, true);
    // The server honours a token for 5 s of clock skew past its exp; the credentials, no longer.
    const atJoin = turnExpiry(joined);
    assert.ok(atJoin >= exp && atJoin <= exp + 5, `TURN expiry ${atJoin}, token exp ${exp}`);
    assert.equal(joined.iceServersExpireAt, atJoin * 1000);
    const refreshed = await rawRequest(c, 'ice-servers');
    assert.ok(turnExpiry(refreshed) <= exp + 5, 'ice-servers too');
    const preflight = await rawRequest(await h.client(), 'preflight', { room: name, token: shortLived });
    assert.ok(turnExpiry(preflight) <= exp + 5, 'preflight too');
    // A token that outlives ICE_TTL leaves the TTL in charge.
    const long = await join(await h.client(), { room: name, token: await token(name, 'bob', 7 * 86_400) });
    assert.ok(turnExpiry(long) <= Math.ceil(Date.now() / 1000) + 86_400);
  });
});
