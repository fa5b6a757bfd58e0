// The package as somebody else's project gets it: `npm pack`, installed from the tarball into a
// fresh project, type-checked there, its examples (plain HTML, React 19, Vue 3) built with
// esbuild and loaded in Chromium against `rtc-room/server` started from that project.
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

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];
/** Dev tools of this repository the consumer project borrows (symlinked, not installed). */
const BORROWED = ['react', 'react-dom', '@types/react', '@types/react-dom', 'preact', 'vue', 'esbuild', '@types/node'];

/**
 * A lockfile for the consumer: the tarball plus this repository's locked runtime dependencies, so
 * `npm ci --offline` needs only tarballs already in npm's cache (the tests run without network).
 */
async function consumerLock(tarball: string): Promise<object> {
  const lock = JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8'));
  const pkg = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8'));
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = { '': { name: 'consumer', dependencies: { 'rtc-room': spec } } };
  for (const [path, entry] of Object.entries(
    lock.packages as Record<
      string,
      { name?: string; version: string; resolved?: string; dev?: boolean; devOptional?: boolean; link?: boolean }
    >,
  )) {
    if (!path.startsWith('node_modules/') || entry.dev || entry.devOptional || entry.link) continue;
    // This repository's lockfile omits `resolved` (npm's omit-lockfile-registry-resolved); with it
    // spelled out, npm takes the tarball from its cache by integrity and asks the registry nothing.
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const resolved = entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
    packages[path] = { ...entry, resolved };
  }
  packages['node_modules/rtc-room'] = {
    version: pkg.version,
    resolved: spec,
    dependencies: pkg.dependencies,
    bin: pkg.bin,
    engines: pkg.engines,
    license: pkg.license,
  };
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

/** Starts `node <args>` in `cwd` and waits for the JSON log line carrying the URL it listens on. */
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

describe('the packed package in a fresh project', { timeout: 180_000 }, () => {
  let work: string;
  let app: string;
  let server: { child: ChildProcess; url: string } | undefined;
  let browser: Browser | undefined;
  const timings: Record<string, number> = {};

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'rtc-room-pack-'));
    app = join(work, 'app');
    await mkdir(app);
    let t = Date.now();
    const phase = (name: string) => {
      timings[name] = Date.now() - t;
      t = Date.now();
    };
    await run('npm', ['run', '--silent', 'build'], { cwd: repo, timeout: 120_000 });
    phase('build');
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repo, timeout: 60_000 });
    const tarball = join(work, JSON.parse(stdout)[0].filename as string);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'rtc-room': `file:${tarball}` } }),
    );
    await writeFile(join(app, 'package-lock.json'), JSON.stringify(await consumerLock(tarball)));
    phase('pack');
    const ci = (mode: string) => run('npm', ['ci', mode, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, timeout: 90_000 });
    // Offline first (inside npm test's network namespace there is no registry); a cache that lacks
    // a tarball is filled from the registry where one is reachable.
    await ci('--offline').catch(() => ci('--prefer-offline'));
    phase('install');
    for (const name of BORROWED) {
      if (existsSync(join(app, 'node_modules', name))) continue; // installed as a dependency's dependency
      await mkdir(join(app, 'node_modules', name, '..'), { recursive: true });
      await symlink(join(repo, 'node_modules', name), join(app, 'node_modules', name), 'dir');
    }
    await cp(join(app, 'node_modules/rtc-room/examples'), join(app, 'examples'), { recursive: true }); // shipped in the package
  });

  after(async () => {
    if (process.env.RTC_TIMINGS) console.log('package test phases (ms):', timings);
    await browser?.close();
    await stop(server?.child);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('installs the tarball with the manifest, the bundle and the declarations, and no tests', async () => {
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
    const { stdout } = await run('find', ['node_modules/rtc-room', '-name', '*.test.*'], { cwd: app });
    assert.equal(stdout.trim(), '', 'tests are not shipped');
    // One copy of lit and socket.io-client: the app's, shared with any other Lit code it has.
    assert.ok(pkg.dependencies.lit && pkg.dependencies['socket.io-client']);
  });

  it('type-checks an app using every entry point, the tag and event maps, and the React 19 and Preact JSX types (misspelt props refused)', async () => {
    await writeFile(
      join(app, 'check.ts'),
      `import { RtcRoomElement, type RtcPeerJoinedEvent } from 'rtc-room';
import { RtcLocalVideoElement } from 'rtc-room/elements';
import { RoomSession, SignalingClient, RtcError, type RoomSessionOptions } from 'rtc-room/core';
import { createRtcServer, type RtcServerOptions } from 'rtc-room/server';
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

  it('type-checks rtc-room/server with skipLibCheck off: the declarations resolve every type they import (express too)', async () => {
    await writeFile(
      join(app, 'check-server.ts'),
      `import { createRtcServer } from 'rtc-room/server';
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

  it('bundles: rtc-room registers the tags, rtc-room/elements does not, rtc-room/core carries no elements', async () => {
    const bundle = async (name: string, source: string) => {
      const entry = join(app, `${name}.js`);
      await writeFile(entry, source);
      const out = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        format: 'esm',
        minify: true,
        absWorkingDir: app,
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

  it('starts the rtc-room-server bin from the project: /healthz answers and the demo and bundle are served', async () => {
    const bin = await startServer(app, ['node_modules/.bin/rtc-room-server'], { PORT: '0', LOG_LEVEL: 'info' });
    try {
      const health = await (await fetch(`${bin.url}/healthz`)).json();
      assert.equal(health.ok, true);
      assert.equal((await fetch(`${bin.url}/rtc-room.js`)).status, 200);
      assert.match(await (await fetch(`${bin.url}/`)).text(), /<rtc-room/);
    } finally {
      await stop(bin.child);
    }
  });

  describe('examples built in the project, in Chromium, against rtc-room/server', () => {
    before(async () => {
      await run(process.execPath, ['examples/build.mjs', 'public'], { cwd: app, timeout: 60_000 });
      await writeFile(
        join(app, 'server.mjs'),
        `import { createRtcServer } from 'rtc-room/server';
const server = createRtcServer({ demoDir: 'public', bundleDir: 'node_modules/rtc-room/dist' });
const { url } = await server.listen(0);
console.log(JSON.stringify({ listening: url }));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
`,
      );
      server = await startServer(app, ['server.mjs']);
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
      });
    });

    it('rtc-room/server started from the project answers /healthz', async () => {
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
