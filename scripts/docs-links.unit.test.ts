// Every relative link in the docs resolves: README.md, CONTRIBUTING.md, PROTOCOL.md and docs/*.md
// link to files that exist, and a `#anchor` names a heading of the target (GitHub's slugs).
// Links inside code (fenced blocks, inline code) and absolute URLs are not checked.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What the checker reads, injected so that its own tests need no files. */
interface Files {
  /** The file's text, '' for a directory, undefined when nothing is there. */
  read(path: string): string | undefined;
}

/** Markdown with fenced code blocks and inline code blanked out (line count kept). */
function withoutCode(markdown: string): string {
  const lines = markdown.split('\n');
  let fence: string | null = null;
  return lines
    .map((line) => {
      const open = /^\s*(```+|~~~+)/.exec(line);
      if (fence) {
        if (open && open[1]!.startsWith(fence)) fence = null;
        return '';
      }
      if (open) {
        fence = open[1]!;
        return '';
      }
      return line.replace(/(`+)[^`]*?\1/g, '');
    })
    .join('\n');
}

/** The link targets of a Markdown text: `[text](target)`, `![alt](src)` and `<img src>`/`<a href>`. */
export function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  const targets = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const html = [...text.matchAll(/<(?:img|a)\b[^>]*?\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  return [...targets, ...html];
}

/** GitHub's anchor for a heading text: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown file offers (repeated headings get -1, -2, … as on GitHub). */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of withoutCodeBlocks(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Fenced blocks removed but inline code kept (a heading's `code` is part of its slug). */
function withoutCodeBlocks(markdown: string): string {
  let fence: string | null = null;
  return markdown
    .split('\n')
    .filter((line) => {
      const open = /^\s*(```+|~~~+)/.exec(line);
      if (fence) {
        if (open && open[1]!.startsWith(fence)) fence = null;
        return false;
      }
      if (open) fence = open[1]!;
      return !open;
    })
    .join('\n');
}

/** The links of `file` (a path relative to the repository) that do not resolve, with why. */
export function brokenLinks(file: string, files: Files): string[] {
  const text = files.read(file) ?? '';
  const broken: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // https:, mailto:
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const path = pathPart ? normalize(join(dirname(file), decodeURIComponent(pathPart))) : file;
    if (path.startsWith('..')) {
      broken.push(`${target}: outside the repository`);
      continue;
    }
    const content = files.read(path);
    if (content === undefined) {
      broken.push(`${target}: no ${path}`);
      continue;
    }
    if (anchor && path.endsWith('.md') && !anchors(content).has(anchor)) broken.push(`${target}: no heading #${anchor} in ${path}`);
  }
  return broken;
}

const disk: Files = {
  read(path) {
    const full = join(root, path);
    if (!existsSync(full)) return undefined;
    return statSync(full).isDirectory() ? '' : readFileSync(full, 'utf8');
  },
};

const docFiles = () => [
  'README.md',
  'CONTRIBUTING.md',
  'PROTOCOL.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => relative(root, join(root, 'docs', f))),
];

describe('links in the docs', () => {
  it('every relative link in README.md, CONTRIBUTING.md, PROTOCOL.md and docs/*.md resolves', () => {
    const files = docFiles();
    assert.ok(files.length >= 10, `found ${files.join(', ')}`);
    const broken = files.flatMap((file) => brokenLinks(file, disk).map((b) => `${file}: ${b}`));
    assert.deepEqual(broken, []);
  });

  it('the docs link to each other: README.md reaches every page in docs/', () => {
    const readme = linkTargets(disk.read('README.md')!).map((t) => t.split('#')[0]);
    for (const file of docFiles().filter((f) => f.startsWith('docs/'))) assert.ok(readme.includes(file), `README.md links to ${file}`);
  });

  it('finds Markdown links, images and HTML img/a targets, but not links written inside code', () => {
    const md = [
      'See [the API](docs/api.md#rtc-room) and ![shot](docs/demo.png "title").',
      '<img src="docs/phone.png" width="2" /> and <a href="LICENSE">x</a>',
      'Inline `[not](a-link.md)` is code.',
      '```md',
      '[also not](inside-a-fence.md)',
      '```',
      '[after](after.md)',
    ].join('\n');
    assert.deepEqual(linkTargets(md), ['docs/api.md#rtc-room', 'docs/demo.png', 'after.md', 'docs/phone.png', 'LICENSE']);
  });

  it('makes GitHub anchors from headings with code, punctuation and repeats', () => {
    const md =
      '# Title\n## `<rtc-controls>`\n### Several nodes (Redis)\n## Limits and hardening\n## Limits and hardening\n```\n# not a heading\n```';
    assert.deepEqual([...anchors(md)], ['title', 'rtc-controls', 'several-nodes-redis', 'limits-and-hardening', 'limits-and-hardening-1']);
  });

  it('reports a missing file, a missing heading and a link out of the repository, relative to the linking file', () => {
    const tree: Record<string, string> = {
      'docs/a.md':
        '[ok](b.md#real) [up](../README.md) [gone](missing.md) [bad](b.md#nope) [self](#top) [out](../../x.md) [web](https://example.com/x.md)',
      'docs/b.md': '# Real',
      'README.md': '# Top',
    };
    const files: Files = { read: (p) => tree[p] };
    assert.deepEqual(brokenLinks('docs/a.md', files), [
      'missing.md: no docs/missing.md',
      'b.md#nope: no heading #nope in docs/b.md',
      '#top: no heading #top in docs/a.md',
      '../../x.md: outside the repository',
    ]);
  });
});
