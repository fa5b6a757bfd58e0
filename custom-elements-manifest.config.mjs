// `cem analyze` configuration: the manifest (dist/custom-elements.json) that editors and
// framework tooling read. Public API comes from each element's JSDoc. scripts/cem-editor-data.mjs
// turns the written manifest into VS Code custom data and JetBrains web-types.
import { definitionPerTag, publishedModulePaths } from './scripts/cem-plugins.mjs';

export default {
  globs: ['components/**/*.ts'],
  exclude: ['components/**/*.test.ts', 'components/test-support/**', 'components/internal/**', 'components/core/**'],
  outdir: 'dist',
  litelement: true,
  // package.json already names dist/custom-elements.json in `customElements`.
  packagejson: false,
  plugins: [
    {
      // The analyzer guesses event names from `dispatchEvent(new X(...))` calls and gets
      // '' or 'detail' for our typed event classes; the @fires JSDoc tags are the real list.
      name: 'rtc-room-documented-events-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const decl of mod.declarations ?? []) {
            if (decl.events) decl.events = decl.events.filter((e) => e.name?.startsWith('rtc-'));
          }
        }
      },
    },
    definitionPerTag(),
    // last: the plugins above still see the source paths
    publishedModulePaths(),
  ],
};
