// The data channel of a PeerLink under load and when it closes: two links in one page, wired
// to each other directly (no server, no media).
import { expect, waitUntil } from '@open-wc/testing';
import { linkPair } from '../test-support/link-pair.js';
import { utf8Length, type SendOutcome } from './peer-link.js';

function dataPair() {
  const { a, b } = linkPair({ sendAudio: false, sendVideo: false });
  const received: string[] = [];
  b.addEventListener('message', (e) => received.push((e as CustomEvent<string>).detail));
  return { a, b, received };
}

/** 64,000-byte messages that say their number first. */
const big = (n: number) => `${String(n).padStart(6, '0')}${'x'.repeat(63_994)}`;

describe('PeerLink data channel', function () {
  this.timeout(60_000);

  it("a burst larger than the browser's send buffer: never throws, waits for the buffer, delivers in order what it took", async () => {
    const { a, b, received } = dataPair();
    try {
      const first = a.send('hello');
      expect(first).to.equal('queued'); // not connected yet
      await waitUntil(() => received.length === 1, 'the channel did not open', { timeout: 10_000 });
      // 1,000 × 64 KB in one go: 64 MB, four times what Chromium's channel holds before it throws.
      const outcomes: SendOutcome[] = [];
      for (let n = 0; n < 1_000; n++) outcomes.push(a.send(big(n)));
      const taken = outcomes.filter((o) => o === 'sent' || o === 'queued').length;
      expect(outcomes.filter((o) => o === 'queued').length, 'held back while the buffer drains').to.be.greaterThan(0);
      expect(
        outcomes.slice(taken).every((o) => o === 'full'),
        'refused only once the queue is full, none after a refusal was taken',
      ).to.be.true;
      expect(taken).to.be.lessThan(1_000);
      await waitUntil(() => received.length === 1 + taken, `received ${received.length - 1} of ${taken}`, { timeout: 40_000 });
      expect(received.slice(1).map((m) => Number(m.slice(0, 6)))).to.deep.equal([...Array(taken).keys()]);
      // Once drained, the link takes messages again.
      expect(a.send('after')).to.equal('sent');
    } finally {
      a.close();
      b.close();
    }
  });

  it('what waited for the channel to open goes out in order, even more than its buffer takes at once', async () => {
    const { a, b, received } = dataPair();
    try {
      const outcomes = Array.from({ length: 257 }, (_, n) => a.send(big(n)));
      expect(outcomes.slice(0, 256).every((o) => o === 'queued')).to.be.true;
      expect(outcomes[256]).to.equal('full');
      await waitUntil(() => received.length === 256, `received ${received.length} of 256`, { timeout: 40_000 });
      expect(received.map((m) => Number(m.slice(0, 6)))).to.deep.equal([...Array(256).keys()]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('a closing or closed channel takes nothing: closed, not sent', async () => {
    const { a, b, received } = dataPair();
    expect(a.send('one')).to.equal('queued');
    await waitUntil(() => received.length === 1, 'the channel did not open', { timeout: 10_000 });
    b.close(); // the other side goes: this side's channel closes
    await waitUntil(() => a.send('into the void') === 'closed', 'still said sent after the channel closed', { timeout: 10_000 });
    a.close();
    expect(a.send('after close')).to.equal('closed');
  });

  it('counts bytes, not UTF-16 characters', () => {
    expect(utf8Length('abc')).to.equal(3);
    expect(utf8Length('é')).to.equal(2);
    expect(utf8Length('😀')).to.equal(4);
  });
});
