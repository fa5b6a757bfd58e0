// Run as a process: builds a server (with a Redis URL when given as an argument, one that cannot
// be reached) and prints how many modules of the Redis client and adapter were loaded.
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { createRtcServer } from '../app.js';

const require = createRequire(import.meta.url);
const url = process.argv[2];
const server = createRtcServer({ logger: pino({ level: 'silent' }), ...(url ? { redis: { url, connectTimeoutMs: 500 } } : {}) });
await server.ready.catch(() => {});
process.stdout.write(
  `${Object.keys(require.cache).filter((file) => /[\\/](@redis|@socket\.io[\\/]redis-adapter)[\\/]/.test(file)).length}\n`,
);
await server.close();
