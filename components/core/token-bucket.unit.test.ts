import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBuckets } from './token-bucket.js';

describe('TokenBuckets', () => {
  const at = (t: { ms: number }) => () => t.ms;

  it('lets a burst through at once, then refuses', () => {
    const buckets = new TokenBuckets({ burst: 3, perSecond: 1 }, at({ ms: 0 }));
    assert.deepEqual(
      [1, 2, 3, 4].map(() => buckets.take('ada')),
      [true, true, true, false],
    );
  });

  it('refills at the rate, never above the burst', () => {
    const t = { ms: 0 };
    const buckets = new TokenBuckets({ burst: 2, perSecond: 4 }, at(t));
    buckets.take('ada');
    buckets.take('ada');
    t.ms = 250; // one token back
    assert.equal(buckets.take('ada'), true);
    assert.equal(buckets.take('ada'), false);
    t.ms = 60_000;
    assert.deepEqual(
      [1, 2, 3].map(() => buckets.take('ada')),
      [true, true, false],
    );
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1 }, at({ ms: 0 }));
    assert.equal(buckets.take('ada'), true);
    assert.equal(buckets.take('ada'), false);
    assert.equal(buckets.take('bob'), true);
  });

  it('starts a deleted key full again', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 0.001 }, at({ ms: 0 }));
    buckets.take('ada');
    buckets.delete('ada');
    assert.equal(buckets.take('ada'), true);
  });

  it('refuses options that would let nothing through', () => {
    assert.throws(() => new TokenBuckets({ burst: 0, perSecond: 1 }), RangeError);
    assert.throws(() => new TokenBuckets({ burst: 1, perSecond: 0 }), RangeError);
  });
});
