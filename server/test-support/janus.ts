// Starts and stops a real Janus (Debian's /usr/bin/janus) on 127.0.0.1 for tests: a config written
// to a temporary directory with only the VideoRoom plugin and the WebSocket transport (no admin
// API), on a free port. Inside the test namespace with the `lab0` bridge (scripts/netns.mjs), ICE
// is limited to that bridge (127.0.0.2): Janus gathers no candidates on a loopback-flagged device.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's `janus` package puts the server and its modules. */
export const JANUS_PATH = '/usr/bin/janus';
const MODULES = '/usr/lib/x86_64-linux-gnu/janus';
const READY_LINE = /WebSockets thread started/;
const BIND_FAILED_LINE = /Error (creating|starting) WebSocket|Couldn't bind|Error binding/i;
const LOG_TAIL_LINES = 60;

export interface Janus {
  /** `ws://127.0.0.1:<port>`, for `janusUrl`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** What Janus logged so far (the last lines). */
  log(): string;
  /** SIGTERM (SIGKILL after 3 s); removes the temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Why Janus cannot be used here, or null when it can. */
export function janusUnavailableReason(binary = JANUS_PATH): string | null {
  if (!existsSync(binary)) return `${binary} is missing (Debian: apt-get install janus)`;
  if (!existsSync(join(MODULES, 'plugins/libjanus_videoroom.so'))) return `${MODULES}/plugins/libjanus_videoroom.so is missing`;
  return null;
}

/** True inside a namespace that has the `lab0` bridge holding 127.0.0.2 (what WebRTC with Janus needs here). */
export function hasLabBridge(): boolean {
  // (Not /sys/class/net: sysfs shows the namespace it was mounted in, not this one.)
  return networkInterfaces().lab0?.some((address) => address.address === '127.0.0.2') ?? false;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts Janus and resolves once its WebSocket transport listens (on `port`, or a free one). */
export async function startJanus(options: { port?: number; readyTimeoutMs?: number; onLog?: (line: string) => void } = {}): Promise<Janus> {
  const unavailable = janusUnavailableReason();
  if (unavailable) throw new Error(`startJanus: ${unavailable}`);
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'rtc-janus-'));
  // Only the two modules we use: folders holding links to them (Janus loads every module it finds).
  for (const [folder, file] of [
    ['plugins', 'libjanus_videoroom.so'],
    ['transports', 'libjanus_websockets.so'],
  ] as const) {
    await mkdir(join(dir, folder));
    await symlink(join(MODULES, folder, file), join(dir, folder, file));
  }
  await mkdir(join(dir, 'events'));
  await mkdir(join(dir, 'loggers'));
  const nat = hasLabBridge() ? 'nat: { ice_enforce_list = "lab0" }' : 'nat: { }';
  await writeFile(
    join(dir, 'janus.jcfg'),
    [
      'general: {',
      `  configs_folder = "${dir}"`,
      `  plugins_folder = "${dir}/plugins"`,
      `  transports_folder = "${dir}/transports"`,
      `  events_folder = "${dir}/events"`,
      `  loggers_folder = "${dir}/loggers"`,
      '  debug_level = 4',
      '}',
      'certificates: { }',
      'media: { }',
      nat,
      'plugins: { }',
      'transports: { }',
      'events: { broadcast = false }',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'janus.transport.websockets.jcfg'),
    `general: { json = "plain" ws = true ws_port = ${port} ws_ip = "127.0.0.1" wss = false }\nadmin: { admin_ws = false admin_wss = false }\n`,
  );
  await writeFile(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: { }\n');

  const child = spawn(JANUS_PATH, ['-F', dir, '-C', join(dir, 'janus.jcfg'), '-o'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let state: 'starting' | 'ready' | 'failed' | 'exited' = 'starting';
  let wake = () => {};
  const onLine = (line: string) => {
    if (!line) return;
    tail.push(line);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    options.onLog?.(line);
    if (state === 'starting' && READY_LINE.test(line)) state = 'ready';
    if (state === 'starting' && BIND_FAILED_LINE.test(line)) state = 'failed';
    wake();
  };
  lines(child, onLine);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      state = state === 'starting' ? 'exited' : state;
      wake();
      resolve();
    });
    child.once('error', (error) => onLine(`spawn error: ${error.message}`));
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })());

  const timeoutMs = options.readyTimeoutMs ?? 10_000;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    wake = () => {
      if (state === 'starting') return;
      clearTimeout(timer);
      resolve();
    };
    wake();
  });
  if ((state as string) !== 'ready') {
    await stop();
    throw new Error(`Janus did not start (${state === 'starting' ? `not ready within ${timeoutMs} ms` : state}):\n${tail.join('\n')}`);
  }
  return { url: `ws://127.0.0.1:${port}`, port, pid: child.pid!, log: () => tail.join('\n'), stop };
}

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      parts.forEach(onLine);
    });
    stream?.on('end', () => onLine(rest));
  }
}
