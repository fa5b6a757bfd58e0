// `npm test`: every tier in order: typecheck, lint, unit, integration, e2e, package. `node
// scripts/test.mjs unit e2e` runs only those tiers (what `npm run test:unit` etc. do); arguments
// starting with `--` go to node's test runner (e.g. `npm run test:unit -- --test-name-pattern=x`).
// Test files are found by name, so new ones join their tier by being named for it:
//   unit         *.unit.test.ts under components/ server/ protocol/ scripts/: no browser, no server process
//   integration  the other *.test.ts under server/ and scripts/, and components/**/*.node.test.ts:
//                servers in-process on 127.0.0.1, Redis, coturn
//   e2e          web-test-runner in Chromium (components/**/*.test.ts), then *.browser.test.ts under
//                server/ and scripts/ (node tests driving Chromium with playwright-core)
//   package      scripts/package*.test.ts: build, pack, install the tarballs, run the examples
// Tiers past unit install missing system packages (chromium, coturn, redis-server) when this machine
// can, and run inside a loopback-only network namespace when it allows (root with unshare), so WebRTC
// traffic stays on 127.0.0.1; elsewhere (a laptop) they run plainly. Prints one line per tier and
// ends with "total: N passed, N failed, N skipped"; exits non-zero when anything failed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { canUseNetns, rerunInNetns } from './netns.mjs';
import { ensureSystemPackages } from './system-deps.mjs';

const INSIDE = '--inside-netns';
const UNIT_CONCURRENCY = Math.max(2, availableParallelism());
const INTEGRATION_CONCURRENCY = 2;

/** Files under `dirs` whose path passes `keep`, sorted (no node_modules, no build output). */
function find(dirs, keep) {
  const found = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // a tier's folder that does not exist (yet)
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      else if (entry.isFile() && keep(path)) found.push(path);
    }
  };
  dirs.forEach(walk);
  return found.sort();
}

const isUnit = (path) => path.endsWith('.unit.test.ts');
const isBrowser = (path) => path.endsWith('.browser.test.ts');
/** scripts/package.test.ts, scripts/package-types.test.ts, …: the packed packages in fresh projects. */
const isPackage = (path) => !isUnit(path) && /^scripts\/package[^/]*\.test\.ts$/.test(path.split('\\').join('/'));
const isIntegration = (path) => path.endsWith('.test.ts') && !isUnit(path) && !isBrowser(path) && !isPackage(path);

/** Test files no tier runs (e.g. protocol/x.test.ts: not a unit test, and not under components/, server/ or scripts/). */
function orphans() {
  // under components/: unit, *.node.test.ts (integration), the rest in the browser (e2e)
  const inTier = (path) => isUnit(path) || isBrowser(path) || /^(components|server|scripts)\//.test(path);
  return find(['components', 'server', 'protocol', 'scripts', 'demo', 'examples'], (p) => p.endsWith('.test.ts') && !inTier(p));
}

/** node's test runner on these files; with none, nothing (bare `node --test` would search everywhere). */
function nodeTest(files, extra) {
  if (files.length === 0) return null;
  return { kind: 'node', cmd: 'node', args: ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files] };
}

const npm = (script) => ({ kind: 'step', cmd: 'npm', args: ['run', '--silent', script] });

/** Each tier: the commands it runs, in order. */
const TIERS = {
  typecheck: () => [npm('typecheck')],
  lint: () => [npm('lint')],
  // unit files share nothing (no port, no process): two at a time even on two cores, where node's default is one
  unit: (extra) => [
    nodeTest(find(['components', 'server', 'protocol', 'scripts'], isUnit), [`--test-concurrency=${UNIT_CONCURRENCY}`, ...extra]),
  ],
  // Two files at a time (node's default is one on two cores): they mostly wait on sockets and
  // servers, each on ports of its own (port 0, or chosen at random and checked free). Measured: 62 s
  // instead of 111 s. Not the browser files below: they are CPU-bound (135 s two at a time, 105 s one).
  integration: (extra) => [
    nodeTest(
      [...find(['server', 'scripts'], isIntegration), ...find(['components'], (p) => p.endsWith('.node.test.ts'))],
      [`--test-concurrency=${INTEGRATION_CONCURRENCY}`, ...extra],
    ),
  ],
  e2e: (extra) => [{ ...npm('test:browser'), kind: 'wtr' }, nodeTest(find(['server', 'scripts'], isBrowser), extra)],
  // built once here for every package test file (each would build otherwise)
  package: (extra) => {
    const files = nodeTest(find(['scripts'], isPackage), extra);
    return files ? [npm('build'), { ...files, env: { RTC_PACKAGE_PREBUILT: '1' } }] : [];
  },
};
/** Tiers that need Chromium, coturn or redis-server, and loopback only. */
const NEEDS_SYSTEM = new Set(['integration', 'e2e', 'package']);

