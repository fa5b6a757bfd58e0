// Key names (one place for the prefix), member entries and member records.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULT_KEY_PREFIX, memberEntry, parseMemberEntry, parseMembers, parseRecords, redisKeys } from './keys.js';

describe('redisKeys', () => {
  it('puts the prefix before every key and the adapter channel', () => {
    const keys = redisKeys('app1:');
    const names = [keys.members('r'), keys.capacity('r'), keys.seq, keys.heartbeat('n'), keys.nodeMembers('n'), keys.nodes, keys.adapter];
    assert.ok(
      names.every((name) => name.startsWith('app1:')),
      names.join(' '),
    );
    assert.equal(new Set(names).size, names.length, 'all different');
  });

  it('uses `rtc:` when no prefix is given', () => {
    assert.equal(DEFAULT_KEY_PREFIX, 'rtc:');
    assert.equal(redisKeys().nodes, 'rtc:nodes');
    assert.equal(redisKeys().adapter, 'rtc:socket.io');
  });

  it('keeps one room’s keys in one hash slot with a `{room}` hash tag', () => {
    const keys = redisKeys();
    assert.equal(keys.members('lobby'), 'rtc:room:{lobby}:members');
    assert.equal(keys.capacity('lobby'), 'rtc:room:{lobby}:capacity');
  });

  it('names a node’s heartbeat and its member set after the node', () => {
    const keys = redisKeys();
    assert.equal(keys.heartbeat('n1'), 'rtc:node:n1');
    assert.equal(keys.nodeMembers('n1'), 'rtc:node:n1:members');
  });

  it('matches the names the Lua scripts build from the prefix inside Redis', () => {
    const lua = readFileSync(new URL('./scripts.ts', import.meta.url), 'utf8');
    // What the scripts concatenate, with `prefix`, `node` and `room` as in keys.ts.
    for (const fragment of [
      "prefix .. 'node:' .. m.node .. ':members'",
      "prefix .. 'node:' .. m.node) == 1",
      "prefix .. 'room:{' .. room .. '}:members'",
      "prefix .. 'room:{' .. room .. '}:capacity'",
      "prefix .. 'nodes'",
      "prefix .. 'seq'",
    ]) {
      assert.ok(lua.includes(fragment), fragment);
    }
  });
});

describe('member entries', () => {
  it('joins room and id with a newline and splits them again', () => {
    assert.equal(memberEntry('r.1', 'abc'), 'r.1\nabc');
    assert.deepEqual(parseMemberEntry(memberEntry('r.1', 'abc')), { room: 'r.1', id: 'abc' });
  });

  it('splits at the first newline: room names have none', () => {
    assert.deepEqual(parseMemberEntry('room\nid\nwith-newline'), { room: 'room', id: 'id\nwith-newline' });
  });
});

describe('member records', () => {
  const record = (id: string, seq: number) => ({ id, name: id, socketId: `s-${id}`, node: 'n', seq });

  it('parses a JSON array of records into join order', () => {
    const json = JSON.stringify([record('c', 3), record('a', 1), record('b', 2)]);
    assert.deepEqual(
      parseMembers(json).map((m) => m.id),
      ['a', 'b', 'c'],
    );
  });

  it('parses hash values into join order', () => {
    const values = [record('b', 20), record('a', 10)].map((r) => JSON.stringify(r));
    assert.deepEqual(
      parseRecords(values).map((m) => m.id),
      ['a', 'b'],
    );
  });

  it('parses an empty array as nobody', () => {
    assert.deepEqual(parseMembers('[]'), []);
  });
});
