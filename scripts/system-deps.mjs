// Installs the system packages the tests need (Debian's chromium) when they are missing and this
// machine can install them (root with apt-get). Used by `npm test` and .ci/run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → a file it provides. */
export const SYSTEM_PACKAGES = {
  chromium: '/usr/bin/chromium',
};

export function ensureSystemPackages(packages = SYSTEM_PACKAGES) {
  const missing = Object.entries(packages)
    .filter(([name, file]) => !(name === 'chromium' && process.env.CHROMIUM_PATH) && !existsSync(file))
    .map(([name]) => name);
  if (missing.length === 0) return;
  const canApt = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!canApt) {
    console.error(
      `Missing system packages: ${missing.join(', ')}. Install them (Debian: sudo apt-get install -y ${missing.join(' ')}), ` +
        'or point CHROMIUM_PATH at a Chromium binary.',
    );
    process.exit(1);
  }
  console.log(`Installing ${missing.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSystemPackages();
