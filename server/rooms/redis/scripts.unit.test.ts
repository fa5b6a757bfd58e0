// The script definitions: how each encodes its keys and arguments for EVALSHA, and decodes the
// script's reply. (What the Lua does is tested against a real Redis in redis.test.ts.)
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { CommandParser } from 'redis';
import { redisKeys } from './keys.js';
import { ROOM_SCRIPTS } from './scripts.js';

/** What a script call sends: its keys and its other arguments, as the client's parser gets them. */
function encode(parse: (parser: CommandParser) => void): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const args: string[] = [];
  const parser = {
    pushKey: (key: string) => void keys.push(key),
    push: (...values: string[]) => void args.push(...values),
  } as unknown as CommandParser;
  parse(parser);
  return { keys, args };
}

const keys = redisKeys('p:');
const record = (id: string, seq: number) => ({ id, name: id, socketId: `s-${id}`, node: 'n1', seq });

describe('ROOM_SCRIPTS', () => {
  it('names each script by the SHA1 of its source, which EVALSHA sends', () => {
    for (const [name, script] of Object.entries(ROOM_SCRIPTS)) {
      assert.equal(script.SHA1, createHash('sha1').update(script.SCRIPT).digest('hex'), name);
    }
  });

  it('declares as many keys as each script pushes', () => {
    const m = { id: 'a', name: 'A', socketId: 's' };
    const calls: Record<keyof typeof ROOM_SCRIPTS, (p: CommandParser) => void> = {
      roomAdmit: (p) => ROOM_SCRIPTS.roomAdmit.parseCommand(p, keys, 'r', m, 'n1', 4, true),
      roomRemove: (p) => ROOM_SCRIPTS.roomRemove.parseCommand(p, keys, 'r', 'a', ''),
      roomMarkAway: (p) => ROOM_SCRIPTS.roomMarkAway.parseCommand(p, keys, 'r', 'a', 's'),
      roomSetMedia: (p) => ROOM_SCRIPTS.roomSetMedia.parseCommand(p, keys, 'r', 'a', { audio: true, video: true, screen: false }),
      roomRemoveStale: (p) => ROOM_SCRIPTS.roomRemoveStale.parseCommand(p, keys, 'r', 'a', 's', 'n1'),
      nodePurge: (p) => ROOM_SCRIPTS.nodePurge.parseCommand(p, keys, 'n2'),
      nodeHeartbeat: (p) => ROOM_SCRIPTS.nodeHeartbeat.parseCommand(p, keys, 'n1', 8000),
    };
    for (const [name, call] of Object.entries(calls)) {
      assert.equal(encode(call).keys.length, ROOM_SCRIPTS[name as keyof typeof ROOM_SCRIPTS].NUMBER_OF_KEYS, name);
    }
  });

  it('admission: sends the room’s keys, the member, the node, the capacity and whether to purge', () => {
    const member = { id: 'a', name: 'Ann', socketId: 's1', sub: 'user-1', publish: false as const };
    const sent = encode((p) => ROOM_SCRIPTS.roomAdmit.parseCommand(p, keys, 'r', member, 'n1', 3, false));
    assert.deepEqual(sent.keys, ['p:room:{r}:members', 'p:room:{r}:capacity']);
    assert.deepEqual(sent.args, ['p:', 'r', 'a', 'Ann', 's1', 'n1', '3', '{"sub":"user-1","publish":false}', '0', '0', '0']);
  });

  it('admission: sends whether it is a resume, the cap on seats in grace per IP, and the IP in the record', () => {
    const member = { id: 'a', name: 'Ann', socketId: 's1', ip: '10.0.0.1' };
    const sent = encode((p) =>
      ROOM_SCRIPTS.roomAdmit.parseCommand(p, keys, 'r', member, 'n1', 3, false, { resume: true, graceSeatsPerIp: 2 }),
    );
    assert.deepEqual(sent.args.slice(7), ['{"ip":"10.0.0.1"}', '0', '1', '2']);
  });

  it('admission: decodes the seats it released, and a resume refused because its seat was taken over', () => {
    const released = ROOM_SCRIPTS.roomAdmit.transformReply([1, 4, '', '[]', '[]', JSON.stringify([record('b', 2)])]);
    assert.deepEqual(
      released.released?.map((m) => m.id),
      ['b'],
    );
    assert.equal(ROOM_SCRIPTS.roomAdmit.transformReply([1, 4, '', '[]', '[]', '[]']).released, undefined);
    assert.deepEqual(ROOM_SCRIPTS.roomAdmit.transformReply([0, 4, '', '[]', '[]', 'taken']), {
      ok: false,
      capacity: 4,
      others: [],
      purged: [],
      taken: true,
    });
  });

  it('admission: stores no token fields for a member without a token', () => {
    const sent = encode((p) => ROOM_SCRIPTS.roomAdmit.parseCommand(p, keys, 'r', { id: 'a', name: 'A', socketId: 's' }, 'n1', 4, true));
    assert.equal(sent.args[7], '{}');
    assert.equal(sent.args[8], '1');
  });

  it('admission: decodes a success with the others in join order and the socket the member had', () => {
    const others = JSON.stringify([record('c', 9), record('b', 2)]);
    const reply = ROOM_SCRIPTS.roomAdmit.transformReply([1, 4, 'old-socket', others, '["x"]']);
    assert.equal(reply.ok, true);
    assert.equal(reply.capacity, 4);
    assert.equal(reply.previousSocketId, 'old-socket');
    assert.deepEqual(
      reply.others.map((m) => m.id),
      ['b', 'c'],
    );
    assert.deepEqual(reply.purged, ['x']);
  });

  it('admission: decodes a refusal (room full) without a previous socket', () => {
    const reply = ROOM_SCRIPTS.roomAdmit.transformReply([0, 2, '', '[]', '[]']);
    assert.deepEqual(reply, { ok: false, capacity: 2, others: [], purged: [] });
  });

  it('removal: sends an empty socket for "whichever socket"', () => {
    const sent = encode((p) => ROOM_SCRIPTS.roomRemove.parseCommand(p, keys, 'r', 'a', ''));
    assert.deepEqual(sent.args, ['p:', 'r', 'a', '']);
  });

  it('stale removal: decodes "not removed" as null and a removal as the members left', () => {
    assert.equal(ROOM_SCRIPTS.roomRemoveStale.transformReply([0]), null);
    assert.deepEqual(
      ROOM_SCRIPTS.roomRemoveStale.transformReply([1, JSON.stringify([record('b', 1)])])?.map((m) => m.id),
      ['b'],
    );
  });

  it('mark away and heartbeat: decode 1 as true and 0 as false', () => {
    assert.equal(ROOM_SCRIPTS.roomMarkAway.transformReply(1), true);
    assert.equal(ROOM_SCRIPTS.roomMarkAway.transformReply(0), false);
    assert.equal(ROOM_SCRIPTS.nodeHeartbeat.transformReply(1), true);
    assert.equal(ROOM_SCRIPTS.nodeHeartbeat.transformReply(0), false);
  });

  it('heartbeat: writes the node’s key with the TTL in ms', () => {
    const sent = encode((p) => ROOM_SCRIPTS.nodeHeartbeat.parseCommand(p, keys, 'n1', 8000));
    assert.deepEqual(sent, { keys: ['p:node:n1'], args: ['8000'] });
  });

  it('media state: sends it as JSON', () => {
    const sent = encode((p) => ROOM_SCRIPTS.roomSetMedia.parseCommand(p, keys, 'r', 'a', { audio: false, video: true, screen: false }));
    assert.deepEqual(sent.args, ['a', '{"audio":false,"video":true,"screen":false}']);
  });

  it('purge: asks for a batch of 200 members by default', () => {
    const sent = encode((p) => ROOM_SCRIPTS.nodePurge.parseCommand(p, keys, 'dead'));
    assert.deepEqual(sent.args, ['p:', 'dead', '200']);
  });

  it('purge: decodes the members removed, each with the members left in its room', () => {
    const reply = ROOM_SCRIPTS.nodePurge.transformReply([0, 'a', JSON.stringify([record('c', 2), record('b', 1)]), 'd', '[]']);
    assert.equal(reply.done, false);
    assert.deepEqual(
      reply.purged.map(({ id, others }) => [id, others.map((m) => m.id)]),
      [
        ['a', ['b', 'c']],
        ['d', []],
      ],
    );
  });

  it('purge: decodes "nothing left" as done', () => {
    assert.deepEqual(ROOM_SCRIPTS.nodePurge.transformReply([1]), { done: true, purged: [] });
  });
});
