// The browser package's types, manifest and editor data as an app gets them: `npm pack`, the
// tarball unpacked into a node_modules shared by temporary projects (its dependencies and the dev
// tools borrowed from this repository by symlink: no install, no network). The apps are the
// snippets of docs/quick-start.md, so the page is checked too: React and Vue apps type-check and a
// misspelt prop or event does not; the Vite apps build; the Vite proxy reaches a signaling server.
//
// RTC_PACKAGE_PREBUILT=1 skips `npm run build` (dist/ already built, e.g. in a git worktree whose
// node_modules is a symlink, where tsc cannot name the server's Redis types).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { validateCem } from '@wc-toolkit/cem-validator';
import Ajv from 'ajv';
import { io } from 'socket.io-client';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const TAGS = ['rtc-chat', 'rtc-controls', 'rtc-local-video', 'rtc-preflight', 'rtc-remote-video', 'rtc-remote-videos', 'rtc-room'];
/** This repository's tools the temporary projects use (symlinked next to the package's dependencies). */
const BORROWED = ['react', 'react-dom', '@types/react', '@types/react-dom', 'preact', 'vue', 'vite', '@vitejs/plugin-vue'];

/** docs/quick-start.md's code blocks that start with a file name, by section: `{ Vue: { 'src/App.vue': … } }`. */
function quickStartFiles(markdown: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let section = '';
  for (const part of markdown.split(/^(```\w*\n[\s\S]*?^```)$/m)) {
    const heading = [...part.matchAll(/^## (.+)$/gm)].at(-1);
    if (heading) section = heading[1]!.trim();
    const block = part.match(/^```\w*\n([\s\S]*?)^```$/m);
    const name = block?.[1]!.match(/^(?:\/\/|<!--)\s*([\w./-]+\.\w+)\s*(?:-->)?\n/);
    if (block && name) (sections[section] ??= {})[name[1]!] = block[1]!;
  }
  return sections;
}

interface Manifest {
  schemaVersion: string;
  modules: {
    path: string;
    declarations?: {
      name: string;
      customElement?: boolean;
      tagName?: string;
      attributes?: { type?: { text: string } }[];
      events?: { name: string; type?: { text: string } }[];
    }[];
    exports?: { kind: string; name: string; declaration: { name: string; module?: string; package?: string } }[];
  }[];
}

/** `rtc-peer-joined` → `RtcPeerJoined`. */
const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, _dash, c: string) => c.toUpperCase());

/** The manifest's elements with their tag, and their events with the event class. */
function elementsOf(manifest: Manifest): { name: string; tag: string; events: { name: string; type: string }[] }[] {
  return manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .filter((d) => d.customElement && d.tagName)
    .map((d) => ({
      name: d.name,
      tag: d.tagName!,
      events: (d.events ?? []).map((e) => ({ name: e.name, type: e.type?.text ?? 'Event' })),
    }));
}

/** Every `module` value anywhere in the manifest. */
function moduleReferences(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => moduleReferences(v, found));
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'module' && typeof inner === 'string') found.push(inner);
      else moduleReferences(inner, found);
    }
  return found;
}

