// The old page of a seat taken over (issue 17): when the same identity joins again elsewhere, its
// session ends with `replaced` instead of reconnecting. Written as the attack it stops: two pages of
// one identity taking the seat from each other in turn. The pages are RoomSessions over the real
// signaling client (in Node, with fake media and peer links), against a real server on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mintAccessToken } from '../../server/auth/access-tokens.js';
import { rawRequest, recordAll, startServer } from '../../server/test-support/harness.js';
import type { RtcError } from './errors.js';
import { RoomSession } from './room-session.js';
import { FakeMedia } from './testing/fake-media.js';
import { FakePeerLink } from './testing/fake-peer-link.js';

const SECRET = 'seat-taken-test-secret-long-enough!!!!';
let roomSeq = 0;
const room = () => `replaced-${process.pid}-${++roomSeq}`;
const token = (room: string, sub: string) => mintAccessToken({ room, sub, name: sub, ttl: 600, secret: SECRET });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RoomSession whose seat the same identity takes over elsewhere', () => {
  const servers: { close(): Promise<void> }[] = [];
  const sessions: RoomSession[] = [];
  after(async () => {
    await Promise.all(sessions.map((s) => s.leave()));
    await Promise.all(servers.map((s) => s.close()));
  });

  /** A page of the browser core: a RoomSession over the real signaling client, without devices. */
  const page = (url: string, room: string, token: string) => {
    const session = new RoomSession({
      room,
      token,
      server: url,
      websocketOnly: true,
      sendAudio: false,
      sendVideo: false,
      createPeerLink: (o) => new FakePeerLink(o),
      createMedia: (o) => new FakeMedia(o),
      onPageHide: () => () => {},
    });
    sessions.push(session);
    const events: string[] = [];
    session.addEventListener('error', (e) => events.push(`error:${e.detail.code}`));
    for (const type of ['reconnecting', 'reconnected'] as const) session.addEventListener(type, () => events.push(type));
    return { session, events };
  };

  it('ends the old page’s call with `replaced`; it does not take the seat back, and the new page keeps it', async () => {
    const h = await startServer({ accessTokenSecret: SECRET, roomCapacity: 4, reconnectGrace: 15 });
    servers.push(h);
    const name = room();
    const watcher = await h.client();
    assert.equal((await rawRequest(watcher, 'join', { room: name, token: await token(name, 'watcher') })).ok, true);
    const seenByWatcher = recordAll(watcher);

    const oldTab = page(h.url, name, await token(name, 'ada'));
    await oldTab.session.join();
    const newTab = page(h.url, name, await token(name, 'ada'));
    const ended = new Promise<RtcError>((resolve) => oldTab.session.addEventListener('error', (e) => resolve(e.detail)));
    await newTab.session.join();
    const error = await ended;
    assert.equal(error.code, 'replaced');
    assert.match(error.message, /elsewhere/);

    // Long enough for several reconnections (0.5 s backoff) and rejoins, had the old page tried.
    await sleep(3_000);
    assert.equal(oldTab.session.status, 'error');
    assert.deepEqual(oldTab.events, ['error:replaced'], 'no reconnecting, no other error');
    assert.equal(newTab.session.status, 'joined');
    assert.deepEqual(newTab.events, [], 'the new page was never disturbed');
    const members = await h.server.rooms.members(name);
    assert.deepEqual(
      members.map((m) => [m.sub, m.id === newTab.session.id]),
      [
        ['watcher', false],
        ['ada', true],
      ],
    );
    // The others saw one hand-over, not a seat going back and forth.
    assert.deepEqual(
      seenByWatcher.filter((event) => event !== 'media-state'),
      ['peer-joined', 'peer-left', 'peer-joined'],
    );
  });
});
