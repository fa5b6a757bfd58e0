// The page bundle for node-driven browser tests and benches: the same as dist/rtc-room.js (one ES
// module, browser builds) but built from the sources with esbuild in a moment, since `npm test`
// does not build.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

/** Builds `rtc-room.js` into a new temporary directory (named `prefix…`) and returns its path. */
export async function buildTestBundle(prefix = 'rtc-bundle-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await build({
    entryPoints: ['components/define.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['browser', 'production'],
    outfile: join(dir, 'rtc-room.js'),
    logLevel: 'silent',
  });
  return dir;
}
