// `npm test`: every test. Installs missing system packages, then runs the type check, the server
// tests (node's runner) and the browser tests (web-test-runner in Chromium) inside a
// loopback-only network namespace when this machine allows it (root with unshare), so WebRTC
// traffic stays on 127.0.0.1; elsewhere (a laptop) it runs them plainly. Ends with one line:
// "total: N passed, N failed, N skipped".
import { spawn } from 'node:child_process';
import { canUseNetns, rerunInNetns } from './netns.mjs';
import { ensureSystemPackages } from './system-deps.mjs';

const INSIDE = '--inside-netns';

/** Runs a command, echoing its output, and returns { code, output }. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      output += d;
      process.stderr.write(d);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const strip = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
const num = (text, re) => Number(strip(text).match(re)?.[1] ?? 0);

async function runAll() {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  let ok = true;

  const typecheck = await run('npm', ['run', '--silent', 'typecheck']);
  if (typecheck.code !== 0) {
    ok = false;
    totals.failed++;
    console.error('type check failed');
  }

  const server = await run('npm', ['run', '--silent', 'test:server']);
  totals.passed += num(server.output, /^(?:ℹ|#) pass (\d+)/m);
  totals.failed += num(server.output, /^(?:ℹ|#) fail (\d+)/m) + num(server.output, /^(?:ℹ|#) cancelled (\d+)/m);
  totals.skipped += num(server.output, /^(?:ℹ|#) skipped (\d+)/m) + num(server.output, /^(?:ℹ|#) todo (\d+)/m);
  if (server.code !== 0) ok = false;

  const browser = await run('npm', ['run', '--silent', 'test:browser']);
  totals.passed += num(browser.output, /browser: (\d+) passed/);
  totals.failed += num(browser.output, /browser: \d+ passed, (\d+) failed/);
  totals.skipped += num(browser.output, /browser: \d+ passed, \d+ failed, (\d+) skipped/);
  if (browser.code !== 0) ok = false;

  if (!ok && totals.failed === 0) totals.failed = 1; // a runner failed without counting a test
  console.log(`total: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  return ok ? 0 : 1;
}

if (process.argv.includes(INSIDE)) {
  process.exit(await runAll());
}

ensureSystemPackages();
if (canUseNetns()) {
  console.log('Running the tests in a loopback-only network namespace.');
  process.exit(rerunInNetns('scripts/test.mjs', INSIDE));
} else {
  console.log('Running the tests in this network namespace (no root or no unshare).');
  process.exit(await runAll());
}
