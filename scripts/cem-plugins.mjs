// Analyzer plugins (custom-elements-manifest.config.mjs) that make the manifest describe the
// published package rather than the sources: one `custom-element-definition` export per tag, and
// module paths naming the `.js` files in dist/ that the package ships.

import { posix } from 'node:path';

/**
 * A source path from the package root (`components/x/y.ts`, or `.js` as an import names it) →
 * the file `tsc -p tsconfig.build.json` writes: `dist/components/x/y.js`.
 */
export function publishedPath(path) {
  if (path.startsWith('dist/') || path.endsWith('.d.ts')) return path;
  return `dist/${path.replace(/\.ts$/, '.js')}`;
}

/**
 * The analyzer reads `customElements.define(tag, ctor)` in define.ts's loop as one definition of a
 * tag named `tag` by a class named `ctor`. This replaces whatever definitions it found with one per
 * element that has a tag name (`@tagname`), exported from the registering module: the module where
 * the analyzer saw a definition, else `defineModule`.
 */
export function definitionPerTag({ defineModule = 'components/define.ts' } = {}) {
  return {
    name: 'rtc-room-definition-per-tag',
    packageLinkPhase({ customElementsManifest }) {
      const { modules } = customElementsManifest;
      const elements = modules.flatMap((mod) =>
        (mod.declarations ?? [])
          .filter((d) => d.customElement && d.tagName)
          .map((d) => ({ tag: d.tagName, name: d.name, module: mod.path })),
      );
      const isDefinition = (e) => e.kind === 'custom-element-definition';
      const registering = modules.filter((mod) => mod.exports?.some(isDefinition));
      const target = registering[0] ?? modules.find((mod) => mod.path === defineModule);
      for (const mod of registering) mod.exports = mod.exports.filter((e) => !isDefinition(e));
      if (!target) throw new Error(`rtc-room-definition-per-tag: no module registers the tags (looked for ${defineModule})`);
      target.exports = [
        ...(target.exports ?? []),
        ...elements.map((el) => ({
          kind: 'custom-element-definition',
          name: el.tag,
          declaration: { name: el.name, module: el.module },
        })),
      ];
    },
  };
}

/**
 * Rewrites every module path and every `module` reference to the published `.js` file. The
 * analyzer leaves re-exports from modules it does not read (core/) as written (`./core/errors.js`);
 * the schema wants paths from the package root, so those are resolved against their module first.
 */
export function publishedModulePaths() {
  const walk = (value, from) => {
    if (Array.isArray(value)) return value.forEach((v) => walk(v, from));
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key !== 'module' || typeof inner !== 'string') walk(inner, from);
      else value[key] = publishedPath(inner.startsWith('.') ? posix.join(posix.dirname(from), inner) : inner);
    }
  };
  return {
    name: 'rtc-room-published-module-paths',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        walk(mod.declarations, mod.path);
        walk(mod.exports, mod.path);
        mod.path = publishedPath(mod.path);
      }
    },
  };
}
