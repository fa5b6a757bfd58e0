import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { PassThrough } from 'node:stream';
import { closedOrDestroyed } from './shutdown.js';

describe('closedOrDestroyed', () => {
  it('destroys the connections still open when the bound ends, and leaves alone those that closed', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const polite = new PassThrough();
      const stuck = new PassThrough();
      const done = closedOrDestroyed([polite, stuck], 500);
      polite.destroy();
      await new Promise((r) => polite.once('close', r));
      assert.equal(stuck.destroyed, false, 'not before the bound');
      mock.timers.tick(500);
      await done;
      assert.equal(stuck.destroyed, true);
    } finally {
      mock.timers.reset();
    }
  });

  it('returns at once when every connection has closed', async () => {
    const polite = new PassThrough();
    polite.destroy();
    await new Promise((r) => polite.once('close', r));
    await closedOrDestroyed([polite], 60_000);
  });
});
