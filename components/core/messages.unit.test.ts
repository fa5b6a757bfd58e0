import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage, MAX_MESSAGE_LENGTH } from './messages.js';

describe('encodeMessage', () => {
  it('wraps the data as {"data": ...}', () => {
    assert.equal(encodeMessage({ hello: 1 }).text, '{"data":{"hello":1}}');
  });

  it('counts bytes as UTF-8, not characters', () => {
    assert.equal(encodeMessage('é').bytes, '{"data":"é"}'.length + 1);
  });

  it('refuses undefined with a TypeError', () => {
    assert.throws(() => encodeMessage(undefined), TypeError);
  });

  it('refuses a BigInt, which JSON cannot carry, with a TypeError', () => {
    assert.throws(() => encodeMessage(10n), TypeError);
  });

  it('refuses a message over the limit with a RangeError', () => {
    assert.throws(() => encodeMessage('x'.repeat(MAX_MESSAGE_LENGTH)), RangeError);
  });

  it('takes a message of exactly the limit', () => {
    const data = 'x'.repeat(MAX_MESSAGE_LENGTH - '{"data":""}'.length);
    assert.equal(encodeMessage(data).bytes, MAX_MESSAGE_LENGTH);
  });
});

describe('decodeMessage', () => {
  it('gives back what encodeMessage wrapped', () => {
    assert.deepEqual(decodeMessage(encodeMessage([1, 'two', null]).text), { data: [1, 'two', null] });
  });

  it('keeps null data apart from no message', () => {
    assert.deepEqual(decodeMessage('{"data":null}'), { data: null });
  });

  it('ignores text that is not JSON', () => {
    assert.equal(decodeMessage('not json'), null);
  });

  it('ignores JSON without a data field', () => {
    assert.equal(decodeMessage('{"other":1}'), null);
  });

  it('ignores JSON that is not an object', () => {
    assert.equal(decodeMessage('42'), null);
  });
});
