// Starts the built server (server/dist/server/main.js) as its own process for the benches.
import { spawn } from 'node:child_process';

const START_TIMEOUT_MS = 20_000;
const UNLIMITED = '100000000/1';

/**
 * The benches' limits, raised on purpose. Every bench client connects from 127.0.0.1, so the
 * defaults for one IP address (MAX_CONNECTIONS_PER_IP=50, RATE_LIMIT_JOIN_PER_IP=60/60,
 * RATE_LIMIT_SIGNAL_PER_IP=5000/10, …) would refuse a bench that is one machine pretending to be
 * thousands of members. The limiter stays in the path (its cost is measured), it just never says no.
 * Environment variables for a server process (server/config.ts):
 */
export const BENCH_LIMITS_ENV = Object.freeze({
  MAX_CONNECTIONS_PER_IP: '1000000',
  ...Object.fromEntries(
    ['JOIN', 'SIGNAL', 'ICE_SERVERS', 'PREFLIGHT', 'MEDIA_STATE'].flatMap((event) => [
      [`RATE_LIMIT_${event}`, UNLIMITED],
      [`RATE_LIMIT_${event}_PER_IP`, UNLIMITED],
    ]),
  ),
});

/** The same limits as `createRtcServer` options, for benches that run the server in-process. */
export const BENCH_LIMITS_OPTIONS = Object.freeze({
  maxConnectionsPerIp: 1_000_000,
  rateLimits: Object.fromEntries(
    ['join', 'signal', 'ice-servers', 'preflight', 'media-state'].map((event) => [
      event,
      { perSocket: { points: 100_000_000, duration: 1 }, perIp: { points: 100_000_000, duration: 1 } },
    ]),
  ),
});

/**
 * Resolves once it says it listens: `{ child, port, at }` (`at`: Date.now() when it said so).
 * It runs with BENCH_LIMITS_ENV (then `env` on top). `stdout`: 'pipe' keeps reading its log (and
 * drops it); stderr goes to ours.
 */
export async function startBuiltServer({ port = 0, env = {} } = {}) {
  const child = spawn(process.execPath, ['server/dist/server/main.js'], {
    env: { ...process.env, ...BENCH_LIMITS_ENV, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const listening = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
    child.stdout.on('data', (d) => {
      if (output.length < 10_000) output += d;
      const found = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve({ port: Number(found[1]), at: Date.now() });
      }
    });
  });
  return { child, ...listening };
}
