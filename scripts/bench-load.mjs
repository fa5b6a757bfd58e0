// `npm run bench` (part 4): many Socket.IO clients against the built server (server/dist/server/main.js),
// on one node, then on two nodes sharing rooms through a real redis-server. All on 127.0.0.1.
//
// For each setup: CLIENTS members (WebSocket only) connect and join rooms of two (in the two-node
// setup each room's members are on different nodes, the worst case), then members send `signal`
// messages to their peer at fixed rates for RATE_SECONDS each. Reported: connections held, server
// memory per connection (RSS growth of the server processes / connections), join rate, and relay
// latency p50/p99 (send → arrival at the peer, one clock: the same process) per rate.
//
// The reference, run first in the same sitting: a bare Socket.IO relay written for the purpose
// (bench/relay/server.mjs: join and signal, nothing else); the one-node figures are printed as
// ratios to it (memory per member, p99 per rate).
//
// BENCH_LOAD_CLIENTS (default 2000; up to 10000, check `ulimit -n`), BENCH_LOAD_RATES (default
// "1000,5000" messages per second), BENCH_LOAD_SECONDS (default 5), BENCH_LOAD_NODES ("relay,1,2").
import { spawn } from 'node:child_process';
import { startBuiltServer } from './built-server.mjs';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';

const CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS ?? 2000);
const RATES = (process.env.BENCH_LOAD_RATES ?? '1000,5000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
/** `relay` (the bare reference), then node counts. */
const SETUPS = (process.env.BENCH_LOAD_NODES ?? 'relay,1,2').split(',').map((x) => (x === 'relay' ? x : Number(x)));
const REDIS_SERVER = process.env.RTC_TEST_REDIS_SERVER || '/usr/bin/redis-server';
/** Joins (and connects) in flight at once. */
const CONCURRENCY = 200;
/** Sends are spread over ticks this long (short: no bursts that would queue behind each other). */
const TICK_MS = 2;
const STEP_TIMEOUT_MS = 120_000;
/** A bound on the whole bench, whatever happens. */
setTimeout(() => {
  console.error('bench-load: gave up after 10 minutes');
  process.exit(1);
}, 600_000).unref();

if (!(CLIENTS >= 2 && CLIENTS <= 10_000 && CLIENTS % 2 === 0)) throw new Error('BENCH_LOAD_CLIENTS: an even number from 2 to 10000');
if (RATES.some((r) => !(r > 0 && r <= 20_000))) throw new Error('BENCH_LOAD_RATES: rates from 1 to 20000');
/** Each client holds one socket here and one in a server: both need CLIENTS descriptors and some. */
const openFiles = Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? Infinity);
if (CLIENTS + 200 > openFiles)
  throw new Error(`BENCH_LOAD_CLIENTS=${CLIENTS} needs \`ulimit -n\` above ${CLIENTS + 200} (it is ${openFiles})`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * The built server as its own process, in rooms of two; resolves once it listens. All clients are
 * on 127.0.0.1: startBuiltServer raises the per-IP connection cap and the rate limits for the
 * bench (BENCH_LIMITS_ENV in built-server.mjs); with the defaults the 51st connection is refused.
 */
async function startNode(env = {}) {
  const { child, port } = await startBuiltServer({ env: { ROOM_CAPACITY: '2', ...env } });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** The bare relay (bench/relay/server.mjs) as its own process, in rooms of two. */
async function startRelay() {
  const child = spawn(process.execPath, ['bench/relay/server.mjs'], {
    env: { ...process.env, PORT: '0', ROOM_CAPACITY: '2' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await Promise.race([once(child.stdout, 'data'), once(child, 'exit')]);
  const port = /listening on http:\/\/[^:]+:(\d+)/.exec(String(line))?.[1];
  if (!port) throw new Error(`the relay did not start: ${line}`);
  child.stdout.resume();
  return { child, url: `http://127.0.0.1:${port}` };
}

async function startRedis() {
  if (!existsSync(REDIS_SERVER)) return null;
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'rtc-bench-redis-'));
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const c = createConnection({ port, host: '127.0.0.1' });
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (up) break;
    await sleep(50);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process, in bytes (Linux). */
function rss(pid) {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** Runs `task(i)` for i in 0..n-1 with at most `limit` in flight. */
async function pool(n, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function run(setup) {
  const nodeCount = setup === 'relay' ? 1 : setup;
  const redis = nodeCount > 1 ? await startRedis() : null;
  if (nodeCount > 1 && !redis) {
    console.log(`\n${nodeCount} nodes: skipped (${REDIS_SERVER} is missing; Debian: apt-get install redis-server)`);
    return null;
  }
  const nodes = [];
  for (let i = 0; i < nodeCount; i++)
    nodes.push(setup === 'relay' ? await startRelay() : await startNode(redis ? { REDIS_URL: redis.url } : {}));
  const sockets = [];
  try {
    await sleep(1_000); // let the servers settle before the baseline
    const baseline = nodes.map((n) => rss(n.child.pid));

    // Connect everyone (WebSocket only, as behind a load balancer without sticky sessions).
    const t0 = performance.now();
    await pool(CLIENTS, CONCURRENCY, async (i) => {
      const socket = connect(nodes[i % nodeCount].url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        timeout: STEP_TIMEOUT_MS,
      });
      sockets[i] = socket;
      await new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
    });
    const connectMs = performance.now() - t0;

    // Join: members 2k and 2k+1 share a room (on different nodes when there are two).
    const ids = new Array(CLIENTS);
    const t1 = performance.now();
    await pool(CLIENTS, CONCURRENCY, async (i) => {
      const answer = await sockets[i].timeout(STEP_TIMEOUT_MS).emitWithAck('join', { room: `load-${i >> 1}` });
      if (!answer.ok) throw new Error(`join ${i}: ${answer.error.code}`);
      ids[i] = answer.id;
    });
    const joinMs = performance.now() - t1;
    await sleep(1_000);
    const held = sockets.filter((s) => s.connected).length;
    const grown = nodes.reduce((sum, n, i) => sum + (rss(n.child.pid) - baseline[i]), 0);

    // Relay at fixed rates: round-robin members signal their peer, what is due sent every TICK_MS.
    // Each message says which rate it belongs to, so a late one is counted where it was sent.
    const latencies = RATES.map(() => []);
    for (const s of sockets) {
      s.on('signal', ({ candidate }) => {
        const [, step, sent] = candidate.candidate.split(' ');
        latencies[Number(step)]?.push(performance.now() - Number(sent));
      });
    }
    const relay = [];
    for (const [step, rate] of RATES.entries()) {
      const samples = latencies[step];
      let sender = 0;
      let errors = 0;
      let acked = 0;
      let firstError = null;
      let sent = 0;
      const start = performance.now();
      const end = start + SECONDS * 1_000;
      // A fixed rate whatever the ticks' real length: what is owed by now is sent now.
      for (let now = start; now < end; now = performance.now()) {
        const owed = Math.floor((rate * (now - start)) / 1_000) - sent;
        for (let k = 0; k < owed; k++) {
          const from = sender++ % CLIENTS;
          sent++;
          sockets[from].emit(
            'signal',
            { to: ids[from ^ 1], candidate: { candidate: `candidate:bench ${step} ${performance.now()}` } },
            (ack) => {
              acked++;
              if (!ack?.ok && errors++ === 0) firstError = ack?.error?.code ?? 'no answer';
            },
          );
        }
        await sleep(TICK_MS);
      }
      const achieved = sent / ((performance.now() - start) / 1_000);
      // The last ones arrive (every send answered, every accepted one delivered), or 10 s pass.
      for (const deadline = performance.now() + 10_000; performance.now() < deadline; await sleep(20)) {
        if (acked === sent && samples.length >= sent - errors) break;
      }
      samples.sort((a, b) => a - b);
      relay.push({
        rate,
        achieved: Math.round(achieved),
        delivered: samples.length,
        sent,
        errors,
        firstError,
        p50: percentile(samples, 50),
        p99: percentile(samples, 99),
      });
    }
    return {
      setup,
      nodeCount,
      held,
      connectPerSec: Math.round(CLIENTS / (connectMs / 1_000)),
      joinsPerSec: Math.round(CLIENTS / (joinMs / 1_000)),
      kbPerConnection: grown / CLIENTS / 1024,
      relay,
    };
  } finally {
    for (const s of sockets) s?.close();
    await Promise.all(nodes.map(async (n) => (n.child.kill('SIGTERM'), await once(n.child, 'exit'))));
    await redis?.stop();
  }
}

if (!existsSync('server/dist/server/main.js')) throw new Error('server/dist/server/main.js is missing: run `npm run build`');
let failed = false;
console.log(
  `bench-load: ${CLIENTS} clients in rooms of two, rates ${RATES.join(', ')} msg/s for ${SECONDS} s each (ulimit -n ${openFiles})`,
);
const results = new Map();
for (const setup of SETUPS) {
  const r = await run(setup);
  if (!r) continue;
  results.set(setup, r);
  console.log(
    `\n${setup === 'relay' ? 'bare Socket.IO relay (the reference), 1 node' : `${r.nodeCount} node${r.nodeCount > 1 ? 's over Redis' : ''}`}:`,
  );
  console.log(`  connections held      ${r.held} / ${CLIENTS}`);
  console.log(`  server memory         ${r.kbPerConnection.toFixed(1)} KB per connection (RSS growth / connections)`);
  console.log(`  connect rate          ${r.connectPerSec} /s`);
  console.log(`  join rate             ${r.joinsPerSec} /s`);
  for (const x of r.relay) {
    console.log(
      `  relay ${String(x.rate).padStart(5)} msg/s   p50 ${x.p50?.toFixed(2)} ms, p99 ${x.p99?.toFixed(2)} ms` +
        ` (sent ${x.achieved}/s, delivered ${x.delivered}/${x.sent}, errors ${x.errors}${x.firstError ? `, the first: ${x.firstError}` : ''})`,
    );
    if (x.delivered !== x.sent || x.errors !== 0) failed = true;
  }
  if (r.held !== CLIENTS) failed = true;
}
const [relay, one] = [results.get('relay'), results.get(1)];
if (relay && one) {
  const ratio = (a, b) => (a / b).toFixed(2);
  const p99s = one.relay.map((x, i) => `${x.rate} msg/s ${ratio(x.p99, relay.relay[i].p99)}`).join(', ');
  console.log(
    `\none node / bare relay: memory per member ${ratio(one.kbPerConnection, relay.kbPerConnection)}, p99 ${p99s} (targets <= 1.0)`,
  );
}
if (failed) {
  console.error(
    'bench-load: FAILED: a connection was lost, a signal was refused, or not every signal was delivered exactly once (see above)',
  );
  process.exit(1);
}
process.exit(0);