/** Runs a node script from this repository's node_modules in `cwd`; resolves with its exit code and output. */
async function tool(cwd: string, script: string, args: string[]): Promise<{ code: number; output: string }> {
  type Outcome = { code?: number | string; stdout?: string; stderr?: string };
  const result: Outcome = await run(process.execPath, [join(repo, 'node_modules', script), ...args], { cwd, timeout: 120_000 }).catch(
    (e: Outcome) => e,
  );
  // a failed run rejects with the exit code as `code`; a timeout has no number there
  const code = result.code === undefined ? 0 : typeof result.code === 'number' ? result.code : 1;
  return { code, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}
const tsc = (cwd: string) => tool(cwd, 'typescript/bin/tsc', ['-p', 'tsconfig.json']);
const vueTsc = (cwd: string) => tool(cwd, 'vue-tsc/bin/vue-tsc.js', ['-p', 'tsconfig.json']);

/** The files a compiler's output reports errors in, sorted. */
const erringFiles = (output: string) => [...new Set([...output.matchAll(/^(\S+?)\(\d+,\d+\): error/gm)].map((m) => m[1]!))].sort();

/** Writes `files` (path → text) under `dir`. */
async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

describe('the packed rtc-room: types, manifest and editor data', { timeout: 600_000 }, () => {
  let work: string;
  let pkgDir: string;
  let pkg: { dependencies?: Record<string, string>; customElements: string; 'web-types': string; exports: Record<string, unknown> };
  let manifest: Manifest;
  let packed: Set<string>;
  const docs = async () => quickStartFiles(await readFile(join(repo, 'docs/quick-start.md'), 'utf8'));

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'rtc-room-types-'));
    if (!process.env.RTC_PACKAGE_PREBUILT) await run('npm', ['run', '--silent', 'build'], { cwd: repo, timeout: 240_000 });
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repo, timeout: 60_000 });
    const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    packed = new Set(info!.files.map((f) => f.path));
    pkgDir = join(work, 'node_modules/rtc-room');
    await mkdir(pkgDir, { recursive: true });
    await run('tar', ['-xzf', join(work, info!.filename), '-C', pkgDir, '--strip-components=1']);
    pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8'));
    manifest = JSON.parse(await readFile(join(pkgDir, pkg.customElements), 'utf8'));
    // One node_modules above every temporary project: the package, its dependencies and the tools,
    // with their dependencies hoisted next to them as npm does (the declarations name lit-html,
    // which comes with lit).
    const queue = [...Object.keys(pkg.dependencies ?? {}), ...BORROWED];
    for (const name of queue) {
      const link = join(work, 'node_modules', name);
      const target = join(repo, 'node_modules', name);
      if (existsSync(link) || !existsSync(target)) continue; // a nested version resolves from its parent
      await mkdir(dirname(link), { recursive: true });
      await symlink(target, link, 'dir');
      const { dependencies = {} } = JSON.parse(await readFile(join(target, 'package.json'), 'utf8'));
      queue.push(...Object.keys(dependencies));
    }
  });

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the manifest is valid: its schema, the CEM validator, one definition per tag, every module path in the tarball', async () => {
    const schema = JSON.parse(await readFile(join(repo, 'node_modules/custom-elements-manifest/schema.json'), 'utf8'));
    assert.equal(manifest.schemaVersion, '1.0.0', 'the schema checked below is the one the manifest names');
    const ajv = new Ajv({ allErrors: true });
    assert.ok(ajv.validate(schema, manifest), `schema errors: ${ajv.errorsText(ajv.errors)}`);

    // Throws on any rule at "error". Off: schemaVersion (the analyzer writes 1.0.0, checked above
    // against that schema) and exportTypes (it wants every referenced type exported from the
    // element's own module; they come from `rtc-room`, which the React check below imports).
    await validateCem(manifest, {
      packageJsonPath: join(pkgDir, 'package.json'),
      rules: {
        packageJson: {
          packageType: 'error',
          main: 'error',
          module: 'error',
          types: 'error',
          exports: 'error',
          customElementsProperty: 'error',
          publishedCem: 'error',
        },
        manifest: {
          schemaVersion: 'off',
          modulePath: 'error',
          definitionPath: 'error',
          typeDefinitionPath: 'error',
          exportTypes: 'off',
          tagName: 'error',
        },
      },
    });

    const definitions = manifest.modules.flatMap((m) => (m.exports ?? []).filter((e) => e.kind === 'custom-element-definition'));
    assert.deepEqual(definitions.map((d) => d.name).sort(), TAGS, 'one custom-element-definition per tag, and no other');
    for (const d of definitions) {
      const declared = manifest.modules
        .find((m) => m.path === d.declaration.module)
        ?.declarations?.find((x) => x.name === d.declaration.name);
      assert.equal(declared?.tagName, d.name, `${d.name}'s definition points at ${d.declaration.module} ${d.declaration.name}`);
    }

    const paths = new Set([...manifest.modules.map((m) => m.path), ...moduleReferences(manifest.modules)]);
    const missing = [...paths].filter((p) => !packed.has(p));
    assert.deepEqual(missing, [], 'every module path names a file in the tarball');
    for (const p of paths) assert.ok(packed.has(p.replace(/\.js$/, '.d.ts')), `${p} has its declarations`);
  });

  it('ships VS Code custom data and web-types naming every tag, web-types named by package.json', async () => {
    const webTypes = JSON.parse(await readFile(join(pkgDir, pkg['web-types']), 'utf8'));
    const elements = webTypes.contributions.html.elements as { name: string; attributes: unknown[]; source: { symbol: string } }[];
    assert.deepEqual(elements.map((e) => e.name).sort(), TAGS);
    assert.equal(webTypes.name, 'rtc-room');
    assert.ok(
      elements.every((e) => e.attributes.length >= 0 && e.source.symbol.endsWith('Element')),
      'each element names its class',
    );

    const html = JSON.parse(await readFile(join(pkgDir, 'dist/vscode.html-custom-data.json'), 'utf8'));
    assert.deepEqual(html.tags.map((t: { name: string }) => t.name).sort(), TAGS);
    const room = html.tags.find((t: { name: string }) => t.name === 'rtc-room');
    assert.ok(
      room.attributes.some((a: { name: string; valueSet?: string }) => a.name === 'no-video' && a.valueSet === 'v'),
      'booleans take no value',
    );
    const css = JSON.parse(await readFile(join(pkgDir, 'dist/vscode.css-custom-data.json'), 'utf8'));
    assert.ok(
      css.properties.some((p: { name: string }) => p.name.startsWith('--rtc-')),
      'the custom properties',
    );
    for (const entry of ['./web-types.json', './vscode.html-custom-data.json', './vscode.css-custom-data.json'])
      assert.ok(entry in pkg.exports, `${entry} is exported`);
  });

  describe('React (the quick start with rtc-room/react)', () => {
    let app: string;
    before(async () => {
      app = join(work, 'react-app');
      const { React: files } = await docs();
      assert.ok(files?.['src/App.tsx'], 'docs/quick-start.md has the React app');
      // Every type the manifest names for an attribute is importable from `rtc-room`.
      const named = manifest.modules
        .flatMap((m) => m.declarations ?? [])
        .flatMap((d) => d.attributes ?? [])
        .flatMap((a) => a.type?.text.match(/\b[A-Z]\w+/g) ?? [])
        .filter((t) => !/^(RTC|HTML)/.test(t));
      await writeFiles(app, {
        ...files,
        'src/types.ts': `export type { ${[...new Set(named)].join(', ')} } from 'rtc-room';\n`,
        // Every element of the manifest has a component, with a prop for each event taking its class.
        'src/every-event.tsx': [
          `import * as W from 'rtc-room/react';`,
          `import type * as T from 'rtc-room';`,
          ...elementsOf(manifest).map((el) => {
            const props = el.events.map((e) => `on${pascal(e.name)}={(e) => e satisfies T.${e.type}}`);
            return `export const ${el.name} = <W.${el.name.replace(/Element$/, '')} ${props.join(' ')} />;`;
          }),
          '',
        ].join('\n'),
        // Preact's bare tags, likewise on their own
        'src/preact.tsx': `/** @jsxImportSource preact */\nimport type {} from 'rtc-room/jsx-preact';\nexport const a = <rtc-room room="x" onrtc-peer-joined={(e) => e.detail.peer.id}><rtc-remote-videos /></rtc-room>;\n`,
        // React 19's bare tags, with no other import of the package: loads on its own
        'src/jsx.tsx': `import type {} from 'rtc-room/jsx-react';\nexport const a = <rtc-room room="x" onrtc-peer-joined={(e) => e.detail.peer.id}><rtc-remote-videos /></rtc-room>;\n`,
        'tsconfig.json': JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'ESNext',
            moduleResolution: 'bundler',
            lib: ['ES2022', 'DOM', 'DOM.Iterable'],
            types: [],
            jsx: 'react-jsx',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
          },
          include: ['src'],
        }),
      });
    });

    // One compiler run for both (each takes tens of seconds on a busy machine): the misspelt copies
    // must fail, with the error naming the misspelling, and nothing else may.
    it('type-checks with skipLibCheck off (the wrappers, rtc-room/jsx-react and jsx-preact on their own, the types the manifest names), refusing a misspelt prop and event', async () => {
      const source = await readFile(join(app, 'src/App.tsx'), 'utf8');
      assert.match(source, /room="hello"/);
      assert.match(source, /onRtcPeerJoined=/);
      await writeFiles(app, {
        'src/bad-prop.tsx': source.replace('room="hello"', 'rom="hello"'),
        'src/bad-event.tsx': source.replace('onRtcPeerJoined=', 'onRtcPeerJoind='),
      });
      const { code, output } = await tsc(app);
      assert.notEqual(code, 0, 'tsc fails');
      assert.deepEqual(erringFiles(output), ['src/bad-event.tsx', 'src/bad-prop.tsx'], output);
      assert.match(output, /src\/bad-prop\.tsx.*error TS2322[\s\S]*Property 'rom' does not exist/);
      assert.match(output, /src\/bad-event\.tsx.*error TS2322[\s\S]*Property 'onRtcPeerJoind' does not exist/);
    });
  });

  describe('Vue (the quick start with rtc-room/vue)', () => {
    let app: string;
    before(async () => {
      app = join(work, 'vue-app');
      const { Vue: files } = await docs();
      for (const file of ['vite.config.ts', 'src/main.ts', 'src/App.vue', 'tsconfig.json'])
        assert.ok(files?.[file], `docs/quick-start.md has the Vue app's ${file}`);
      await writeFiles(app, {
        ...files,
        'index.html': '<!doctype html>\n<div id="app"></div>\n<script type="module" src="/src/main.ts"></script>\n',
        // Every element of the manifest is typed, with each of its events (strictTemplates refuses unknown ones).
        'src/EveryEvent.vue': [
          '<template>',
          ...elementsOf(manifest).map((el) => `  <${el.tag} ${el.events.map((e) => `@${e.name}="(e) => e.type"`).join(' ')} />`),
          '</template>',
          '',
        ].join('\n'),
      });
    });

    it('vue-tsc accepts the app and every tag and event, and refuses a misspelt attribute and event', async () => {
      const source = await readFile(join(app, 'src/App.vue'), 'utf8');
      await writeFiles(app, {
        'src/BadProp.vue': source.replace('room="hello"', 'rom="hello"'),
        'src/BadEvent.vue': source.replace('@rtc-peer-joined=', '@rtc-peer-joind='),
      });
      try {
        const { code, output } = await vueTsc(app);
        assert.notEqual(code, 0, 'vue-tsc fails');
        assert.deepEqual(erringFiles(output), ['src/BadEvent.vue', 'src/BadProp.vue'], output);
        assert.match(output, /src\/BadProp\.vue.*error TS2561: [^\n]*'rom' does not exist/);
        assert.match(output, /src\/BadEvent\.vue.*error TS\d+: [^\n]*'onRtcPeerJoind' does not exist/);
      } finally {
        await rm(join(app, 'src/BadProp.vue'));
        await rm(join(app, 'src/BadEvent.vue'));
      }
    });

    it('vite build bundles it with the tags registered', async () => {
      const { build } = await import('vite');
      await build({ root: app, logLevel: 'silent', configFile: join(app, 'vite.config.ts') });
      const assets = await readdir(join(app, 'dist/assets'));
      const js = await readFile(
        join(
          app,
          'dist/assets',
          assets.find((f) => f.endsWith('.js'))!,
        ),
        'utf8',
      );
      assert.match(js, /customElements\.define/);
      assert.match(js, /rtc-peer-joined/);
      assert.doesNotMatch(js, /resolveComponent\("rtc-room"\)/, 'isCustomElement: the tags are elements, not components');
    });
  });

  describe('Vite (the quick start without a framework)', () => {
    let app: string;
    let files: Record<string, string>;
    before(async () => {
      app = join(work, 'vite-app');
      files = (await docs()).Vite!;
      for (const file of ['index.html', 'src/main.js', 'vite.config.js']) assert.ok(files?.[file], `docs/quick-start.md has ${file}`);
      await writeFiles(app, files);
    });

    it('vite build bundles the page', async () => {
      const { build } = await import('vite');
      await build({ root: app, logLevel: 'silent', configFile: join(app, 'vite.config.js') });
      const html = await readFile(join(app, 'dist/index.html'), 'utf8');
      assert.match(html, /<rtc-room room="hello">/);
      const script = html.match(/src="\/(assets\/[^"]+\.js)"/)?.[1];
      assert.ok(script, html);
      assert.match(await readFile(join(app, 'dist', script), 'utf8'), /customElements\.define/);
    });

    it("the dev server's proxy reaches the signaling server, over WebSocket too", async () => {
      const { createRtcServer } = await import('../server/index.js');
      const { pino } = await import('pino');
      const signaling = createRtcServer({ logger: pino({ level: 'silent' }) });
      const { url } = await signaling.listen(0, '127.0.0.1');
      const config = files['vite.config.js']!;
      assert.match(config, /target: 'http:\/\/127\.0\.0\.1:3000', ws: true/);
      await writeFile(join(app, 'vite.config.js'), config.replace('http://127.0.0.1:3000', url));
      const { createServer } = await import('vite');
      const vite = await createServer({
        root: app,
        logLevel: 'silent',
        configFile: join(app, 'vite.config.js'),
        server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
      });
      try {
        await vite.listen();
        const address = vite.httpServer!.address() as { port: number };
        const origin = `http://127.0.0.1:${address.port}`;
        const polling = await fetch(`${origin}/socket.io/?EIO=4&transport=polling`);
        assert.equal(polling.status, 200);
        assert.match(await polling.text(), /^0\{"sid"/, 'an Engine.IO handshake, from the signaling server');
        const socket = io(origin, { transports: ['websocket'], reconnection: false, timeout: 5_000 });
        try {
          await new Promise<void>((resolve, reject) => {
            socket.once('connect', resolve);
            socket.once('connect_error', reject);
          });
        } finally {
          socket.close();
        }
      } finally {
        await vite.close();
        await signaling.close();
      }
    });
  });

  it('rtc-room/react and rtc-room/vue import in Node (server-side rendering)', async () => {
    const probe = "await import('rtc-room/react'); await import('rtc-room/vue'); console.log('ok');";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: work, timeout: 30_000 });
    assert.equal(stdout.trim(), 'ok');
  });
});
