// `npm run docs`: rewrites the element reference in docs/api.md (between `<!-- api:start -->`
// and `<!-- api:end -->`) from the custom elements manifest, which `cem analyze` builds from the
// elements' JSDoc. `--check` rewrites nothing and exits 1 when docs/api.md has drifted (npm test
// runs that check through scripts/readme-api.test.ts).
//
// Every custom element in the manifest gets a section, so a new element or attribute only needs
// its JSDoc and a rerun.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
// @ts-expect-error The analyzer ships no types for its CLI module.
import { cli } from '@custom-elements-manifest/analyzer/cli.js';

export const START = '<!-- api:start -->';
export const END = '<!-- api:end -->';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The file holding the generated reference. */
export const API_DOC = 'docs/api.md';
const docPath = `${root}${API_DOC}`;

/** The subset of the Custom Elements Manifest schema this script reads. */
interface Described {
  name: string;
  description?: string;
  summary?: string;
  deprecated?: boolean | string;
}
interface TypeRef {
  text: string;
}
interface Attribute extends Described {
  type?: TypeRef;
  default?: string;
  fieldName?: string;
}
interface Member extends Described {
  kind: 'field' | 'method';
  type?: TypeRef;
  default?: string;
  privacy?: 'public' | 'private' | 'protected';
  static?: boolean;
  readonly?: boolean;
  reflects?: boolean;
  attribute?: string;
  parameters?: { name: string; type?: TypeRef; optional?: boolean }[];
  return?: { type?: TypeRef };
}
interface CssProperty extends Described {
  default?: string;
}
export interface ElementDeclaration extends Described {
  kind: string;
  customElement?: boolean;
  tagName?: string;
  attributes?: Attribute[];
  members?: Member[];
  events?: (Described & { type?: TypeRef })[];
  slots?: Described[];
  cssParts?: Described[];
  cssProperties?: CssProperty[];
}
export interface Manifest {
  modules: { path: string; declarations?: ElementDeclaration[] }[];
}

/** Builds the manifest from the sources with the project's analyzer config, writing nothing. */
export async function analyze(): Promise<Manifest> {
  const previous = process.cwd();
  process.chdir(root);
  try {
    return (await cli({
      argv: ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet'],
      cwd: root,
      noWrite: true,
    })) as Manifest;
  } finally {
    process.chdir(previous);
  }
}

