// The two packages as somebody else's projects get them: `npm pack` of rtc-room (browsers) and
// rtc-room-server (Node), each installed from its tarball into a fresh project. The browser-only
// project gets no server library; the server's project runs the CLI, mounts the server in an
// Express app (under a path prefix too), type-checks every entry point, and builds the examples
// (plain HTML, React 19, Vue 3) that call each other in Chromium.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
/** Dev tools of this repository the consumer project borrows (symlinked, not installed). */
const BORROWED = ['react', 'react-dom', '@types/react', '@types/react-dom', 'preact', 'vue', 'esbuild', '@types/node'];
/** Libraries only the server needs: none of them may reach a browser-only project. */
const SERVER_LIBRARIES = [
  'express',
  'socket.io',
  'engine.io',
  'twilio',
  'redis',
  'zod',
  'pino',
  'prom-client',
  'helmet',
  'jose',
  '@types/express',
];
/** The issue's bound for what `npm install rtc-room` brings (it was 81.6 MB with the server's libraries). */
const BROWSER_DEPENDENCIES_MAX_BYTES = 12_000_000;

interface LockEntry {
  name?: string;
  version: string;
  resolved?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

/** The directory whose node_modules a lockfile path's package looks in next (`node_modules/a/node_modules/b` → `node_modules/a`). */
const parentOf = (path: string) => (path.includes('/node_modules/') ? path.slice(0, path.lastIndexOf('/node_modules/')) : '');

/**
 * The entries of this repository's lockfile that `dependencies` (wanted from the package at `from`,
 * '' for the top, 'server' for the server workspace) bring, resolved as node does: each package's
 * own node_modules first, then its parents'.
 */
function lockClosure(packages: Record<string, LockEntry>, from: string, dependencies: Record<string, string>): Record<string, LockEntry> {
  const found: Record<string, LockEntry> = {};
  const visit = (at: string, name: string) => {
    for (let base = at; ; base = parentOf(base)) {
      const path = `${base ? `${base}/` : ''}node_modules/${name}`;
      const entry = packages[path];
      if (entry && !entry.link) {
        if (found[path]) return;
        found[path] = entry;
        const peers = Object.keys(entry.peerDependencies ?? {}).filter((p) => !entry.peerDependenciesMeta?.[p]?.optional);
        for (const dep of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers])
          visit(path, dep);
        return;
      }
      if (!base) return; // an optional dependency of another platform
    }
  };
  for (const name of Object.keys(dependencies)) visit(from, name);
  return found;
}

/**
 * A lockfile for a consumer of `tarballs` (package name → tarball): their dependencies as this
 * repository locks them, so `npm ci --offline` needs only tarballs already in npm's cache (the
 * tests run without network).
 */
async function consumerLock(tarballs: Record<string, string>): Promise<object> {
  const lock = JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const manifests: Record<string, { dir: string; pkg: LockEntry }> = {
    'rtc-room': { dir: '', pkg: JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) },
    'rtc-room-server': { dir: 'server', pkg: JSON.parse(await readFile(join(repo, 'server/package.json'), 'utf8')) },
  };
  const wanted = Object.fromEntries(Object.entries(tarballs).map(([name, tarball]) => [name, `file:${tarball}`]));
  const packages: Record<string, unknown> = { '': { name: 'consumer', dependencies: wanted } };
  for (const [name, tarball] of Object.entries(tarballs)) {
    const { dir, pkg } = manifests[name]!;
    for (const [path, entry] of Object.entries(lockClosure(lock.packages, dir, pkg.dependencies ?? {}))) {
      // This repository's lockfile omits `resolved` (npm's omit-lockfile-registry-resolved); with it
      // spelled out, npm takes the tarball from its cache by integrity and asks the registry nothing.
      const id = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      const resolved = entry.resolved ?? `https://registry.npmjs.org/${id}/-/${id.split('/').pop()}-${entry.version}.tgz`;
      packages[path.replace(/^server\//, '')] = { ...entry, resolved };
    }
    const { version, dependencies, bin, engines, license, peerDependencies, peerDependenciesMeta } = pkg;
    packages[`node_modules/${name}`] = {
      version,
      resolved: `file:${tarball}`,
      dependencies,
      bin,
      engines,
      license,
      peerDependencies,
      peerDependenciesMeta,
    };
  }
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

/** A fresh project in `dir` depending on `tarballs`, installed offline (from npm's cache) where it can be. */
async function installProject(dir: string, tarballs: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, tarball]) => [name, `file:${tarball}`]));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }));
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(await consumerLock(tarballs)));
  const ci = (mode: string) => run('npm', ['ci', mode, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeout: 120_000 });
  // Offline first (inside npm test's network namespace there is no registry); a cache that lacks
  // a tarball is filled from the registry where one is reachable.
  await ci('--offline').catch(() => ci('--prefer-offline'));
}

