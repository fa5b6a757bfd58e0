// The CLI's `--help`: its synopsis and every environment variable of config.ts with its default.
import { CONFIG_VARIABLES } from './config.js';
import { MINT_SYNOPSIS } from './mint-cli.js';

/** The CLI's `--help` text. */
export function helpText(): string {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  const rows = CONFIG_VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.description}${v.default ? ` (default: ${v.default})` : ''}`);
  return [
    'Usage: rtc-room-server [--help]',
    `       ${MINT_SYNOPSIS}`,
    '',
    'The rtc-room signaling server: the demo at /, the bundle at /rtc-room.js, GET /healthz,',
    'GET /metrics (Prometheus) and Socket.IO signaling at /socket.io. Configured from the environment:',
    '',
    ...rows,
    '',
    'Twilio and TURN_URLS/TURN_SECRET exclude each other; with neither, members get ICE_SERVERS.',
    'With JANUS_URL, a room created with a capacity above MESH_MAX is an SFU room (docs/sfu.md).',
    '',
    'mint-token prints an access token for <rtc-room token="…">, signed with ACCESS_TOKEN_SECRET (HS256)',
    'or ACCESS_TOKEN_PRIVATE_KEY (ES256 private key, PEM; the server then needs ACCESS_TOKEN_PUBLIC_KEY),',
    'both read from the environment. `rtc-room-server mint-token --help` lists its options.',
    '',
  ].join('\n');
}
