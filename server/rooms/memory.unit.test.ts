// The in-memory room store: admission and capacity, coming back after a drop, leaving, and what
// it answers about a room's members.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rooms } from './memory.js';
import type { Member } from './store.js';

const member = (id: string, socketId = `s-${id}`, extra: Partial<Member> = {}): Member => ({
  id,
  name: id.toUpperCase(),
  socketId,
  ...extra,
});

/** A store with `ids` admitted into `room` (capacity 4), in that order. */
async function roomWith(room: string, ...ids: string[]): Promise<Rooms> {
  const rooms = new Rooms();
  for (const id of ids) assert.equal((await rooms.admit(room, member(id), 4)).ok, true);
  return rooms;
}

describe('Rooms (memory store): admission', () => {
  it('admits the first member into a new room and lists nobody else', async () => {
    const admission = await new Rooms().admit('r', member('a'), 4);
    assert.deepEqual(admission, { ok: true, peers: [], capacity: 4 });
  });

  it('lists the members already there, in join order, to a newcomer', async () => {
    const rooms = await roomWith('r', 'a', 'b');
    const admission = await rooms.admit('r', member('c'), 4);
    assert.ok(admission.ok);
    assert.deepEqual(
      admission.peers.map((p) => p.id),
      ['a', 'b'],
    );
  });

  it('shows the others what they may see of a member, not its socket', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a', 'secret-socket', { sub: 'user-1', publish: false }), 4);
    const admission = await rooms.admit('r', member('b'), 4);
    assert.ok(admission.ok);
    assert.deepEqual(admission.peers, [{ id: 'a', name: 'A', sub: 'user-1', publish: false }]);
  });

  it('refuses a newcomer when the room is full and says its capacity', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a'), 2);
    await rooms.admit('r', member('b'), 2);
    assert.deepEqual(await rooms.admit('r', member('c'), 2), { ok: false, capacity: 2 });
  });

  it('keeps the capacity the first member gave the room, whatever later members ask', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a'), 2);
    const second = await rooms.admit('r', member('b'), 8);
    assert.equal(second.capacity, 2);
    assert.equal((await rooms.admit('r', member('c'), 8)).ok, false);
  });

  it('gives a room a new capacity once it was empty and is created again', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a'), 2);
    await rooms.remove('r', 'a');
    assert.equal((await rooms.admit('r', member('b'), 3)).capacity, 3);
  });

  it('keeps rooms apart: a full room does not fill another', async () => {
    const rooms = new Rooms();
    await rooms.admit('r1', member('a'), 2);
    await rooms.admit('r1', member('b'), 2);
    const other = await rooms.admit('r2', member('c'), 2);
    assert.deepEqual(other, { ok: true, peers: [], capacity: 2 });
  });

  it('admits two racing joins for the last place only once', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a'), 2);
    const results = await Promise.all([rooms.admit('r', member('b'), 2), rooms.admit('r', member('c'), 2)]);
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, false],
    );
  });
});

describe('Rooms (memory store): coming back (grace and reconnect)', () => {
  it('takes a member back into its own place in a full room, on its new socket', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a', 's1'), 2);
    await rooms.admit('r', member('b'), 2);
    const back = await rooms.admit('r', member('a', 's2'), 2);
    assert.ok(back.ok);
    assert.equal((await rooms.get('r', 'a'))?.socketId, 's2');
  });

  it('tells the store user which socket a returning member had', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a', 's1'), 4);
    const back = await rooms.admit('r', member('a', 's2'), 4);
    assert.ok(back.ok);
    assert.equal(back.previousSocketId, 's1');
  });

  it('does not list a returning member among its own peers', async () => {
    const rooms = await roomWith('r', 'a', 'b');
    const back = await rooms.admit('r', member('a', 'again'), 4);
    assert.ok(back.ok);
    assert.deepEqual(
      back.peers.map((p) => p.id),
      ['b'],
    );
  });

  it('keeps a returning member in its place in the join order', async () => {
    const rooms = await roomWith('r', 'a', 'b', 'c');
    await rooms.admit('r', member('a', 'again'), 4);
    assert.deepEqual(
      (await rooms.members('r')).map((m) => m.id),
      ['a', 'b', 'c'],
    );
  });

  it('marks a member away while it is on the socket given', async () => {
    const rooms = await roomWith('r', 'a');
    assert.equal(await rooms.markAway('r', 'a', 's-a'), true);
    assert.equal((await rooms.get('r', 'a'))?.away, true);
  });

  it('does not mark a member away from a socket it has already left', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a', 's1'), 4);
    await rooms.admit('r', member('a', 's2'), 4);
    assert.equal(await rooms.markAway('r', 'a', 's1'), false);
    assert.equal((await rooms.get('r', 'a'))?.away, false);
  });

  it('answers false when asked to mark away a member that is not there', async () => {
    assert.equal(await new Rooms().markAway('r', 'nobody', 's'), false);
  });

  it('is no longer away once it has come back', async () => {
    const rooms = await roomWith('r', 'a');
    await rooms.markAway('r', 'a', 's-a');
    await rooms.admit('r', member('a', 's-new'), 4);
    assert.equal((await rooms.get('r', 'a'))?.away, false);
  });

  it('holds an away member’s place: the room stays full', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a'), 2);
    await rooms.admit('r', member('b'), 2);
    await rooms.markAway('r', 'b', 's-b');
    assert.equal((await rooms.admit('r', member('c'), 2)).ok, false);
  });
});