const code = (s: string) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);
/** One table cell: one line, pipes escaped. */
const cell = (s: string | undefined) =>
  (s ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
const typeCell = (t: TypeRef | undefined) => (t?.text ? cell(code(t.text)) : '');
const isPublic = (m: { name: string; privacy?: string; static?: boolean }) =>
  !m.static && (m.privacy ?? 'public') === 'public' && !m.name.startsWith('_') && !m.name.startsWith('#');

function table(head: string[], rows: string[][]): string {
  if (!rows.length) return '';
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function describe(d: { description?: string; deprecated?: boolean | string }): string {
  const deprecated = d.deprecated ? `**Deprecated**${typeof d.deprecated === 'string' ? `: ${d.deprecated}` : ''}. ` : '';
  return cell(deprecated + (d.description ?? ''));
}

/** The Markdown for one element. */
export function elementSection(el: ElementDeclaration): string {
  const members = (el.members ?? []).filter(isPublic);
  const fields = members.filter((m) => m.kind === 'field');
  const byField = new Map(fields.map((m) => [m.name, m]));
  const attributes = el.attributes ?? [];
  const withAttribute = new Set(attributes.map((a) => a.fieldName).filter(Boolean));

  const out: string[] = [`## \`<${el.tagName}>\``];
  if (el.summary) out.push(`**${el.summary.trim()}**`);
  if (el.description) out.push(el.description.trim());

  const sections: [string, string][] = [
    [
      'Attributes',
      table(
        ['attribute', 'property', 'type', 'default', 'description'],
        attributes.map((a) => {
          const field = a.fieldName ? byField.get(a.fieldName) : undefined;
          const name = code(a.name) + (field?.reflects ? ' (reflected)' : '');
          return [
            name,
            a.fieldName ? code(a.fieldName) : '',
            typeCell(a.type ?? field?.type),
            a.default ? code(a.default) : '',
            describe(a.description ? a : (field ?? a)),
          ];
        }),
      ),
    ],
    [
      'Properties',
      table(
        ['property', 'type', 'description'],
        fields
          .filter((m) => !withAttribute.has(m.name))
          .map((m) => [code(m.name) + (m.readonly ? ' (read-only)' : ''), typeCell(m.type), describe(m)]),
      ),
    ],
    [
      'Methods',
      table(
        ['method', 'description'],
        members
          .filter((m) => m.kind === 'method')
          .map((m) => {
            const params = (m.parameters ?? []).map((p) => `${p.name}${p.optional ? '?' : ''}${p.type ? `: ${p.type.text}` : ''}`);
            const returns = m.return?.type?.text ? `: ${m.return.type.text}` : '';
            return [code(`${m.name}(${params.join(', ')})${returns}`), describe(m)];
          }),
      ),
    ],
    [
      'Events',
      table(
        ['event', 'type', 'description'],
        (el.events ?? []).map((e) => [code(e.name), typeCell(e.type), describe(e)]),
      ),
    ],
    [
      'Slots',
      table(
        ['slot', 'description'],
        (el.slots ?? []).map((s) => [s.name ? code(s.name) : '(default)', describe(s)]),
      ),
    ],
    [
      'CSS parts',
      table(
        ['part', 'description'],
        (el.cssParts ?? []).map((p) => [code(p.name), describe(p)]),
      ),
    ],
    [
      'CSS custom properties',
      table(
        ['property', 'default', 'description'],
        (el.cssProperties ?? []).map((p) => [code(p.name), p.default ? code(p.default) : '', describe(p)]),
      ),
    ],
  ];
  for (const [title, body] of sections) if (body) out.push(`${title}:\n\n${body}`);
  return out.join('\n\n');
}

/** Every custom element in the manifest, `<rtc-room>` first, the others by tag name. */
export function elements(manifest: Manifest): ElementDeclaration[] {
  const found = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.customElement && d.tagName);
  const unique = [...new Map(found.map((d) => [d.tagName, d])).values()];
  const rank = (d: ElementDeclaration) => (d.tagName === 'rtc-room' ? '' : d.tagName!);
  return unique.sort((a, b) => rank(a).localeCompare(rank(b)));
}

/** The generated reference section, markers included. */
export function apiSection(manifest: Manifest): string {
  const body = elements(manifest).map(elementSection).join('\n\n');
  return [
    START,
    '<!-- Generated from custom-elements.json by `npm run docs`: edit the JSDoc in components/, not this section. -->',
    '',
    body,
    '',
    END,
  ].join('\n');
}

/** `doc` with its API section replaced; throws when the markers are missing. */
export function replaceSection(doc: string, section: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${API_DOC} has no ${START} … ${END} section`);
  return doc.slice(0, start) + section + doc.slice(end + END.length);
}

/** The first line where two texts differ, for a useful drift message. */
export function firstDifference(a: string, b: string): string | null {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}:\n  ${API_DOC}: ${x[i] ?? '(end)'}\n  generated:   ${y[i] ?? '(end)'}`;
  }
  return null;
}

async function main(): Promise<number> {
  const doc = await readFile(docPath, 'utf8');
  const next = replaceSection(doc, apiSection(await analyze()));
  if (process.argv.includes('--check')) {
    const diff = firstDifference(doc, next);
    if (!diff) return 0;
    console.error(`${API_DOC}'s element reference differs from the components' JSDoc (run \`npm run docs\`). First difference at ${diff}`);
    return 1;
  }
  if (next !== doc) await writeFile(docPath, next);
  console.log(next !== doc ? `${API_DOC}: element reference rewritten` : `${API_DOC}: element reference up to date`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = await main();
