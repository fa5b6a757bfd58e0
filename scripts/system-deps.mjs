// Installs the system packages the tests need (Debian's chromium, coturn for the TURN tests,
// redis-server for the several-node tests and firefox-esr for the Firefox calls) when they are missing and this machine can install them
// (root with apt-get). Installing coturn or redis-server does not start them: the tests start their
// own (server/test-support/coturn.ts, server/test-support/redis.ts). Used by `npm test` and .ci/run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → a file it provides. */
export const SYSTEM_PACKAGES = {
  chromium: '/usr/bin/chromium',
  coturn: '/usr/bin/turnserver',
  'redis-server': '/usr/bin/redis-server',
  'firefox-esr': '/usr/bin/firefox-esr',
  // the SFU tests (server/sfu/, server/sfu.browser.test.ts) start their own (server/test-support/janus.ts)
  janus: '/usr/bin/janus',
};

/** Packages whose tests skip (with a message) when they are missing, rather than fail. */
const OPTIONAL = new Set(['coturn', 'redis-server', 'firefox-esr', 'janus']);

export function ensureSystemPackages(packages = SYSTEM_PACKAGES) {
  const missing = Object.entries(packages)
    .filter(([name, file]) => !(name === 'chromium' && process.env.CHROMIUM_PATH) && !existsSync(file))
    .map(([name]) => name);
  if (missing.length === 0) return;
  const canApt = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!canApt) {
    const required = missing.filter((name) => !OPTIONAL.has(name));
    const hint = `(Debian: sudo apt-get install -y ${missing.join(' ')})`;
    if (required.length === 0) {
      console.warn(`Missing system packages: ${missing.join(', ')}; their tests will skip. Install them ${hint}.`);
      return;
    }
    console.error(`Missing system packages: ${missing.join(', ')}. Install them ${hint}, or point CHROMIUM_PATH at a Chromium binary.`);
    process.exit(1);
  }
  console.log(`Installing ${missing.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  } catch (error) {
    if (missing.some((name) => !OPTIONAL.has(name))) throw error;
    console.warn(`Could not install ${missing.join(', ')}; their tests will skip.`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSystemPackages();
