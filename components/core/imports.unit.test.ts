import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';

/** Every module of the core (tests aside): each must load in Node, which has no DOM. */
const modules = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('the core without a DOM', () => {
  it('finds the core’s modules', () => {
    assert.ok(modules.includes('room-session.ts') && modules.length > 10);
  });

  for (const file of modules) {
    it(`loads ${file} without touching DOM globals`, async () => {
      assert.equal(typeof (globalThis as { document?: unknown }).document, 'undefined');
      await import(`./${file.replace(/\.ts$/, '.js')}`);
    });
  }
});
