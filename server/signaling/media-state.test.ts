import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextEvent, rawRequest, recordAll, startServer } from '../test-support/harness.js';

let roomSeq = 0;
const room = () => `media-${process.pid}-${++roomSeq}`;
const MUTED = { audio: false, video: true, screen: false };

describe('media-state', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    h = await startServer({ roomCapacity: 4 });
  });
  after(() => h.close());

  it("relays a member's state to the others in its room with a server-stamped from, not back to it", async () => {
    const name = room();
    const [a, b, c] = [await h.client(), await h.client(), await h.client()];
    const ja = await rawRequest(a, 'join', { room: name, name: 'Ada' });
    await rawRequest(b, 'join', { room: name });
    await rawRequest(c, 'join', { room: name });
    const aSeen = recordAll(a);
    const atB = nextEvent(b, 'media-state');
    const atC = nextEvent(c, 'media-state');
    assert.deepEqual(await rawRequest(a, 'media-state', MUTED), { ok: true });
    assert.deepEqual(await atB, { from: ja.id, ...MUTED });
    assert.deepEqual(await atC, { from: ja.id, ...MUTED });
    await rawRequest(a, 'leave');
    assert.deepEqual(aSeen, [], 'the sender hears nothing back');
  });

  it('hands the latest state of each member to one who joins later', async () => {
    const name = room();
    const [a, b, late] = [await h.client(), await h.client(), await h.client()];
    const ja = await rawRequest(a, 'join', { room: name, name: 'Ada' });
    const jb = await rawRequest(b, 'join', { room: name, name: 'Bob' });
    await rawRequest(a, 'media-state', { audio: true, video: true, screen: false });
    await rawRequest(a, 'media-state', MUTED);
    const jl = await rawRequest(late, 'join', { room: name });
    assert.deepEqual(jl.peers, [
      { id: ja.id, name: 'Ada', media: MUTED },
      { id: jb.id, name: 'Bob' }, // never sent one
    ]);
  });

  it('answers not_joined to a socket in no room, and bad_request to a malformed state', async () => {
    const name = room();
    const [a, outsider] = [await h.client(), await h.client()];
    await rawRequest(a, 'join', { room: name });
    const aSeen = recordAll(a);
    const notJoined = await rawRequest(outsider, 'media-state', MUTED);
    assert.equal(notJoined.error.code, 'not_joined');
    for (const bad of [undefined, {}, { audio: 'no', video: true, screen: false }, { ...MUTED, from: 'x' }, { audio: true, video: true }]) {
      const res = await rawRequest(a, 'media-state', bad);
      assert.equal(res.ok, false, JSON.stringify(bad));
      assert.equal(res.error.code, 'bad_request');
    }
    // after leaving, the socket is no member either
    await rawRequest(a, 'leave');
    assert.equal((await rawRequest(a, 'media-state', MUTED)).error.code, 'not_joined');
    assert.deepEqual(aSeen, []);
  });

  it('never reaches another room, and a member that left takes its state with it', async () => {
    const [a, b, other] = [await h.client(), await h.client(), await h.client()];
    const first = room();
    await rawRequest(a, 'join', { room: first });
    await rawRequest(other, 'join', { room: room() });
    const otherSeen = recordAll(other);
    const ja2 = await rawRequest(b, 'join', { room: first });
    await rawRequest(b, 'media-state', MUTED);
    await rawRequest(other, 'media-state', MUTED); // a round trip for `other`
    assert.deepEqual(otherSeen, []);
    await rawRequest(b, 'leave');
    const again = await rawRequest(b, 'join', { room: first });
    assert.notEqual(again.id, ja2.id);
    const [c] = [await h.client()];
    const jc = await rawRequest(c, 'join', { room: first });
    assert.deepEqual(
      jc.peers.map((p: { media?: unknown }) => p.media),
      [undefined, undefined],
    );
  });
});
