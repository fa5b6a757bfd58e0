import { DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_RATE_LIMITS, LIMITED_EVENTS } from '../limits.js';
import { MINT_USAGE } from '../mint-cli.js';
import { CONFIG_VARIABLES } from '../config.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../test-support/harness.js';

describe('HTTP', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  let demoDir: string;
  before(async () => {
    demoDir = await mkdtemp(join(tmpdir(), 'rtc-demo-'));
    await writeFile(join(demoDir, 'index.html'), '<!doctype html><title>demo</title>');
    await writeFile(join(demoDir, 'rtc-room.js'), 'export {}');
    h = await startServer({ demoDir, bundleDir: demoDir });
  });
  after(async () => {
    await h.close();
    await rm(demoDir, { recursive: true });
  });

  it('GET /healthz reports protocol, rooms, peers and the ICE provider', async () => {
    const res = await fetch(`${h.url}/healthz`);
    assert.equal(res.status, 200);
    const counters = {
      unknownEvents: 0,
      eventsWithoutAck: 0,
      badRequests: 0,
      unauthorized: 0,
      rateLimited: 0,
      overBudget: 0,
      slowReaders: 0,
      refusedConnections: 0,
    };
    assert.deepEqual(await res.json(), { ok: true, protocol: 1, rooms: 0, peers: 0, ice: { provider: 'static', ok: true }, counters });
  });

  it('serves the demo at / (also with ?room=) and the bundle', async () => {
    for (const path of ['/', '/?room=standup']) {
      const res = await fetch(`${h.url}${path}`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /<title>demo<\/title>/);
    }
    const js = await fetch(`${h.url}/rtc-room.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
  });

  it('serves the bundle from a bundleDir given relative to the working directory', async () => {
    const rel = relative(process.cwd(), demoDir);
    const other = await startServer({ bundleDir: rel });
    try {
      const js = await fetch(`${other.url}/rtc-room.js`);
      assert.equal(js.status, 200);
      assert.equal(await js.text(), 'export {}');
    } finally {
      await other.close();
    }
  });

  it('answers only at exact paths: other cases and trailing slashes are 404s, as a proxy rule for the exact path expects', async () => {
    for (const path of ['/metrics', '/healthz', '/rtc-room.js']) assert.equal((await fetch(`${h.url}${path}`)).status, 200, path);
    const variants = ['/metrics/', '/METRICS', '/Metrics', '/metrics//', '/healthz/', '/HEALTHZ', '/rtc-room.js/', '/RTC-ROOM.JS'];
    for (const path of variants) {
      const res = await fetch(`${h.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).error.code, 'not_found', path);
    }
  });

  it('answers unknown paths with a 404 JSON body', async () => {
    const res = await fetch(`${h.url}/api/nothing`);
    assert.equal(res.status, 404);
    assert.deepEqual((await res.json()).error.code, 'not_found');
    const missing = await fetch(`${h.url}/custom-elements.json`);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, 'not_found');
  });
});

