// Where the CLI finds its own package.json (for --version) and the browser package `rtc-room`,
// whose dist/ has the bundle it serves at /rtc-room.js and whose demo/ is the page at /.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The nearest directory at or above `from` with a package.json. */
export function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The `name` and `version` of the package.json in `dir` (empty strings when unreadable). */
export function packageInfo(dir: string): { name: string; version: string } {
  try {
    const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return { name: typeof name === 'string' ? name : '', version: typeof version === 'string' ? version : '' };
  } catch {
    return { name: '', version: '' };
  }
}

/**
 * The `rtc-room` package's directory: the repository's top (this package is its `server/`
 * workspace), else `rtc-room` as installed next to `rtc-room-server` (an optional peer); undefined
 * when neither is there (the server then runs without the bundle and the demo).
 */
export function browserPackageDir(serverRoot: string): string | undefined {
  const top = dirname(serverRoot);
  if (packageInfo(top).name === 'rtc-room') return top;
  try {
    return dirname(createRequire(join(serverRoot, 'package.json')).resolve('rtc-room/package.json'));
  } catch {
    return undefined;
  }
}
