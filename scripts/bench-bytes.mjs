// Where the bundle's bytes go, from dist/bundle-stats.json (written by the build: rollup.config.js,
// scripts/bundle-stats.mjs). `node scripts/bench-bytes.mjs` prints it alone; bench-start.mjs at its end.
//
// "The call" is what a page with only the call's tags loads: rtc-room.js and the chunks it imports
// statically. "All seven tags" adds the lazy chunks. Sizes are as served (minified), gzip level 9,
// each file gzipped alone. Per package and per module: that code minified alone, and the package's
// code gzipped alone (so the parts add up to a little more than the whole).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';

/** The targets (KB, gzip), printed beside the limits `npm test` holds (scripts/bundle-size.browser.test.ts). */
export const TARGETS = Object.freeze({ call: 30, all: 36, ownCall: 12 });

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const gzip = (text) => gzipSync(text, { level: 9 }).length;

/** The sizes the size check and the bench use: the call's, all tags', and our own code in the call's bytes. */
export function bundleBytes(stats = JSON.parse(readFileSync('dist/bundle-stats.json', 'utf8'))) {
  const byFile = new Map(stats.chunks.map((c) => [c.file, c]));
  const entry = stats.chunks.find((c) => c.entry);
  const call = [entry];
  for (let i = 0; i < call.length; i++) for (const f of call[i].imports) if (!call.some((c) => c.file === f)) call.push(byFile.get(f));
  const sum = (chunks, key) => chunks.reduce((n, c) => n + c[key], 0);
  const callModules = call.flatMap((c) => c.modules);
  const own = callModules.filter((m) => m.package === 'rtc-room');
  return {
    stats,
    call,
    callModules,
    callMin: sum(call, 'min'),
    callGzip: sum(call, 'gzip'),
    allMin: sum(stats.chunks, 'min'),
    allGzip: sum(stats.chunks, 'gzip'),
    ownCallGzip: gzip(own.map((m) => m.code).join('\n')),
  };
}

export function printBytes({ top = 12 } = {}) {
  let bytes;
  try {
    bytes = bundleBytes();
  } catch {
    console.log('bytes: dist/bundle-stats.json is missing (npm run build:bundle)');
    return;
  }
  const { stats, call, callModules } = bytes;
  console.log(
    `bytes (min / gzip; targets: call <= ${TARGETS.call} KB, all seven tags <= ${TARGETS.all} KB, our code in the call <= ${TARGETS.ownCall} KB gzip):`,
  );
  console.log(`  the call (${call.map((c) => c.file).join(' + ')}): ${kb(bytes.callMin)} / ${kb(bytes.callGzip)}`);
  console.log(`  all seven tags (${stats.chunks.length} files): ${kb(bytes.allMin)} / ${kb(bytes.allGzip)}`);
  for (const chunk of stats.chunks.filter((c) => !call.includes(c)))
    console.log(`    lazy ${chunk.file}: ${kb(chunk.min)} / ${kb(chunk.gzip)}`);
  const packages = new Map();
  for (const m of callModules) packages.set(m.package, [...(packages.get(m.package) ?? []), m]);
  console.log('  the call per package:');
  for (const [name, modules] of [...packages].sort((a, b) => b[1].reduce((n, m) => n + m.min, 0) - a[1].reduce((n, m) => n + m.min, 0))) {
    const min = modules.reduce((n, m) => n + m.min, 0);
    console.log(
      `    ${name.padEnd(24)}${kb(min).padStart(10)}${kb(gzip(modules.map((m) => m.code).join('\n'))).padStart(10)}  (${modules.length} modules)`,
    );
  }
  console.log(`  the call's largest modules (min / gzip alone):`);
  for (const m of [...callModules].sort((a, b) => b.min - a.min).slice(0, top)) {
    console.log(`    ${m.id.replace(/^.*node_modules\//, '').padEnd(58)}${kb(m.min).padStart(10)}${kb(gzip(m.code)).padStart(10)}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printBytes({ top: Number(process.argv[2] ?? 25) });