describe('the CLI (server/main.ts)', () => {
  it('logs one line with its URL, serves /healthz, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        ROOM_CAPACITY: '3',
        TURN_URLS: 'turn:127.0.0.1:3478',
        TURN_SECRET: 'turn-secret-one,turn-secret-zero',
        ICE_TTL: '900',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 10_000);
        child.stdout.on('data', (d) => {
          out += d;
          const found = out.split('\n').find((l) => l.includes('listening on'));
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
      });
      const { msg, roomCapacity, ice, iceTtl } = JSON.parse(line);
      const url = msg.match(/http:\/\/localhost:(\d+)/);
      assert.ok(url, msg);
      assert.equal(roomCapacity, 3);
      assert.equal(ice, 'turn-rest', 'the start line names the ICE provider');
      assert.equal(iceTtl, 900);
      assert.doesNotMatch(line, /turn-secret/, 'no secret in the log');
      const health = await fetch(`http://127.0.0.1:${url[1]}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual((await health.json()).ice, { provider: 'turn-rest', ok: true });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('says at start whether joins need a token and which origins are allowed', async () => {
    const start = async (env: Record<string, string>) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        return await new Promise<object[]>((resolve, reject) => {
          let out = '';
          const timer = setTimeout(() => reject(new Error(`no start lines: ${out}`)), 10_000);
          child.stdout.on('data', (d) => {
            out += d;
            // the listening line and the lines logged right after it
            if (/listening on/.test(out)) {
              clearTimeout(timer);
              setTimeout(
                () =>
                  resolve(
                    out
                      .trim()
                      .split('\n')
                      .map((l) => JSON.parse(l)),
                  ),
                500,
              );
            }
          });
        });
      } finally {
        child.kill('SIGKILL');
      }
    };
    const open = await start({});
    const listening = open.find((l: any) => /listening on/.test(l.msg)) as any;
    assert.equal(listening.accessTokens, 'off');
    assert.equal(listening.allowedOrigins, 'any');
    assert.ok(
      open.some((l: any) => l.level === 40 && /access tokens are off.*anyone who reaches this server can join any room/.test(l.msg)),
      JSON.stringify(open),
    );
    assert.ok(open.some((l: any) => /ALLOWED_ORIGINS is not set: pages of any origin/.test(l.msg)));
    const closed = await start({ ACCESS_TOKEN_SECRET: 'x'.repeat(40), ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:3000' });
    const line = closed.find((l: any) => /listening on/.test(l.msg)) as any;
    assert.equal(line.accessTokens, 'hs256');
    assert.deepEqual(line.allowedOrigins, ['https://app.example.com', 'http://localhost:3000']);
    assert.ok(!closed.some((l: any) => /access tokens are off/.test(l.msg)));
    assert.doesNotMatch(JSON.stringify(closed), /xxxxxxxx/, 'no secret in the log');
  });

  it('exits 2 on an unknown flag and 1 on a port in use, each with one line and no stack', async () => {
    const cli = async (args: string[], env: Record<string, string> = {}) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
        env: { ...process.env, HOST: '127.0.0.1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { code, err };
    };
    const unknown = await cli(['--prot', '4000']);
    assert.deepEqual(unknown, { code: 2, err: "rtc-room: unknown option '--prot' (see rtc-room-server --help)\n" });
    const busy = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    try {
      const port = (busy.address() as AddressInfo).port;
      const inUse = await cli(['--port', String(port)]);
      assert.equal(inUse.code, 1);
      assert.equal(
        inUse.err,
        `rtc-room: port ${port} on 127.0.0.1 is already in use: stop what listens there, or choose another port (--port or PORT)\n`,
      );
    } finally {
      busy.close();
    }
  });

  it('exits 1 with one clear line on a bad variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, ROOM_CAPACITY: 'lots' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(err, /^rtc-room: ROOM_CAPACITY must be an integer/);
  });

  it('--help lists every variable config.ts reads, with its default, and docs/server.md documents each', async () => {
    // config.ts reads exactly the variables of its table (config.unit.test.ts shows each one is read).
    const read = CONFIG_VARIABLES.map((v) => v.name).sort();
    assert.ok(read.length >= 14, `found ${read.join(', ')}`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    const listed = [...out.matchAll(/^ {2}([A-Z][A-Z0-9_]*) /gm)].map((m) => m[1]!).sort();
    assert.deepEqual(listed, read, '--help lists exactly the variables loadConfig reads');
    assert.match(out, /^ {2}PORT .*\(default: 3000\)$/m);
    assert.match(out, /^ {2}ROOM_CAPACITY .*\(default: 4\)$/m);
    assert.match(out, /^ {2}LOG_LEVEL .*\(default: info\)$/m);
    // Defaults in --help come from the constants loadConfig uses.
    const helpDefault = (name: string) => new RegExp(`^ {2}${name} .*\\(default: ([^)]*)\\)$`, 'm').exec(out)?.[1];
    for (const event of LIMITED_EVENTS) {
      const name = `RATE_LIMIT_${event.toUpperCase().replace('-', '_')}`;
      const { perSocket, perIp } = DEFAULT_RATE_LIMITS[event];
      assert.equal(helpDefault(name), `${perSocket.points}/${perSocket.duration}`, name);
      assert.equal(helpDefault(`${name}_PER_IP`), `${perIp.points}/${perIp.duration}`, `${name}_PER_IP`);
    }
    assert.equal(helpDefault('MAX_CONNECTIONS_PER_IP'), String(DEFAULT_MAX_CONNECTIONS_PER_IP));
    assert.match(out, /mint-token --room ROOM --sub USER/);
    assert.match(out, /ACCESS_TOKEN_PRIVATE_KEY/);
    // Each variable has a row of docs/server.md's configuration table (first cell: its name, or
    // names joined by commas), and the row's default is the one --help prints.
    const readme = await readFile(new URL('../../docs/server.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('| variable | default | meaning |'));
    const rows = table
      .slice(0, table.search(/\n(?!\|)/))
      .split('\n')
      .slice(2);
    const readmeDefault = new Map<string, string>();
    for (const row of rows) {
      const [names, defaultCell] = row.split(' | ');
      for (const m of names!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) readmeDefault.set(m[1]!, defaultCell!.trim());
    }
    for (const name of read) {
      assert.ok(readmeDefault.has(name), `docs/server.md has a table row | \`${name}\` |`);
      const shown = helpDefault(name);
      if (shown !== undefined) assert.equal(readmeDefault.get(name), `\`${shown}\``, `docs/server.md default of ${name}`);
    }
  });

  it("mint-token --help prints the subcommand's usage, not the server's", async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'mint-token', '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    assert.equal(out, MINT_USAGE);
  });
});