describe('Rooms (memory store): leaving', () => {
  it('removes a member and returns the members left behind', async () => {
    const rooms = await roomWith('r', 'a', 'b', 'c');
    assert.deepEqual(
      (await rooms.remove('r', 'b')).map((m) => m.id),
      ['a', 'c'],
    );
    assert.equal(await rooms.get('r', 'b'), undefined);
  });

  it('returns nobody when the member is not there, so nobody is told twice', async () => {
    const rooms = await roomWith('r', 'a', 'b');
    await rooms.remove('r', 'b');
    assert.deepEqual(await rooms.remove('r', 'b'), []);
    assert.deepEqual(await rooms.remove('elsewhere', 'a'), []);
  });

  it('removes a member by socket only while it is still on that socket', async () => {
    const rooms = await roomWith('r', 'a', 'b');
    await rooms.admit('r', member('b', 's-new'), 4);
    assert.deepEqual(await rooms.remove('r', 'b', 's-b'), []);
    assert.equal((await rooms.get('r', 'b'))?.socketId, 's-new');
    assert.deepEqual(
      (await rooms.remove('r', 'b', 's-new')).map((m) => m.id),
      ['a'],
    );
  });

  it('frees the place: a full room takes a newcomer after a member left', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a'), 2);
    await rooms.admit('r', member('b'), 2);
    await rooms.remove('r', 'a');
    assert.equal((await rooms.admit('r', member('c'), 2)).ok, true);
  });

  it('forgets a room once its last member left', async () => {
    const rooms = await roomWith('r', 'a');
    await rooms.remove('r', 'a');
    assert.deepEqual(await rooms.stats(), { rooms: 0, peers: 0 });
  });
});

describe('Rooms (memory store): what it answers', () => {
  it('lists no members for a room nobody joined', async () => {
    assert.deepEqual(await new Rooms().members('r'), []);
    assert.equal(await new Rooms().get('r', 'a'), undefined);
  });

  it('gives a member with its socket', async () => {
    const rooms = await roomWith('r', 'a');
    assert.deepEqual(await rooms.get('r', 'a'), { id: 'a', name: 'A', socketId: 's-a', away: false });
  });

  it('keeps a member’s media state and returns the other members to tell', async () => {
    const rooms = await roomWith('r', 'a', 'b', 'c');
    const media = { audio: false, video: true, screen: false };
    const others = await rooms.setMedia('r', 'b', media);
    assert.deepEqual(
      others.map((m) => m.id),
      ['a', 'c'],
    );
    assert.deepEqual((await rooms.get('r', 'b'))?.media, media);
  });

  it('shows a member’s media state to those who join later', async () => {
    const rooms = await roomWith('r', 'a');
    await rooms.setMedia('r', 'a', { audio: true, video: false, screen: false });
    const admission = await rooms.admit('r', member('b'), 4);
    assert.ok(admission.ok);
    assert.deepEqual(admission.peers[0]?.media, { audio: true, video: false, screen: false });
  });

  it('sets no media state for a member that is not there, and tells nobody', async () => {
    const rooms = await roomWith('r', 'a');
    assert.deepEqual(await rooms.setMedia('r', 'ghost', { audio: true, video: true, screen: true }), []);
    assert.deepEqual(
      (await rooms.members('r')).map((m) => m.id),
      ['a'],
    );
  });

  it('counts rooms and members across rooms', async () => {
    const rooms = await roomWith('r1', 'a', 'b');
    await rooms.admit('r2', member('c'), 4);
    assert.deepEqual(await rooms.stats(), { rooms: 2, peers: 3 });
  });

  it('reports itself healthy, with no node (it is not shared)', () => {
    assert.deepEqual(new Rooms().health(), { ok: true });
  });
});

