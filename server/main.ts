#!/usr/bin/env node
// The rtc-room server CLI: the only module that reads process.env and listens.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createRtcServer } from './app.js';
import { ConfigError, readEnvironment, serverOptions } from './config.js';
import { helpText } from './help.js';
import { mintTokenCli } from './mint-cli.js';

/** The package root: the nearest directory above this file with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

// mint-token first: `mint-token --help` is the subcommand's own help.
if (process.argv[2] === 'mint-token') {
  const code = await mintTokenCli(
    process.argv.slice(3),
    process.env,
    (t) => process.stdout.write(t),
    (t) => process.stderr.write(t),
  );
  process.exit(code);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(helpText());
  process.exit(0);
}

let config;
try {
  config = readEnvironment(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`rtc-room: ${error.message}\n`);
  process.exit(1);
}

const logger = pino({ level: config.logLevel });
const root = packageRoot();
const bundleDir = join(root, 'dist');
if (!existsSync(join(bundleDir, 'rtc-room.js'))) logger.warn('dist/rtc-room.js is missing: run `npm run build`');
const server = createRtcServer({ ...serverOptions(config), logger, demoDir: join(root, 'demo'), bundleDir });
let port: number;
try {
  ({ port } = await server.listen(config.port, config.host));
} catch (error) {
  logger.fatal({ err: error }, `rtc-room could not start: ${(error as Error).message}`);
  process.exit(1);
}
const shown = ['127.0.0.1', '0.0.0.0', '::', '::1'].includes(config.host) ? 'localhost' : config.host;
logger.info(
  {
    roomCapacity: config.roomCapacity,
    redis: !!config.redis,
    ice: server.iceProvider.name,
    iceTtl: config.iceTtl,
    iceServers: config.iceServers.length,
    accessTokens: server.accessTokens ?? 'off',
    allowedOrigins: config.allowedOrigins ?? 'any',
  },
  `rtc-room listening on http://${shown}:${port}`,
);
if (!server.accessTokens) {
  logger.warn(
    'access tokens are off (no ACCESS_TOKEN_SECRET or ACCESS_TOKEN_PUBLIC_KEY): anyone who reaches this server can join any room',
  );
}
if (!config.allowedOrigins) logger.info('ALLOWED_ORIGINS is not set: pages of any origin may use this server');
// One check of the ICE source at start: wrong credentials are said once, clearly; the server keeps
// serving (with the static list) rather than exiting into a restart loop.
const problem = await server.iceProvider.verify?.();
if (problem) logger.error({ ice: server.iceProvider.name }, problem);

// Nothing a client does may crash the process; a missed rejection is a bug to log, not an exit.
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), 5_000).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
