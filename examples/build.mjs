// Builds the React and Vue examples with esbuild into `outdir` (the plain-HTML one needs no
// build). Run it from a project that has rtc-room, react, react-dom and vue installed:
//   node examples/build.mjs public
// The package's tests build them this way against the packed tarball.
import { cp } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Copies the pages and bundles each example's script next to its page. */
export async function buildExamples(outdir, { absWorkingDir = process.cwd() } = {}) {
  await cp(here, outdir, { recursive: true, filter: (src) => !/\.(tsx|mjs|md)$/.test(src) && !src.endsWith('vue/main.js') });
  const common = {
    absWorkingDir,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'silent',
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'false',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
  };
  const results = [];
  for (const [entry, out] of [
    ['react/main.tsx', 'react/main.js'],
    ['vue/main.js', 'vue/main.js'],
  ]) {
    results.push(
      await esbuild.build({
        ...common,
        entryPoints: [resolve(here, entry)],
        outfile: resolve(outdir, out),
        metafile: true,
        jsx: 'automatic',
      }),
    );
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildExamples(resolve(process.argv[2] ?? 'public'));
  console.log(`examples built into ${resolve(process.argv[2] ?? 'public')}`);
}
