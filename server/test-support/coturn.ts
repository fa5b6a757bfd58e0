// Starts and stops a real coturn (Debian's /usr/bin/turnserver) on 127.0.0.1 for tests, in TURN
// REST mode (`use-auth-secret`). Each run gets its own temporary directory (config, sqlite userdb,
// pidfile) and its own ports, so parallel runs do not meet.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's `coturn` package puts the server. */
export const TURNSERVER_PATH = '/usr/bin/turnserver';

const HOST = '127.0.0.1';
/** Printed once every listener is bound; a busy port makes coturn retry forever instead. */
const READY_LINE = /Total General servers:/;
const BIND_FAILED_LINE = /Cannot bind [^\n]*listener socket to addr/;
/** Kept for error messages. */
const LOG_TAIL_LINES = 40;
const START_ATTEMPTS = 3;

export interface StartCoturnOptions {
  /** `static-auth-secret` lines; coturn accepts credentials signed with any of them. */
  secrets: string[];
  /** @default 'rtc-room.test' */
  realm?: string;
  /** Listening port (UDP and TCP). @default a free port below the ephemeral range */
  port?: number;
  /** How many relay ports to reserve (`min-port`..`max-port`). @default 100 */
  relayPortCount?: number;
  /** @default TURNSERVER_PATH */
  binary?: string;
  /** Bound on the wait for coturn to listen. @default 5000 */
  readyTimeoutMs?: number;
  /** Bound on the wait after SIGTERM before SIGKILL. @default 3000 */
  stopTimeoutMs?: number;
  /** Logs every session (coturn's `verbose`). @default false */
  verbose?: boolean;
  /** Receives every line coturn logs. */
  onLog?: (line: string) => void;
}

export interface Coturn {
  readonly port: number;
  /** `turn:127.0.0.1:<port>?transport=udp` and `?transport=tcp`. */
  readonly urls: string[];
  readonly realm: string;
  /** The relay port range. */
  readonly minPort: number;
  readonly maxPort: number;
  readonly pid: number;
  /** The temporary directory holding its config, userdb and pidfile (gone after stop()). */
  readonly dir: string;
  /** Milliseconds from spawn until coturn listened. */
  readonly startupMs: number;
  /** What coturn logged so far (the last lines). */
  log(): string;
  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; removes the temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Why coturn cannot be used here, or null when it can. */
export function coturnUnavailableReason(binary = TURNSERVER_PATH): string | null {
  return existsSync(binary) ? null : `${binary} is missing (Debian: apt-get install coturn)`;
}

/** Starts coturn on 127.0.0.1 and resolves once it listens. */
export async function startCoturn(options: StartCoturnOptions): Promise<Coturn> {
  if (options.secrets.length === 0 || options.secrets.some((s) => !s || /\s/.test(s))) {
    throw new Error('startCoturn: `secrets` must hold at least one non-empty secret without spaces');
  }
  const binary = options.binary ?? TURNSERVER_PATH;
  const unavailable = coturnUnavailableReason(binary);
  if (unavailable) throw new Error(`startCoturn: ${unavailable}`);
  let lastError: unknown;
  // A port found free can be taken by someone else before coturn binds it: then try other ports.
  for (let attempt = 1; attempt <= (options.port ? 1 : START_ATTEMPTS); attempt++) {
    try {
      return await startOnce(binary, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortBusyError)) throw error;
    }
  }
  throw lastError;
}

class PortBusyError extends Error {}

