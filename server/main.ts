#!/usr/bin/env node
// The rtc-room server CLI: the only module that reads process.env and listens.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRtcServer } from './app.js';
import { parseCliArgs, UsageError, type CliCommand } from './cli-args.js';
import { ConfigError, readEnvironment, serverOptions } from './config.js';
import { helpText } from './help.js';
import { createCliLogger } from './log.js';
import { mintTokenCli } from './mint-cli.js';
import { browserPackageDir, packageInfo, packageRoot } from './package-paths.js';

/** One line on stderr and the exit status: the CLI's way to refuse. */
function refuse(message: string, status: number): never {
  process.stderr.write(`rtc-room: ${message}\n`);
  process.exit(status);
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

let command: CliCommand;
try {
  command = parseCliArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  refuse(error.message, 2);
}
const serverRoot = packageRoot(dirname(fileURLToPath(import.meta.url)));
if (command.kind === 'help') {
  process.stdout.write(helpText());
  process.exit(0);
}
if (command.kind === 'version') {
  process.stdout.write(`${packageInfo(serverRoot).version}\n`);
  process.exit(0);
}

// --port and --host win over PORT and HOST, and are named as flags when refused.
const flags = { PORT: command.port, HOST: command.host };
let config;
try {
  config = readEnvironment({ ...process.env, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  const flag = Object.entries(flags).find(([name, v]) => v !== undefined && error.message.startsWith(`${name} `));
  process.stderr.write(`rtc-room: ${flag ? `--${flag[0].toLowerCase()}${error.message.slice(flag[0].length)}` : error.message}\n`);
  process.exit(1);
}

const logger = createCliLogger(config.logLevel, {
  pretty: process.stdout.isTTY === true && !process.env.NO_PRETTY_LOGS,
  color: !process.env.NO_COLOR,
});
// The bundle and the demo come from the browser package, rtc-room (the repository's top, or installed beside this one).
const browser = browserPackageDir(serverRoot);
if (!browser) logger.warn('rtc-room (the browser package) is not installed beside this one: no /rtc-room.js and no demo at /');
else if (!existsSync(join(browser, 'dist', 'rtc-room.js')))
  logger.warn(`${join(browser, 'dist', 'rtc-room.js')} is missing: run \`npm run build\``);
const server = createRtcServer({
  ...serverOptions(config),
  logger,
  ...(browser ? { demoDir: join(browser, 'demo'), bundleDir: join(browser, 'dist') } : {}),
});
let port: number;
let metricsUrl: string | undefined;
try {
  ({ port, metricsUrl } = await server.listen(config.port, config.host));
} catch (error) {
  const { code, port: busy, address } = error as NodeJS.ErrnoException & { port?: number; address?: string };
  if (code === 'EADDRINUSE') {
    refuse(
      `port ${busy} on ${address} is already in use: stop what listens there, or choose another port (--port or PORT${config.metricsPort !== undefined ? ', METRICS_PORT' : ''})`,
      1,
    );
  }
  refuse(`could not start: ${(error as Error).message}`, 1);
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
    ...(config.path !== '/socket.io' ? { socketPath: config.path } : {}),
    ...(metricsUrl ? { metrics: metricsUrl } : {}),
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
