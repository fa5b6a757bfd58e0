// Starts the built server (dist/server/main.js) as its own process for the benches.
import { spawn } from 'node:child_process';

const START_TIMEOUT_MS = 20_000;

/**
 * Resolves once it says it listens: `{ child, port, at }` (`at`: Date.now() when it said so).
 * `stdout`: 'pipe' keeps reading its log (and drops it); stderr goes to ours.
 */
export async function startBuiltServer({ port = 0, env = {} } = {}) {
  const child = spawn(process.execPath, ['dist/server/main.js'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
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
