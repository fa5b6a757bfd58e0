import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusalFor, requestRefusal } from './io.js';

const open = { closing: () => false, allowed: null, maxConnectionsPerIp: 2 };

describe('handshake guard', () => {
  it('lets a handshake in while the IP is under its cap', () => {
    assert.equal(refusalFor(open, 'https://any.test', 1), null);
  });

  it('refuses too_many_connections once the IP holds its cap', () => {
    assert.equal(refusalFor(open, undefined, 2), 'too_many_connections');
  });

  it('refuses a page of an origin not on the list, and lets in requests without Origin', () => {
    const listed = { ...open, allowed: new Set(['https://app.test']) };
    assert.equal(refusalFor(listed, 'https://evil.test', 0), 'origin_not_allowed');
    assert.equal(refusalFor(listed, 'https://app.test', 0), null);
    assert.equal(refusalFor(listed, undefined, 0), null);
  });

  it('refuses server_closing first while the server closes, whatever else holds', () => {
    assert.equal(
      refusalFor({ ...open, closing: () => true, allowed: new Set(['https://app.test']) }, 'https://evil.test', 99),
      'server_closing',
    );
  });
});

describe('request guard (every Engine.IO request)', () => {
  const listed = new Set(['https://app.test']);

  it('refuses JSONP (a j parameter, any value) whatever the origin, with or without a list', () => {
    for (const allowed of [listed, null]) {
      for (const url of [
        '/socket.io/?EIO=4&transport=polling&j=0',
        '/socket.io/?j&EIO=4',
        '/socket.io/?EIO=4&transport=polling&sid=x&j=1',
      ]) {
        assert.equal(requestRefusal(allowed, url, undefined), 'jsonp_not_allowed', url);
        assert.equal(requestRefusal(allowed, url, 'https://app.test'), 'jsonp_not_allowed', url);
      }
    }
  });

  it('refuses an origin not on the list on any request, a sid or not, and lets in requests without Origin', () => {
    const poll = '/socket.io/?EIO=4&transport=polling&sid=abc';
    assert.equal(requestRefusal(listed, poll, 'https://evil.test'), 'origin_not_allowed');
    assert.equal(requestRefusal(listed, poll, 'https://app.test'), null);
    assert.equal(requestRefusal(listed, poll, undefined), null);
    assert.equal(requestRefusal(null, poll, 'https://evil.test'), null, 'no list: any origin');
  });
});
