// bundleBytes: what counts as the call's bytes (the entry and what it imports statically), all
// tags' bytes (every chunk) and our own code in the call (only rtc-room's modules, in the call).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

const { bundleBytes } = (await import('./bench-bytes.mjs' as string)) as {
  bundleBytes(stats: unknown): {
    callMin: number;
    callGzip: number;
    allMin: number;
    allGzip: number;
    ownCallGzip: number;
    call: { file: string }[];
  };
};

const chunk = (file: string, size: number, imports: string[], modules: { package: string; code: string }[], entry = false) => ({
  file,
  entry,
  imports,
  dynamicImports: [],
  min: size,
  gzip: size / 2,
  modules: modules.map((m, i) => ({ id: `${file}-${i}`, min: m.code.length, ...m })),
});

describe('bundleBytes', () => {
  const stats = {
    chunks: [
      chunk('lazy.js', 100, ['rtc-room.js'], [{ package: 'rtc-room', code: 'x'.repeat(5000) }]),
      chunk(
        'rtc-room.js',
        1000,
        ['shared.js'],
        [
          { package: 'lit-html', code: 'lit' },
          { package: 'rtc-room', code: 'ours' },
        ],
        true,
      ),
      chunk('shared.js', 400, [], [{ package: 'rtc-room', code: 'shared' }]),
    ],
  };

  it('counts the entry and its static imports as the call, every chunk as all tags', () => {
    const bytes = bundleBytes(stats);
    assert.deepEqual(
      bytes.call.map((c) => c.file),
      ['rtc-room.js', 'shared.js'],
    );
    assert.equal(bytes.callMin, 1400);
    assert.equal(bytes.callGzip, 700);
    assert.equal(bytes.allMin, 1500);
    assert.equal(bytes.allGzip, 750);
  });

  it("counts only rtc-room's modules in the call as our own code", () => {
    const own = bundleBytes(stats).ownCallGzip;
    assert.ok(own > 0 && own < 100, `${own}: the lazy chunk's 5000 bytes of ours are not in the call`);
  });
});
