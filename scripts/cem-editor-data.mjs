// Editor data from the manifest (run by `npm run build:lib` after `cem analyze`):
//   dist/vscode.html-custom-data.json, dist/vscode.css-custom-data.json  VS Code's html/css.customData
//   dist/web-types.json                                                  JetBrains IDEs (package.json `web-types`)
// Tags, attributes with their values, events, slots, parts and custom properties, with the JSDoc.
// A separate step rather than analyzer plugins: `npm run docs` and the tests run the analyzer
// without writing, and these would write files anyway.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The files this writes, relative to the package root. */
export const EDITOR_DATA = {
  vscodeHtml: 'dist/vscode.html-custom-data.json',
  vscodeCss: 'dist/vscode.css-custom-data.json',
  webTypes: 'dist/web-types.json',
};

/**
 * The VS Code generator lists a named type (`RTCIceTransportPolicy`) as the one value an attribute
 * takes, and gives booleans none. Booleans get VS Code's value set `v` (no value); values are kept
 * only where the type spells them out as string literals.
 */
function fixAttributeValues(data, manifest) {
  const types = new Map();
  for (const decl of manifest.modules.flatMap((m) => m.declarations ?? []))
    for (const attr of decl.attributes ?? []) types.set(`${decl.tagName} ${attr.name}`, attr.type?.text ?? '');
  for (const tag of data.tags)
    for (const attr of tag.attributes ?? []) {
      const type = types.get(`${tag.name} ${attr.name}`) ?? '';
      if (type === 'boolean') {
        delete attr.values;
        attr.valueSet = 'v';
      } else {
        const literal = (v) => /['"]/.test(type) && /^[a-z0-9][\w-]*$/.test(v.name);
        attr.values = (attr.values ?? []).filter(literal);
        if (!attr.values.length) delete attr.values;
      }
    }
  return data;
}

/** The three files' contents, from a manifest (JSON, two-space indented). */
export async function editorData(manifest) {
  const previous = process.cwd();
  // The web-types generator reads ./package.json (name, version) when it is loaded.
  process.chdir(root);
  try {
    const { getVsCodeHtmlCustomData, getVsCodeCssCustomData } = await import('custom-element-vs-code-integration');
    const { getWebTypesData } = await import('custom-element-jet-brains-integration');
    const common = { hideLogs: true, hideMethodDocs: true };
    const pretty = (json) => `${JSON.stringify(JSON.parse(json), null, 2)}\n`;
    const { name } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    return {
      vscodeHtml: pretty(JSON.stringify(fixAttributeValues(JSON.parse(getVsCodeHtmlCustomData(manifest, common)), manifest))),
      vscodeCss: pretty(getVsCodeCssCustomData(manifest, common)),
      // `import 'rtc-room'` registers the tags and exports the classes
      webTypes: pretty(getWebTypesData(manifest, { ...common, modulePathTemplate: () => name })),
    };
  } finally {
    process.chdir(previous);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const manifest = JSON.parse(await readFile(join(root, 'dist/custom-elements.json'), 'utf8'));
  const data = await editorData(manifest);
  for (const [key, path] of Object.entries(EDITOR_DATA)) await writeFile(join(root, path), data[key]);
  console.log(`editor data: ${Object.values(EDITOR_DATA).join(', ')}`);
}
