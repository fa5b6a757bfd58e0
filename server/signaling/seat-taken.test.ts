// A seat taken over says so (issue 17): when the same identity joins again elsewhere, the old socket
// hears `seat-taken` before it is closed. (What the old page then does, against this server:
// components/core/room-session.seat-taken.node.test.ts.)
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mintAccessToken } from '../auth/access-tokens.js';
import { nextEvent, rawRequest, recordAll, startServer } from '../test-support/harness.js';

const SECRET = 'seat-taken-test-secret-long-enough!!!!';
let roomSeq = 0;
const room = () => `taken-${process.pid}-${++roomSeq}`;
const token = (room: string, sub: string) => mintAccessToken({ room, sub, name: sub, ttl: 600, secret: SECRET });

describe('a seat taken over by the same identity', () => {
  const servers: { close(): Promise<void> }[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  const start = async () => {
    const h = await startServer({ accessTokenSecret: SECRET, roomCapacity: 4, reconnectGrace: 15 });
    servers.push(h);
    return h;
  };

  it('tells the old socket `seat-taken` (with its room) before it closes it', async () => {
    const h = await start();
    const name = room();
    const mallory = await token(name, 'mallory');
    const first = await h.client();
    assert.equal((await rawRequest(first, 'join', { room: name, token: mallory })).ok, true);
    const seen = recordAll(first);
    const notice = nextEvent(first, 'seat-taken');
    const closed = nextEvent<string>(first, 'disconnect');
    assert.equal((await rawRequest(await h.client(), 'join', { room: name, token: mallory })).ok, true);
    assert.deepEqual(await notice, { room: name });
    assert.equal(await closed, 'io server disconnect');
    assert.deepEqual(seen, ['seat-taken']);
  });

  it('says nothing to a member resuming its own seat: its old socket is closed quietly', async () => {
    const h = await start();
    const name = room();
    const ada = await token(name, 'ada');
    const first = await h.client();
    const one = await rawRequest(first, 'join', { room: name, token: ada });
    const seen = recordAll(first);
    const closed = nextEvent(first, 'disconnect');
    const back = await rawRequest(await h.client(), 'join', { room: name, token: ada, resume: one.resumeToken });
    assert.equal(back.id, one.id);
    await closed;
    assert.deepEqual(seen, [], 'its own resume closes the old socket quietly');
  });
});