describe('Rooms (memory store): one seat per identity, and seats held in grace per IP', () => {
  const ids = async (rooms: Rooms, room = 'r') => (await rooms.members(room)).map((m) => m.id);

  it('a join with the sub of a member already there takes over its seat: that one is released, with the members left to tell', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a', 's-a', { sub: 'u' }), 2);
    await rooms.admit('r', member('b', 's-b', { sub: 'w' }), 2);
    const admission = await rooms.admit('r', member('c', 's-c', { sub: 'u' }), 2);
    assert.ok(admission.ok, 'a full room of two, and the same sub still gets in');
    assert.deepEqual(
      admission.peers.map((p) => p.id),
      ['b'],
    );
    assert.deepEqual(
      admission.released?.map(({ member, others }) => [member.id, member.socketId, others.map((m) => m.id)]),
      [['a', 's-a', ['b']]],
    );
    assert.deepEqual(await ids(rooms), ['b', 'c']);
  });

  it('the same sub joined again and again (each seat away) never holds more than one seat', async () => {
    const rooms = new Rooms();
    for (const id of ['a', 'b', 'c', 'd']) {
      assert.equal((await rooms.admit('r', member(id, `s-${id}`, { sub: 'u' }), 4)).ok, true);
      await rooms.markAway('r', id, `s-${id}`);
    }
    assert.deepEqual(await ids(rooms), ['d']);
    assert.equal((await rooms.admit('r', member('host', 's-h', { sub: 'host' }), 4)).ok, true);
  });

  it('a resume whose seat a later join of its sub took over is refused as taken, and changes nothing', async () => {
    const rooms = new Rooms();
    await rooms.admit('r', member('a', 's-a', { sub: 'u' }), 4);
    await rooms.admit('r', member('b', 's-b', { sub: 'u' }), 4);
    assert.deepEqual(await rooms.admit('r', member('a', 's-a2', { sub: 'u' }), 4, { resume: true }), {
      ok: false,
      capacity: 4,
      taken: true,
    });
    assert.deepEqual(await ids(rooms), ['b']);
    // Its own seat, though, it takes back.
    assert.equal((await rooms.admit('r', member('b', 's-b2', { sub: 'u' }), 4, { resume: true })).ok, true);
  });

  it('a new seat from an IP holding the cap in grace releases its oldest: the IP never holds more than the cap', async () => {
    const rooms = new Rooms();
    const options = { graceSeatsPerIp: 2 };
    await rooms.admit('r', member('host', 's-h', { ip: '10.0.0.9' }), 4, options);
    for (const id of ['a', 'b', 'c', 'd']) {
      assert.equal((await rooms.admit('r', member(id, `s-${id}`, { ip: '10.0.0.1' }), 4, options)).ok, true);
      await rooms.markAway('r', id, `s-${id}`);
    }
    assert.deepEqual(await ids(rooms), ['host', 'c', 'd']);
    assert.equal((await rooms.admit('r', member('guest', 's-g', { ip: '10.0.0.2' }), 4, options)).ok, true, 'the room is not full');
  });

  it('the cap counts only seats in grace, only from that IP, and only for new seats: connected ones and resumes release nothing', async () => {
    const rooms = new Rooms();
    const options = { graceSeatsPerIp: 1 };
    await rooms.admit('r', member('a', 's-a', { ip: '10.0.0.1' }), 4, options);
    await rooms.admit('r', member('b', 's-b', { ip: '10.0.0.2' }), 4, options);
    await rooms.markAway('r', 'b', 's-b');
    const fresh = await rooms.admit('r', member('c', 's-c', { ip: '10.0.0.1' }), 4, options);
    assert.ok(fresh.ok);
    assert.equal(fresh.released, undefined, 'a is connected, b is another IP');
    await rooms.markAway('r', 'a', 's-a');
    await rooms.markAway('r', 'c', 's-c');
    const resumed = await rooms.admit('r', member('a', 's-a2', { ip: '10.0.0.1' }), 4, { ...options, resume: true });
    assert.ok(resumed.ok);
    assert.equal(resumed.released, undefined);
    assert.deepEqual(await ids(rooms), ['a', 'b', 'c']);
  });

  it('without the option, seats held in grace are not capped (the store default)', async () => {
    const rooms = new Rooms();
    for (const id of ['a', 'b', 'c']) {
      await rooms.admit('r', member(id, `s-${id}`, { ip: '10.0.0.1' }), 4);
      await rooms.markAway('r', id, `s-${id}`);
    }
    const admission = await rooms.admit('r', member('d', 's-d', { ip: '10.0.0.1' }), 4);
    assert.ok(admission.ok);
    assert.equal(admission.released, undefined);
  });
});
