// Runs in Node (npm run test:server), not in the browser: a page rendered on the server (Next.js,
// Astro, Lit SSR) imports the package there, where there is no window, document or navigator.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every tag define.ts registers, read from its `tags` table (so that a new element is checked too). */
const TAGS = (() => {
  const source = readFileSync(join(ROOT, 'components', 'define.ts'), 'utf8');
  const table = /const tags = \{([^}]*)\}/.exec(source)?.[1] ?? '';
  return [...table.matchAll(/'(rtc-[a-z-]+)':/g)].map((m) => m[1]!);
})();

/**
 * Imports `modules` in a fresh Node process whose `window`, `document`, `navigator`, `localStorage`
 * and `location` are getters that record who read them, and returns what happened.
 */
function importInNode(modules: string[]): { status: number | null; stderr: string; report: { readers: string[]; defined: string[] } } {
  const probe = `
    const readers = [];
    for (const name of ['window', 'document', 'navigator', 'localStorage', 'location']) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          const frame = new Error().stack.split('\\n')[2] ?? '';
          readers.push(name + ' ' + frame.trim());
          return undefined;
        },
      });
    }
    for (const m of ${JSON.stringify(modules)}) await import(m);
    const defined = typeof customElements === 'undefined' ? [] : ${JSON.stringify(TAGS)}.filter((t) => customElements.get(t));
    console.log(JSON.stringify({ readers, defined }));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '{}';
  return { status: run.status, stderr: run.stderr, report: JSON.parse(last || '{}') };
}

describe('importing in Node (server-side rendering)', () => {
  it('every entry point imports without a DOM, and our code reads no browser global at load time', () => {
    const { status, stderr, report } = importInNode([
      './components/index.ts',
      './components/define.ts',
      './components/core.ts',
      './components/jsx.ts',
      './components/core/room-session.ts',
    ]);
    assert.equal(status, 0, stderr);
    // Libraries may feature-test (`typeof document`); our own modules must not even do that.
    const ours = report.readers.filter((r) => r.includes('/components/'));
    assert.deepEqual(ours, []);
    // The tags are defined through Lit's server-side shim, so SSR can render them.
    assert.ok(TAGS.length >= 7 && TAGS.includes('rtc-controls'), `define.ts's tags not found: ${TAGS}`);
    assert.deepEqual(report.defined, TAGS);
  });

  it('the probe catches a module of ours that feature-tests document at load time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-ssr-'));
    try {
      mkdirSync(join(dir, 'components'));
      const bad = join(dir, 'components', 'bad.mjs');
      writeFileSync(bad, 'export const hasDom = typeof document !== "undefined";\n');
      const { status, report } = importInNode([pathToFileURL(bad).href]);
      assert.equal(status, 0);
      assert.equal(report.readers.filter((r) => r.includes('/components/bad.mjs')).length, 1, JSON.stringify(report));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
