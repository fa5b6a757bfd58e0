import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusalFor } from './io.js';

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