/** `npm pack` of the package in `dir` into `into`; the tarball's path. */
async function pack(dir: string, into: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', into], { cwd: dir, timeout: 60_000 });
  return join(into, JSON.parse(stdout)[0].filename as string);
}

/** Bytes of the files under `dir` (apparent sizes, as `du -sb`). */
async function bytesUnder(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sb', dir]);
  return Number(stdout.split('\t')[0]);
}

/** Starts `node <args>` in `cwd` and waits for the log line carrying the URL it listens on. */
async function startServer(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line from ${args.join(' ')}: ${stderr}`)), 15_000);
    lines.on('line', (line) => {
      const m = line.match(/https?:\/\/[^\s"]+:\d+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0].replace('localhost', '127.0.0.1'));
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** Runs `node <args>` in `cwd` to its end: its exit status and output. */
async function runNode(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await run(process.execPath, args, { cwd, timeout: 30_000 }).catch((e) => e);
  return { code: result.code ?? 0, stdout: result.stdout, stderr: result.stderr };
}

describe('the packed packages in fresh projects', { timeout: 600_000 }, () => {
  let work: string;
  /** A browser-only project: rtc-room alone. */
  let web: string;
  /** A project with both packages (and borrowed React, Vue, esbuild): the server side and the examples. */
  let app: string;
  let server: { child: ChildProcess; url: string } | undefined;
  let browser: Browser | undefined;
  const timings: Record<string, number> = {};

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'rtc-room-pack-'));
    web = join(work, 'web');
    app = join(work, 'app');
    let t = Date.now();
    const phase = (name: string) => {
      timings[name] = Date.now() - t;
      t = Date.now();
    };
    // rollup alone takes minutes on a busy machine; RTC_PACKAGE_PREBUILT=1: `npm test` built it already
    if (!process.env.RTC_PACKAGE_PREBUILT) await run('npm', ['run', '--silent', 'build'], { cwd: repo, timeout: 360_000 });
    phase('build');
    const tarballs = { 'rtc-room': await pack(repo, work), 'rtc-room-server': await pack(join(repo, 'server'), work) };
    phase('pack');
    await Promise.all([installProject(web, { 'rtc-room': tarballs['rtc-room'] }), installProject(app, tarballs)]);
    phase('install');
    for (const dir of [web, app]) {
      for (const name of BORROWED) {
        if (existsSync(join(dir, 'node_modules', name))) continue; // installed as a dependency's dependency
        await mkdir(join(dir, 'node_modules', name, '..'), { recursive: true });
        await symlink(join(repo, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
      }
    }
    await cp(join(app, 'node_modules/rtc-room/examples'), join(app, 'examples'), { recursive: true }); // shipped in the package
  });

  after(async () => {
    if (process.env.RTC_TIMINGS) console.log('package test phases (ms):', timings);
    await browser?.close();
    await stop(server?.child);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('rtc-room alone brings at most 12 MB of dependencies and no server library, with caret ranges', async (t) => {
    const pkg = JSON.parse(await readFile(join(web, 'node_modules/rtc-room/package.json'), 'utf8'));
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), [
      '@lit-labs/observers',
      '@lit/context',
      '@lit/react',
      'lit',
      'socket.io-client',
    ]);
    for (const [name, range] of Object.entries(pkg.dependencies))
      assert.match(String(range), /^\^/, `${name}: a caret range, so the app's own copy is shared`);
    const present = SERVER_LIBRARIES.filter((name) => existsSync(join(web, 'node_modules', name)));
    assert.deepEqual(present, [], 'no server library in a browser-only project');
    assert.equal(existsSync(join(web, 'node_modules/rtc-room/server')), false, 'no server code in the browser package');
    const bytes = (await bytesUnder(join(web, 'node_modules'))) - (await bytesUnder(join(web, 'node_modules/rtc-room')));
    // BORROWED links are symlinks: du counts the link, not the tree behind it.
    const { stdout } = await run('find', [
      join(web, 'node_modules'),
      '-name',
      'package.json',
      '-not',
      '-path',
      '*/rtc-room/*',
      '-path',
      '*/node_modules/*/package.json',
    ]);
    t.diagnostic(`rtc-room's dependencies: ${(bytes / 1e6).toFixed(1)} MB, ${stdout.trim().split('\n').length} package.json files`);
    assert.ok(bytes <= BROWSER_DEPENDENCIES_MAX_BYTES, `rtc-room's dependencies: ${(bytes / 1e6).toFixed(1)} MB`);
  });

  it('ships LICENSE (MIT) and a CHANGELOG, the manifest, the bundle and the declarations, and no tests or test support', async () => {
    const pkg = JSON.parse(await readFile(join(app, 'node_modules/rtc-room/package.json'), 'utf8'));
    const manifest = JSON.parse(await readFile(join(app, 'node_modules/rtc-room', pkg.customElements), 'utf8'));
    const tags = manifest.modules
      .flatMap((m: { declarations?: { tagName?: string }[] }) => m.declarations ?? [])
      .map((d: { tagName?: string }) => d.tagName)
      .filter(Boolean);
    assert.deepEqual(tags.sort(), [
      'rtc-chat',
      'rtc-controls',
      'rtc-local-video',
      'rtc-preflight',
      'rtc-remote-video',
      'rtc-remote-videos',
      'rtc-room',
    ]);
    for (const name of ['rtc-room', 'rtc-room-server']) {
      const dir = join(app, 'node_modules', name);
      assert.match(await readFile(join(dir, 'LICENSE'), 'utf8'), /^MIT License[\s\S]*rtc-room contributors/, `${name}: LICENSE`);
      const meta = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
      assert.ok(meta.repository && meta.homepage && meta.bugs && meta.keywords?.length, `${name}: repository, homepage, bugs, keywords`);
      const { stdout } = await run('find', [dir, '(', '-name', '*.test.*', '-o', '-name', 'test-support', '-o', '-name', 'testing', ')']);
      assert.equal(stdout.trim(), '', `${name}: no tests or test support shipped`);
    }
    assert.ok(existsSync(join(app, 'node_modules/rtc-room/CHANGELOG.md')));
  });

  it('the CLI: --version, and an unknown flag or argument exits 2 with one line naming it', async () => {
    const version = JSON.parse(await readFile(join(repo, 'server/package.json'), 'utf8')).version;
    const npx = await run('npx', ['--offline', 'rtc-room-server', '--version'], { cwd: app, timeout: 30_000 });
    assert.equal(npx.stdout.trim(), version);
    for (const [args, named] of [
      [['--prot', '4000'], "'--prot'"],
      [['4000'], "'4000'"],
    ] as const) {
      const refused = await runNode(app, ['node_modules/.bin/rtc-room-server', ...args]);
      assert.equal(refused.code, 2, args.join(' '));
      assert.equal(refused.stdout, '');
      assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
      assert.ok(refused.stderr.includes(named), refused.stderr);
    }
  });

  it('type-checks an app using every entry point, the tag and event maps, and the React 19 and Preact JSX types (misspelt props refused)', async () => {
    await writeFile(
      join(app, 'check.ts'),
      `import { RtcRoomElement, type RtcPeerJoinedEvent } from 'rtc-room';
import { RtcLocalVideoElement } from 'rtc-room/elements';
import { RoomSession, SignalingClient, RtcError, type RoomSessionOptions } from 'rtc-room/core';
import { createRtcServer, type RtcServerOptions } from 'rtc-room-server';
import type { RtcElementProps } from 'rtc-room/jsx';
const room: RtcRoomElement | null = document.querySelector('rtc-room');
const local: RtcLocalVideoElement = document.createElement('rtc-local-video');
room?.addEventListener('rtc-peer-joined', (e: RtcPeerJoinedEvent) => e.detail.peer.name.toUpperCase());
room?.addEventListener('rtc-error', (e) => e.detail.code satisfies string);
// @ts-expect-error the detail is typed
room?.addEventListener('rtc-left', (e) => e.detail.nope);
const options: RoomSessionOptions | undefined = undefined;
const props: RtcElementProps['rtc-room'] = { room: 'x', noVideo: true };
const server: RtcServerOptions = { roomCapacity: 4 };
export { local, options, props, server, RoomSession, SignalingClient, RtcError, createRtcServer };
`,
    );
    await writeFile(
      join(app, 'check-preact.tsx'),
      `/** @jsxImportSource preact */
import type {} from 'rtc-room/jsx-preact';
export const a = <rtc-room room="x" manual onrtc-peer-joined={(e) => e.detail.peer.id}><rtc-local-video mirror /></rtc-room>;
// @ts-expect-error unknown prop
export const b = <rtc-room rooom="x" />;
`,
    );
    await writeFile(
      join(app, 'check-react.tsx'),
      `import type {} from 'rtc-room/jsx-react';
export const a = <rtc-room room="x" noVideo onrtc-peer-joined={(e) => e.detail.peer.name.toUpperCase()} />;
// @ts-expect-error a misspelt attribute
export const b = <rtc-room rooom="x" />;
// @ts-expect-error the event detail is typed
export const c = <rtc-room onrtc-peer-joined={(e) => e.detail.nope} />;
`,
    );
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: ['node'],
          strict: true,
          noEmit: true,
          jsx: 'react-jsx',
          skipLibCheck: true,
        },
        files: ['check.ts', 'check-preact.tsx', 'check-react.tsx', 'examples/react/main.tsx'],
      }),
    );
    const tsc = await run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', '.'], {
      cwd: app,
      timeout: 60_000,
    }).catch((e) => e);
    assert.equal(tsc.code ?? 0, 0, `tsc in the consumer:\n${tsc.stdout}${tsc.stderr}`);
  });

  it('type-checks rtc-room-server with skipLibCheck off: the declarations resolve every type they import (express too)', async () => {
    await writeFile(
      join(app, 'check-server.ts'),
      `import { createRtcServer } from 'rtc-room-server';
import type { Express } from 'express';
const server = createRtcServer({ roomCapacity: 4 });
const app: Express = server.app;
app.get('/hello', (_req, res) => res.send('hi'));
// @ts-expect-error server.app is express's app, not any (express's types come with the package)
server.app.nope();
export { server };
`,
    );
    await writeFile(
      join(app, 'tsconfig.server.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022'],
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['check-server.ts'],
      }),
    );
    const tsc = await run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.server.json'], {
      cwd: app,
      timeout: 60_000,
    }).catch((e) => e);
    assert.equal(tsc.code ?? 0, 0, `tsc in the consumer (skipLibCheck: false):\n${tsc.stdout}${tsc.stderr}`);
  });

  it('bundles in the browser-only project: rtc-room registers the tags, rtc-room/elements does not, rtc-room/core carries no elements', async () => {
    const bundle = async (name: string, source: string) => {
      const entry = join(web, `${name}.js`);
      await writeFile(entry, source);
      const out = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        format: 'esm',
        minify: true,
        absWorkingDir: web,
        logLevel: 'silent',
      });
      return out.outputFiles[0]!.text;
    };
    const core = await bundle('core-only', "import { RoomSession } from 'rtc-room/core'; console.log(RoomSession);\n");
    assert.doesNotMatch(core, /customElements\.define|LitElement|lit-html/, 'no elements or Lit in a core-only bundle');
    assert.match(core, /setRemoteDescription/, 'the core itself is there');
    const classes = await bundle('classes-only', "import { RtcRoomElement } from 'rtc-room/elements'; console.log(RtcRoomElement);\n");
    assert.match(classes, /ice-transport-policy/, 'the element class is there');
    assert.doesNotMatch(classes, /customElements\.define/, 'rtc-room/elements registers no tag');
    const defined = await bundle('define', "import 'rtc-room';\n");
    assert.match(defined, /customElements\.define/, 'import "rtc-room" registers the tags (kept despite sideEffects)');
  });

  it('starts the rtc-room-server bin from the project: /healthz answers and the demo and bundle (from rtc-room beside it) are served', async () => {
    const bin = await startServer(app, ['node_modules/.bin/rtc-room-server', '--port', '0'], { LOG_LEVEL: 'info' });
    try {
      const health = await (await fetch(`${bin.url}/healthz`)).json();
      assert.equal(health.ok, true);
      assert.equal((await fetch(`${bin.url}/rtc-room.js`)).status, 200);
      assert.match(await (await fetch(`${bin.url}/`)).text(), /<rtc-room/);
    } finally {
      await stop(bin.child);
    }
  });

  it('mounted in an Express app under /rtc: a route added after the mount answers, and a client connects through server=".../rtc"', async () => {
    await writeFile(
      join(app, 'mounted.mjs'),
      `import { createServer } from 'node:http';
import express from 'express';
import { createRtcServer } from 'rtc-room-server';
const app = express();
const httpServer = createServer(app);
const rtc = createRtcServer({ httpServer, path: '/rtc/socket.io' });
app.use('/rtc', rtc.app);
app.get('/after', (_req, res) => res.send('after the mount'));
httpServer.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ listening: 'http://127.0.0.1:' + httpServer.address().port })));
process.on('SIGTERM', () => rtc.close().then(() => process.exit(0)));
`,
    );
    await writeFile(
      join(app, 'client.mjs'),
      `import { SignalingClient } from 'rtc-room/core';
const client = new SignalingClient({ server: process.argv[2] });
const timer = setTimeout(() => { console.error('no connection'); process.exit(1); }, 10_000);
await client.connect();
const grant = await client.preflight('prefixed');
clearTimeout(timer);
console.log(JSON.stringify({ protocol: grant.protocol }));
client.close();
`,
    );
    const mounted = await startServer(app, ['mounted.mjs']);
    try {
      assert.equal(await (await fetch(`${mounted.url}/after`)).text(), 'after the mount');
      assert.equal((await fetch(`${mounted.url}/rtc/healthz`)).status, 200);
      assert.equal((await fetch(`${mounted.url}/metrics`)).status, 404, 'no /metrics when mounted unless asked');
      const client = await runNode(app, ['client.mjs', `${mounted.url}/rtc`]);
      assert.equal(client.code, 0, client.stderr);
      assert.deepEqual(JSON.parse(client.stdout), { protocol: 1 });
    } finally {
      await stop(mounted.child);
    }
  });

  describe('examples built in the project, in Chromium, against rtc-room-server', () => {
    before(async () => {
      await run(process.execPath, ['examples/build.mjs', 'public'], { cwd: app, timeout: 60_000 });
      await writeFile(
        join(app, 'server.mjs'),
        `import { createRtcServer } from 'rtc-room-server';
const server = createRtcServer({ demoDir: 'public', bundleDir: 'node_modules/rtc-room/dist' });
const { url } = await server.listen(0);
console.log(JSON.stringify({ listening: url }));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
`,
      );
      server = await startServer(app, ['server.mjs']);
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [...CHROMIUM_ARGS],
      });
    });

    it('rtc-room-server started from the project answers /healthz', async () => {
      const health = await (await fetch(`${server!.url}/healthz`)).json();
      assert.deepEqual([health.ok, health.rooms, health.ice.provider], [true, 0, 'static']);
    });

    for (const example of ['html', 'react', 'vue']) {
      it(`${example}: two pages call each other; attributes, events and ::part styling work`, async () => {
        const context = await browser!.newContext();
        const errors: string[] = [];
        const open = async (name: string): Promise<Page> => {
          const page = await context.newPage();
          page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
          page.on('console', (m) => m.type() === 'error' && errors.push(`${name}: ${m.text()}`));
          page.on('response', (r) => r.status() >= 400 && errors.push(`${name}: ${r.status()} ${r.url()}`));
          await page.goto(`${server!.url}/${example}/?room=ex-${example}&name=${name}`);
          return page;
        };
        try {
          const ada = await open('Ada');
          await ada.waitForFunction(() => document.querySelector('#state')?.textContent === 'joined', null, { timeout: 15_000 });
          const bob = await open('Bob');
          // Events: rtc-joined lists Ada for Bob; rtc-peer-joined tells Ada about Bob.
          await bob.waitForFunction(() => document.querySelector('#people')?.textContent?.includes('Ada'), null, { timeout: 15_000 });
          await ada.waitForFunction(() => document.querySelector('#people')?.textContent?.includes('Bob'), null, { timeout: 15_000 });
          // A decoded remote frame in a connected tile, named from the `name` attribute/property, styled through ::part.
          const tile = await ada.waitForFunction(
            () => {
              const tile = document.querySelector('rtc-remote-videos')?.shadowRoot?.querySelector('[part~="tile"][connected]');
              const video = tile?.querySelector('video');
              return tile && video && video.videoWidth > 0 ? tile : null;
            },
            null,
            { timeout: 20_000 },
          );
          const look = await tile.evaluate((t) => {
            const name = t!.querySelector('[part~="name"]')!;
            return { outline: getComputedStyle(t!).outlineColor, name: name.textContent, weight: getComputedStyle(name).fontWeight };
          });
          assert.deepEqual(look, { outline: 'rgb(52, 168, 83)', name: 'Bob', weight: '700' });
          assert.equal(await ada.evaluate(() => document.querySelector('rtc-local-video')?.hasAttribute('mirror')), true);
          await bob.close();
          await ada.waitForFunction(() => !document.querySelector('#people')?.textContent?.includes('Bob'), null, { timeout: 15_000 });
          assert.deepEqual(errors, []);
        } finally {
          await context.close();
        }
      });
    }
  });
});