async function startOnce(binary: string, options: StartCoturnOptions): Promise<Coturn> {
  const realm = options.realm ?? 'rtc-room.test';
  const relayPortCount = options.relayPortCount ?? 100;
  const { port, minPort, maxPort } = await choosePorts(options.port, relayPortCount);
  const dir = await mkdtemp(join(tmpdir(), 'rtc-coturn-'));
  const configFile = join(dir, 'turnserver.conf');
  await writeFile(
    configFile,
    [
      `listening-ip=${HOST}`,
      `relay-ip=${HOST}`,
      `listening-port=${port}`,
      `min-port=${minPort}`,
      `max-port=${maxPort}`,
      `realm=${realm}`,
      'use-auth-secret',
      ...options.secrets.map((secret) => `static-auth-secret=${secret}`),
      'fingerprint',
      // Both peers' relay candidates are 127.0.0.1: loopback peers must be allowed explicitly.
      'allow-loopback-peers',
      'no-multicast-peers',
      'no-tls',
      'no-dtls',
      // coturn refuses allow-loopback-peers with the CLI on and no cli-password.
      'no-cli',
      `userdb=${join(dir, 'turndb.sqlite')}`,
      `pidfile=${join(dir, 'turnserver.pid')}`,
      'log-file=stdout',
      'simple-log',
      'no-software-attribute',
      ...(options.verbose ? ['verbose'] : []),
      '',
    ].join('\n'),
  );

  const started = performance.now();
  const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let ready = false;
  let bindFailed = false;
  let exited = false;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const onLine = (line: string) => {
    if (!line) return;
    tail.push(line);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    options.onLog?.(line);
    if (READY_LINE.test(line)) ready = true;
    if (BIND_FAILED_LINE.test(line)) bindFailed = true;
    wake();
  };
  lines(child, onLine);
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      wake();
      resolve();
    });
    child.once('error', (error) => {
      onLine(`spawn error: ${error.message}`);
      exited = true;
      wake();
      resolve();
    });
  });
  // If the test process dies without stop(), do not leave coturn behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 3_000);
        await exitedPromise;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })());

  try {
    const deadline = started + (options.readyTimeoutMs ?? 5_000);
    await waitFor(waiters, () => ready || bindFailed || exited, deadline);
    if (bindFailed) throw new PortBusyError(`coturn could not bind 127.0.0.1:${port}`);
    if (exited) throw new Error(`coturn exited during start-up (code ${child.exitCode}):\n${tail.join('\n')}`);
    if (!ready) throw new Error(`coturn did not listen within ${options.readyTimeoutMs ?? 5_000} ms:\n${tail.join('\n')}`);
    // Belt and braces: its TCP listener accepts.
    await tcpReachable(port, deadline);
  } catch (error) {
    await stop();
    throw error;
  }
  const startupMs = Math.round(performance.now() - started);

  return {
    port,
    urls: [`turn:${HOST}:${port}?transport=udp`, `turn:${HOST}:${port}?transport=tcp`],
    realm,
    minPort,
    maxPort,
    pid: child.pid!,
    dir,
    startupMs,
    log: () => tail.join('\n'),
    stop,
  };
}

/** Feeds each line of the child's stdout and stderr to `onLine`. */
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

function waitFor(waiters: Set<() => void>, done: () => boolean, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      if (!done() && performance.now() < deadline) return;
      clearTimeout(timer);
      waiters.delete(finish);
      resolve();
    };
    const timer = setTimeout(finish, Math.max(0, deadline - performance.now()));
    waiters.add(finish);
    finish();
  });
}

