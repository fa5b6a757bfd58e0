// Starts and stops a real Redis (Debian's /usr/bin/redis-server) on 127.0.0.1 for tests: a free
// port, no persistence, its own working directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's `redis-server` package puts the server. */
export const REDIS_SERVER_PATH = '/usr/bin/redis-server';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Why Redis tests cannot run here, or null. */
export function redisUnavailableReason(binary = process.env.RTC_TEST_REDIS_SERVER || REDIS_SERVER_PATH): string | null {
  return existsSync(binary) ? null : `${binary} is missing (Debian: apt-get install redis-server)`;
}

export interface TestRedis {
  readonly port: number;
  /** redis://127.0.0.1:port */
  readonly url: string;
  readonly pid: number;
  /** Stops it (SIGTERM, SIGKILL after 3 s) and removes its directory. Safe to call twice. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts redis-server on 127.0.0.1 (`port`: a free one unless given) and resolves once it accepts
 * connections. `dir`: keep the data there (append-only file, written on every command) and leave
 * it on stop, so that a Redis started again on the same `dir` has it all back.
 */
export async function startRedis(options: { port?: number; dir?: string } = {}): Promise<TestRedis> {
  const binary = process.env.RTC_TEST_REDIS_SERVER || REDIS_SERVER_PATH;
  const reason = redisUnavailableReason(binary);
  if (reason) throw new Error(`startRedis: ${reason}`);
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'rtc-redis-')));
  const port = options.port ?? (await freePort());
  const persistence = options.dir ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir, '--loglevel', 'warning'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = once(child, 'exit');
  void exited.then(() => running.delete(child));
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  // Ready once a PING is answered.
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output}`);
    if (await ping(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer within 5 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  let stopped: Promise<void> | null = null;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    stop(signal = 'SIGTERM') {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill(signal);
          const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
          await exited;
          clearTimeout(timer);
        }
        if (!options.dir) await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** One raw RESP PING (no client library: this only checks that the server is up). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    {
      const socket = createConnection({ port, host: '127.0.0.1' });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => done(String(d).startsWith('+PONG')));
      socket.setTimeout(500, () => done(false));
    }
  });
}
