import { parseArgs } from 'node:util';
import { mintAccessToken } from './auth/access-tokens.js';

/** The subcommand's synopsis (also in the server's `--help`). */
export const MINT_SYNOPSIS = 'rtc-room-server mint-token --room ROOM --sub USER [--name NAME] [--receive-only] [--ttl SECONDS]';

export const MINT_USAGE = `Usage: ${MINT_SYNOPSIS}

Prints an access token for <rtc-room token="…">. Signs with ACCESS_TOKEN_SECRET (HS256) or
ACCESS_TOKEN_PRIVATE_KEY (ES256, PEM) from the environment (never from the command line, where
other users of the machine could read it).
  --room          a room name, or a prefix ending in * (quote it: 'team-42-*')
  --sub           who this is (your user id); the other members see it
  --name          display name shown to the others (wins over the page's name)
  --receive-only  the member joins without camera and microphone (publish: false)
  --ttl           lifetime in seconds (default 3600)
`;

/** `rtc-room-server mint-token …`: returns the exit code; writes the token or one error line. */
export async function mintTokenCli(
  args: string[],
  env: Record<string, string | undefined>,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        room: { type: 'string' },
        sub: { type: 'string' },
        name: { type: 'string' },
        'receive-only': { type: 'boolean' },
        ttl: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    err(`rtc-room: ${(error as Error).message}\n${MINT_USAGE}`);
    return 2;
  }
  if (values.help) {
    out(MINT_USAGE);
    return 0;
  }
  if (!values.room || !values.sub) {
    err(`rtc-room: mint-token needs --room and --sub\n${MINT_USAGE}`);
    return 2;
  }
  const secret = env.ACCESS_TOKEN_SECRET || undefined;
  const privateKey = env.ACCESS_TOKEN_PRIVATE_KEY?.trim() || undefined;
  try {
    const token = await mintAccessToken({
      room: values.room,
      sub: values.sub,
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values['receive-only'] ? { publish: false } : {}),
      ...(values.ttl !== undefined ? { ttl: Number(values.ttl) } : {}),
      ...(secret ? { secret } : {}),
      ...(privateKey && !secret ? { privateKey } : {}),
    });
    out(`${token}\n`);
    return 0;
  } catch (error) {
    const message = (error as Error).message.replace(/^mintAccessToken: /, '');
    err(`rtc-room: ${secret || privateKey ? message : 'set ACCESS_TOKEN_SECRET or ACCESS_TOKEN_PRIVATE_KEY to sign tokens'}\n`);
    return 1;
  }
}