async function tcpReachable(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: HOST, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (performance.now() > deadline) throw new Error(`coturn does not accept TCP on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Lowest ephemeral port: ports the kernel hands out for port 0 start there, so stay below. */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && low > 11_000) return low;
  } catch {
    // not Linux: use the IANA range's start
  }
  return 49_152;
}

/** A listening port free on UDP and TCP, and a relay range right after it, chosen at random. */
async function choosePorts(fixed: number | undefined, count: number) {
  const low = 10_000;
  const high = ephemeralStart() - 1;
  for (let tries = 0; tries < 50; tries++) {
    const port = fixed ?? low + Math.floor(Math.random() * (high - low - count - 2));
    const minPort = port + 1;
    const maxPort = minPort + count - 1;
    if (fixed || ((await udpFree(port)) && (await tcpFree(port)) && (await udpFree(minPort)) && (await udpFree(maxPort)))) {
      return { port, minPort, maxPort };
    }
  }
  throw new Error('startCoturn: found no free ports');
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      try {
        socket.close();
      } catch {
        // never bound
      }
      resolve(false);
    });
    socket.bind(port, HOST, () => socket.close(() => resolve(true)));
  });
}

export type TurnAllocateResult =
  | { ok: true; /** `ip:port` of the relayed transport address */ relayed: string }
  | { ok: false; /** the STUN error code (401: bad or expired credentials) */ code: number; reason: string };

const STUN_MAGIC = 0x2112a442;
const ALLOCATE = 0x0003;
const ALLOCATE_SUCCESS = 0x0103;
const ALLOCATE_ERROR = 0x0113;
const REFRESH = 0x0004;
const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
} as const;

/**
 * One TURN Allocate over UDP with long-term credentials (RFC 5766/8489), as a browser does it:
 * an unauthenticated request, the 401 challenge (realm, nonce), then the signed request. A small
 * client so that tests need neither a browser nor turnutils_uclient (which takes seconds).
 */
export async function turnAllocate(
  port: number,
  username: string,
  credential: string,
  { host = HOST, timeoutMs = 2_000 }: { host?: string; timeoutMs?: number } = {},
): Promise<TurnAllocateResult> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, host, () => resolve());
    });
    const transport = Buffer.from([17, 0, 0, 0]); // UDP
    const exchange = async (attributes: Array<[number, Buffer]>, integrityKey?: Buffer, type = ALLOCATE) => {
      const id = randomBytes(12);
      const request = stunMessage(type, id, attributes, integrityKey);
      const response = new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no TURN answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
        const onMessage = (message: Buffer) => {
          if (message.length < 20 || !message.subarray(8, 20).equals(id)) return;
          clearTimeout(timer);
          socket.off('message', onMessage);
          resolve(message);
        };
        socket.on('message', onMessage);
      });
      socket.send(request);
      return parseStun(await response);
    };
    const challenge = await exchange([[ATTR.requestedTransport, transport]]);
    if (challenge.type !== ALLOCATE_ERROR) throw new Error('TURN server allowed an unauthenticated Allocate');
    const realm = challenge.attributes.get(ATTR.realm);
    const nonce = challenge.attributes.get(ATTR.nonce);
    if (!realm || !nonce) return { ok: false, ...errorOf(challenge.attributes.get(ATTR.errorCode)) };
    const key = createHash('md5')
      .update(`${username}:${realm.toString('utf8')}:${credential}`)
      .digest();
    const answer = await exchange(
      [
        [ATTR.requestedTransport, transport],
        [ATTR.username, Buffer.from(username, 'utf8')],
        [ATTR.realm, realm],
        [ATTR.nonce, nonce],
      ],
      key,
    );
    if (answer.type === ALLOCATE_SUCCESS) {
      const relayed = answer.attributes.get(ATTR.xorRelayedAddress);
      if (!relayed || relayed[1] !== 0x01) throw new Error('TURN Allocate succeeded without an IPv4 relayed address');
      const relayedPort = relayed.readUInt16BE(2) ^ (STUN_MAGIC >>> 16);
      const address = (relayed.readUInt32BE(4) ^ STUN_MAGIC) >>> 0;
      // Release the allocation (Refresh, lifetime 0): coturn keys allocations by the client's
      // address and port, and a later call that gets the same ephemeral port would otherwise meet
      // this one (437 "Mismatched allocation") instead of its own answer.
      const auth: Array<[number, Buffer]> = [
        [ATTR.username, Buffer.from(username, 'utf8')],
        [ATTR.realm, realm],
        [ATTR.nonce, nonce],
      ];
      const released = await exchange([[ATTR.lifetime, Buffer.alloc(4)], ...auth], key, REFRESH);
      if (released.type !== 0x0104) throw new Error(`TURN Refresh (release) answered 0x${released.type.toString(16)}`);
      return { ok: true, relayed: `${[24, 16, 8, 0].map((s) => (address >>> s) & 0xff).join('.')}:${relayedPort}` };
    }
    return { ok: false, ...errorOf(answer.attributes.get(ATTR.errorCode)) };
  } finally {
    socket.close();
  }
}

function stunMessage(type: number, id: Buffer, attributes: Array<[number, Buffer]>, integrityKey: Buffer | undefined): Buffer {
  const body = Buffer.concat(
    attributes.map(([attrType, value]) => {
      const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
      padded.writeUInt16BE(attrType, 0);
      padded.writeUInt16BE(value.length, 2);
      value.copy(padded, 4);
      return padded;
    }),
  );
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(STUN_MAGIC, 4);
  id.copy(header, 8);
  if (!integrityKey) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // MESSAGE-INTEGRITY covers everything before it, with the length already counting it.
  header.writeUInt16BE(body.length + 24, 2);
  const digest = createHmac('sha1', integrityKey)
    .update(Buffer.concat([header, body]))
    .digest();
  const integrity = Buffer.alloc(24);
  integrity.writeUInt16BE(ATTR.messageIntegrity, 0);
  integrity.writeUInt16BE(20, 2);
  digest.copy(integrity, 4);
  return Buffer.concat([header, body, integrity]);
}

function parseStun(message: Buffer): { type: number; attributes: Map<number, Buffer> } {
  const attributes = new Map<number, Buffer>();
  const end = Math.min(message.length, 20 + message.readUInt16BE(2));
  for (let offset = 20; offset + 4 <= end;) {
    const attrType = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 2);
    if (!attributes.has(attrType)) attributes.set(attrType, message.subarray(offset + 4, offset + 4 + length));
    offset += 4 + Math.ceil(length / 4) * 4;
  }
  return { type: message.readUInt16BE(0), attributes };
}

function errorOf(value: Buffer | undefined): { code: number; reason: string } {
  if (!value || value.length < 4) return { code: 0, reason: 'no ERROR-CODE attribute' };
  return { code: (value[2]! & 0x07) * 100 + value[3]!, reason: value.subarray(4).toString('utf8') };
}
