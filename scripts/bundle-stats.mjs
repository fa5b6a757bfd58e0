// A rollup plugin that writes `bundle-stats.json` beside the bundle: for each chunk its size as
// served (minified; gzip level 9) and, for each module in it, the size of its own code minified the
// same way. scripts/bench-bytes.mjs prints it per package and per module.
import { gzipSync } from 'node:zlib';
import { minify } from 'terser';

/** The npm package a module comes from (its path after the last node_modules/), or `rtc-room` for ours. */
export function packageOf(id) {
  const at = id.lastIndexOf('node_modules/');
  if (at < 0) return 'rtc-room';
  const [scope, name] = id.slice(at + 'node_modules/'.length).split('/');
  return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

const gzip = (text) => gzipSync(text, { level: 9 }).length;

export function bundleStats({ terser, file = 'bundle-stats.json' }) {
  return {
    name: 'bundle-stats',
    async generateBundle(_options, bundle) {
      const chunks = [];
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const modules = [];
        for (const [id, info] of Object.entries(chunk.modules)) {
          if (!info.code) continue;
          const { code = '' } = await minify(info.code, { ...terser, module: true, compress: { passes: 1, unused: false } });
          modules.push({ id: id.replace(/^\0/, '').replace(process.cwd() + '/', ''), package: packageOf(id), min: code.length, code });
        }
        chunks.push({
          file: chunk.fileName,
          entry: chunk.isEntry,
          imports: chunk.imports,
          dynamicImports: chunk.dynamicImports,
          min: Buffer.byteLength(chunk.code),
          gzip: gzip(chunk.code),
          modules,
        });
      }
      this.emitFile({ type: 'asset', fileName: file, source: JSON.stringify({ chunks }) });
    },
  };
}