/** Runs a command (with `env` added to ours), echoing its output, and returns { code, output }. */
function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
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

/** The counts a command's output reports: node's runner summary, or the wtr reporter's line. */
function counts(kind, output) {
  if (kind === 'node') {
    const n = (name) => num(output, new RegExp(`^(?:ℹ|#) ${name} (\\d+)`, 'm'));
    return { passed: n('pass'), failed: n('fail') + n('cancelled'), skipped: n('skipped') + n('todo') };
  }
  if (kind === 'wtr') {
    const m = strip(output).match(/browser: (\d+) passed, (\d+) failed, (\d+) skipped/);
    return { passed: Number(m?.[1] ?? 0), failed: Number(m?.[2] ?? 0), skipped: Number(m?.[3] ?? 0) };
  }
  return { passed: 0, failed: 0, skipped: 0 };
}

async function runTiers(tiers, extra) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const lines = [];
  const lost = tiers.length === Object.keys(TIERS).length ? orphans() : [];
  if (lost.length) {
    totals.failed++;
    lines.push(`not in any tier (rename them *.unit.test.ts, or move them): ${lost.join(', ')}`);
    console.error(lines[0]);
  }
  for (const tier of tiers) {
    const start = performance.now();
    const tally = { passed: 0, failed: 0, skipped: 0 };
    let ok = true;
    const steps = TIERS[tier](extra).filter(Boolean);
    for (const step of steps) {
      const { code, output } = await run(step.cmd, step.args, step.env);
      const c = counts(step.kind, output);
      // a runner that failed without counting a failed test (a type error, an import error) counts one
      if (code !== 0 && c.failed === 0) c.failed = 1;
      if (code !== 0) ok = false;
      for (const k of Object.keys(tally)) tally[k] += c[k];
    }
    for (const k of Object.keys(totals)) totals[k] += tally[k];
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    const detail = [`${tally.passed} passed`, tally.failed && `${tally.failed} failed`, tally.skipped && `${tally.skipped} skipped`];
    const tests =
      steps.length === 0 ? ' (no test files)' : steps.some((s) => s.kind !== 'step') ? ` (${detail.filter(Boolean).join(', ')})` : '';
    const line = `tier ${tier}: ${ok ? 'ok' : 'FAILED'} in ${seconds} s${tests}`;
    lines.push(line);
    console.log(line);
  }
  if (lines.length > 1) console.log(`\n${lines.join('\n')}`);
  console.log(`total: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  return totals.failed === 0 ? 0 : 1;
}

const argv = process.argv.slice(2);
const inside = argv.includes(INSIDE);
const names = argv.filter((a) => !a.startsWith('--'));
const extra = argv.filter((a) => a.startsWith('--') && a !== INSIDE);
const unknown = names.filter((name) => !(name in TIERS));
if (unknown.length) {
  console.error(`Unknown tier ${unknown.join(', ')}; tiers: ${Object.keys(TIERS).join(', ')}`);
  process.exit(2);
}
const tiers = names.length ? names : Object.keys(TIERS);

if (inside || !tiers.some((tier) => NEEDS_SYSTEM.has(tier))) {
  process.exit(await runTiers(tiers, extra));
}
ensureSystemPackages();
if (canUseNetns()) {
  console.log('Running the tests in a loopback-only network namespace.');
  process.exit(rerunInNetns('scripts/test.mjs', INSIDE, [...tiers, ...extra]));
} else {
  console.log('Running the tests in this network namespace (no root or no unshare).');
  process.exit(await runTiers(tiers, extra));
}
