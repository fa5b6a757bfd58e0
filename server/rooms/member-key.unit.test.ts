import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memberKey, parseMemberKey } from './member-key.js';

describe('memberKey', () => {
  it('joins room and member id with a newline, as the Redis scripts do', () => {
    assert.equal(memberKey('standup', 'abc'), 'standup\nabc');
  });

  it('tells apart keys whose room and id would run together without a separator', () => {
    assert.notEqual(memberKey('ab', 'c'), memberKey('a', 'bc'));
  });

  it('gives the same key for the same member of the same room', () => {
    assert.equal(memberKey('r', 'm'), memberKey('r', 'm'));
  });

  it('reads back the room and id it was made from', () => {
    assert.deepEqual(parseMemberKey(memberKey('team 42', 'Zx_9-')), { room: 'team 42', id: 'Zx_9-' });
  });

  it('refuses a string that is no member key', () => {
    assert.throws(() => parseMemberKey('no separator'), TypeError);
  });
});
