// A deliberate `socket.disconnect()` is a leave; only a dropped transport keeps the place for the grace.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dropConnection, nextEvent, rawRequest, recordAll, startServer, type TestClient } from '../test-support/harness.js';

let roomSeq = 0;
const room = () => `leave-${process.pid}-${++roomSeq}`;
const join = (socket: TestClient, body: unknown) => rawRequest(socket, 'join', body);

describe('a client that disconnects on purpose', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  // The default grace (15 s): a leave that waited for it could not pass the 1 s bounds below.
  before(async () => {
    h = await startServer({ roomCapacity: 2, reconnectGrace: 15 });
  });
  after(() => h.close());

  it('leaves at once: the others hear peer-left (never peer-away) and its place is free', async () => {
    const name = room();
    const a = await h.client();
    const b = await h.client();
    await join(a, { room: name });
    const jb = await join(b, { room: name });
    const seenByA = recordAll(a);
    const left = nextEvent(a, 'peer-left', 1_000);
    b.disconnect();
    assert.deepEqual(await left, { id: jb.id });
    assert.deepEqual(seenByA, ['peer-left']);
    assert.equal((await join(await h.client(), { room: name })).ok, true, 'the room of two takes someone new');
    assert.equal((await h.server.rooms.members(name)).length, 2);
  });

  it('a dropped transport is still away: its place is held for the grace', async () => {
    const name = room();
    const a = await h.client();
    const b = await h.client();
    await join(a, { room: name });
    const jb = await join(b, { room: name });
    const seenByA = recordAll(a);
    const away = nextEvent(a, 'peer-away', 1_000);
    dropConnection(b);
    assert.deepEqual(await away, { id: jb.id });
    assert.equal((await join(await h.client(), { room: name })).error.code, 'room_full', 'its place is held');
    assert.deepEqual(seenByA, ['peer-away']);
  });

  it('a resumed member that disconnects on purpose leaves from its new socket', async () => {
    const name = room();
    const a = await h.client();
    const b = await h.client();
    await join(a, { room: name });
    const jb = await join(b, { room: name });
    dropConnection(b);
    await nextEvent(a, 'peer-away', 1_000);
    const b2 = await h.client();
    await join(b2, { room: name, resume: jb.resumeToken });
    const left = nextEvent(a, 'peer-left', 1_000);
    b2.disconnect();
    assert.deepEqual(await left, { id: jb.id });
  });
});
