// The CLI's flags (node:util parseArgs, strict): what to do, or a UsageError of one line.
import { parseArgs } from 'node:util';

/** What the command line asks for. `port`/`host` override PORT/HOST. */
export type CliCommand =
  { readonly kind: 'help' } | { readonly kind: 'version' } | { readonly kind: 'serve'; readonly port?: string; readonly host?: string };

/** A command line the CLI does not take; the message is one line naming the culprit. Exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const SERVER_SYNOPSIS = 'rtc-room-server [--port PORT] [--host HOST] [--help] [--version]';

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Parses the server's flags (after `rtc-room-server`); `mint-token` is handled before this. */
export function parseCliArgs(args: readonly string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    // node's messages run on ("Unknown option '--prot'. To specify a positional argument …"): the first sentence names it.
    const first = (error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '');
    throw new UsageError(`${first.charAt(0).toLowerCase()}${first.slice(1)} (see rtc-room-server --help)`);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  return {
    kind: 'serve',
    ...(values.port !== undefined ? { port: values.port } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
  };
}
