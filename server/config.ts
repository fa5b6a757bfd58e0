// Environment -> options: each variable is read from its string into the option it sets, then the
// options schema (server/options.ts) checks everything and fills in the defaults. Nothing here
// checks a value itself; the variables' names are public API.
import { z } from 'zod';
import { formatRateLimit, LIMITED_EVENTS, resolveRateLimits, type LimitedEvent, type RateLimit, type RateLimits } from './limits.js';
import { fillNames, mainIssue, optionName } from './option-messages.js';
import { cliSchema, DEFAULTS, type CliSettings, type RtcServerOptions, type TurnRestSettings, type TwilioCredentials } from './options.js';
import { MAX_ROOM_CAPACITY, MAX_SFU_ROOM_CAPACITY, type IceServer } from '../protocol/index.js';

export type { TurnRestSettings, TwilioCredentials } from './options.js';
export { iceServerSchema } from './options.js';

/** A bad environment variable: the message names it and says what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Where ICE servers come from: Twilio when its credentials are set, else TURN REST, else the static list. */
export type IceSource =
  | { readonly kind: 'static' }
  | { readonly kind: 'twilio'; readonly twilio: TwilioCredentials }
  | { readonly kind: 'turn-rest'; readonly turn: TurnRestSettings };

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly roomCapacity: number;
  /** `ICE_SERVERS`: the static list (also the fallback when Twilio fails, and extra entries for TURN REST). */
  readonly iceServers: readonly IceServer[];
  readonly ice: IceSource;
  /** `ICE_TTL`: lifetime of Twilio tokens and TURN REST credentials, in seconds. */
  readonly iceTtl: number;
  /** `RECONNECT_GRACE`: seconds a member's place is kept after its connection drops. */
  readonly reconnectGrace: number;
  /** `REDIS_URL`: share rooms with other nodes through this Redis (unset: rooms in this process only). */
  readonly redisUrl?: string;
  readonly logLevel: string;
  /** `ACCESS_TOKEN_SECRET`: HS256 secret; with it (or the public key) `join` needs a token. */
  readonly accessTokenSecret?: string;
  /** `ACCESS_TOKEN_PUBLIC_KEY`: ES256 public key, PEM. */
  readonly accessTokenPublicKey?: string;
  /** `ALLOWED_ORIGINS`: origins whose pages may use the server; null: any. */
  readonly allowedOrigins: readonly string[] | null;
  /** `RATE_LIMIT_*`: per event, per socket and per IP. */
  readonly rateLimits: RateLimits;
  /** `MAX_CONNECTIONS_PER_IP`. */
  readonly maxConnectionsPerIp: number;
  /** `PACKET_BUDGET`: packets one connection may send; false: no budget. */
  readonly packetBudget: RateLimit | false;
  /** `MAX_QUEUED_BYTES`: bytes that may wait to be sent to one connection. */
  readonly maxQueuedBytes: number;
  /** `TRUST_PROXY=1`: take the client's IP from the last `X-Forwarded-For` hop. */
  readonly trustProxy: boolean;
  /** `JANUS_URL`: Janus' WebSocket API; rooms above `meshMax` are SFU rooms (unset: every room is a mesh). */
  readonly janusUrl?: string;
  /** `MESH_MAX`: with `JANUS_URL`, the largest capacity that stays a mesh. */
  readonly meshMax?: number;
  /** `SOCKET_PATH`: Socket.IO's path. */
  readonly path: string;
  /** `METRICS_PORT`: `/metrics` on its own port. */
  readonly metricsPort?: number;
}

/** One environment variable: the option it sets and how its string is read. */
export interface ConfigVariable {
  readonly name: string;
  /** The option it sets (`roomCapacity`, `twilio.authToken`, `rateLimits.signal.perIp`). */
  readonly path: readonly string[];
  /** The string (trimmed, never empty) as the option's type; a value it cannot read is passed on for the schema to refuse. */
  readonly read: (raw: string) => unknown;
  /** Shown by `--help` and in docs/server.md. */
  readonly default: string;
  readonly description: string;
  /** The variable's own syntax, said in place of the option's message (`{}` is the variable). */
  readonly expect?: string;
  /** Repeat a refused value in the message (never for secrets). */
  readonly echo?: boolean;
}

const text = (raw: string) => raw;
const number = (raw: string) => Number(raw);
const list = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const json = (raw: string) => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
};
/** `500/10`: 500 requests per 10 seconds. */
const rateLimit = (raw: string) => {
  const m = /^(\d{1,9})\s*\/\s*(\d{1,6})$/.exec(raw);
  return m ? { points: Number(m[1]), duration: Number(m[2]) } : raw;
};
/** `1000/10`, or `off` (also 0, false, no) for none. */
const budget = (raw: string) => (/^(off|0|false|no)$/i.test(raw) ? false : rateLimit(raw));
/** 1/true/yes or 0/false/no, in any case. */
const flag = (raw: string) => ({ 1: true, true: true, yes: true, 0: false, false: false, no: false })[raw.toLowerCase()] ?? raw;

/** `RATE_LIMIT_ICE_SERVERS` for `ice-servers` (add `_PER_IP` for the per-IP limit). */
function rateLimitVariable(event: LimitedEvent): string {
  return `RATE_LIMIT_${event.toUpperCase().replaceAll('-', '_')}`;
}

const v = (
  name: string,
  path: string,
  read: (raw: string) => unknown,
  byDefault: unknown,
  description: string,
  extra: Partial<ConfigVariable> = {},
) =>
  ({
    name,
    path: path.split('.'),
    read,
    default: byDefault === undefined ? '' : String(byDefault),
    description,
    ...extra,
  }) as ConfigVariable;
const COUNT_PER_SECONDS = { expect: 'must be COUNT/SECONDS, e.g. 500/10', echo: true };

/** Every environment variable the server reads, in `--help` order. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  v('PORT', 'port', number, DEFAULTS.port, 'TCP port to listen on (0 to 65535; 0 picks a free one)', { echo: true }),
  v('HOST', 'host', text, DEFAULTS.host, 'address to listen on (0.0.0.0 for every interface)', { echo: true }),
  v(
    'ROOM_CAPACITY',
    'roomCapacity',
    number,
    DEFAULTS.roomCapacity,
    `members per room, 2 to ${MAX_ROOM_CAPACITY}, or to ${MAX_SFU_ROOM_CAPACITY} with JANUS_URL (a room's first member may ask for less)`,
    { echo: true },
  ),
  v('ICE_SERVERS', 'iceServers', json, '[]', 'JSON array of RTCIceServer objects handed to room members (also the Twilio fallback)'),
  v(
    'TWILIO_ACCOUNT_SID',
    'twilio.accountSid',
    text,
    undefined,
    "Twilio account ('AC…'): ICE servers from Twilio's Network Traversal Service",
  ),
  v('TWILIO_AUTH_TOKEN', 'twilio.authToken', text, undefined, "the Twilio account's auth token"),
  v('TWILIO_API_KEY_SID', 'twilio.apiKeySid', text, undefined, "a Twilio API key ('SK…') instead of the auth token"),
  v('TWILIO_API_KEY_SECRET', 'twilio.apiKeySecret', text, undefined, "the Twilio API key's secret"),
  v('TWILIO_EDGE', 'twilio.edge', text, undefined, "Twilio edge location, e.g. 'dublin'"),
  v('TWILIO_REGION', 'twilio.region', text, undefined, "Twilio region, e.g. 'ie1'"),
  v(
    'TURN_URLS',
    'turn.urls',
    list,
    undefined,
    'comma-separated turn:/turns: URLs of a TURN server with REST credentials (coturn use-auth-secret)',
  ),
  v('TURN_SECRET', 'turn.secrets', list, undefined, 'comma-separated shared secrets for TURN_URLS; the first signs'),
  v('ICE_TTL', 'iceTtl', number, DEFAULTS.iceTtl, 'lifetime in seconds (60 to 86400) of Twilio tokens and TURN credentials', {
    echo: true,
  }),
  v(
    'RECONNECT_GRACE',
    'reconnectGrace',
    number,
    DEFAULTS.reconnectGrace,
    "seconds (0 to 300) a member's place is kept after its connection drops, so it comes back as itself",
    { echo: true },
  ),
  v(
    'GRACE_SEATS_PER_IP',
    'graceSeatsPerIp',
    number,
    DEFAULTS.graceSeatsPerIp,
    'without tokens: seats (1 to 8) one IP may hold in grace in a room',
    {
      echo: true,
    },
  ),
  v(
    'REDIS_URL',
    'redis',
    text,
    undefined,
    'redis:// or rediss:// URL: share rooms with other server nodes through this Redis (unset: rooms live in this process)',
  ),
  v(
    'ACCESS_TOKEN_SECRET',
    'accessTokenSecret',
    text,
    undefined,
    'HS256 secret (32+ characters): joins then need an access token signed with it',
  ),
  v(
    'ACCESS_TOKEN_PUBLIC_KEY',
    'accessTokenPublicKey',
    text,
    undefined,
    'ES256 public key (PEM): joins then need a token signed by its private key',
  ),
  v('ALLOWED_ORIGINS', 'allowedOrigins', list, undefined, 'comma-separated origins whose pages may use the server (unset: any origin)'),
  ...LIMITED_EVENTS.flatMap((event) => {
    const name = rateLimitVariable(event);
    const { perSocket, perIp } = DEFAULTS.rateLimits[event];
    return [
      v(
        name,
        `rateLimits.${event}.perSocket`,
        rateLimit,
        formatRateLimit(perSocket),
        `\`${event}\` requests per socket, COUNT/SECONDS`,
        COUNT_PER_SECONDS,
      ),
      v(
        `${name}_PER_IP`,
        `rateLimits.${event}.perIp`,
        rateLimit,
        formatRateLimit(perIp),
        `\`${event}\` requests from one IP address, COUNT/SECONDS`,
        COUNT_PER_SECONDS,
      ),
    ];
  }),
  v(
    'MAX_CONNECTIONS_PER_IP',
    'maxConnectionsPerIp',
    number,
    DEFAULTS.maxConnectionsPerIp,
    'Socket.IO connections one IP address may hold at once',
    { echo: true },
  ),
  v(
    'PACKET_BUDGET',
    'packetBudget',
    budget,
    formatRateLimit(DEFAULTS.packetBudget),
    'packets of any kind one connection may send, COUNT/SECONDS; past it the connection is closed (off: no budget)',
    { expect: 'must be COUNT/SECONDS, e.g. 1000/10, or off', echo: true },
  ),
  v(
    'MAX_QUEUED_BYTES',
    'maxQueuedBytes',
    number,
    DEFAULTS.maxQueuedBytes,
    'bytes (65536 to 1073741824) that may wait to be sent to one connection; past it the connection is closed, as dropped',
    { echo: true },
  ),
  v(
    'TRUST_PROXY',
    'trustProxy',
    flag,
    '0',
    '1 (or true, yes): the client IP is the last X-Forwarded-For hop. Set it behind a reverse proxy or load balancer, or the per-IP limits count the proxy',
    {
      expect: 'must be 1, true or yes to turn it on, or 0, false or no',
      echo: true,
    },
  ),
  v(
    'JANUS_URL',
    'janusUrl',
    text,
    undefined,
    "ws:// URL of Janus' WebSocket API: rooms above MESH_MAX members go through this SFU (unset: every room is a mesh)",
  ),
  v('MESH_MAX', 'meshMax', number, DEFAULTS.meshMax, `with JANUS_URL: the largest room (2 to ${MAX_ROOM_CAPACITY}) that stays a mesh`, {
    echo: true,
  }),
  // Mounting and ports (docs/server.md).
  v(
    'SOCKET_PATH',
    'path',
    text,
    DEFAULTS.socketPath,
    'Socket.IO\'s path; under a prefix (/rtc/socket.io) pages use server="https://host/rtc"',
    {
      echo: true,
    },
  ),
  v('METRICS_PORT', 'metricsPort', number, undefined, 'serve GET /metrics on this port only (its own listener on HOST), not on PORT', {
    echo: true,
  }),
  v('LOG_LEVEL', 'logLevel', text, DEFAULTS.logLevel, 'pino log level: fatal, error, warn, info, debug, trace or silent', { echo: true }),
];

/** Names for groups of variables, in messages that concern several. */
const GROUPS: Record<string, string> = { twilio: 'the TWILIO_* variables', turn: 'TURN_URLS/TURN_SECRET' };

/** The variable that sets `path` (or the one whose option holds it), if any. */
function variableAt(path: readonly PropertyKey[]): ConfigVariable | undefined {
  let best: ConfigVariable | undefined;
  for (const variable of CONFIG_VARIABLES) {
    const prefix = variable.path.every((key, i) => String(path[i]) === key);
    if (prefix && variable.path.length <= path.length && variable.path.length > (best?.path.length ?? 0)) best = variable;
  }
  return best;
}

/** A path as the variable's name: `ICE_SERVERS`, an entry `ICE_SERVERS[0.urls]`, a group `TURN_URLS/TURN_SECRET`. */
function variableName(path: readonly PropertyKey[]): string {
  const variable = variableAt(path);
  if (!variable) return GROUPS[path.join('.')] ?? optionName(path);
  const rest = path.slice(variable.path.length);
  return rest.length === 0 || (rest.length === 1 && typeof rest[0] === 'number') ? variable.name : `${variable.name}[${rest.join('.')}]`;
}

/** The environment as the CLI schema's input: every set variable's value at its option's place. */
function fromEnvironment(env: Record<string, string | undefined>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const { name, path, read } of CONFIG_VARIABLES) {
    const raw = name === 'ACCESS_TOKEN_SECRET' ? env[name] : env[name]?.trim(); // a secret is taken as it is
    if (!raw?.trim()) continue;
    let node = input;
    for (const key of path.slice(0, -1)) node = (node[key] ??= key === 'turn' ? { urls: [], secrets: [] } : {}) as Record<string, unknown>;
    node[path.at(-1)!] = read(raw);
  }
  return input;
}

/** The environment through the CLI schema (server/options.ts): coerced, checked, defaults filled in. */
export const environmentSchema = z.preprocess((env) => fromEnvironment(env as Record<string, string | undefined>), cliSchema);

/** Reads the environment into the CLI's settings; a ConfigError names the variable at fault. */
export function readEnvironment(env: Record<string, string | undefined>): CliSettings {
  const parsed = environmentSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = mainIssue(parsed.error.issues);
  const variable = variableAt(issue.path);
  const raw = variable && env[variable.name]?.trim();
  const message = variable?.expect ? `${variable.name} ${variable.expect}` : fillNames(issue.message, issue.path, variableName);
  throw new ConfigError(`${message}${variable?.echo ? ` (got '${raw}')` : ''}`);
}

/** The `createRtcServer` options of the CLI's settings. */
export function serverOptions({ port: _port, host: _host, logLevel: _logLevel, ...options }: CliSettings): RtcServerOptions {
  return options;
}

/** Reads the server's configuration from environment variables (the names are public API). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const s = readEnvironment(env);
  const twilio = s.twilio && {
    accountSid: s.twilio.accountSid,
    ...(s.twilio.apiKeySid ? { apiKeySid: s.twilio.apiKeySid, apiKeySecret: s.twilio.apiKeySecret! } : { authToken: s.twilio.authToken! }),
    ...(s.twilio.edge ? { edge: s.twilio.edge } : {}),
    ...(s.twilio.region ? { region: s.twilio.region } : {}),
  };
  const ice: IceSource = twilio
    ? { kind: 'twilio', twilio: Object.freeze(twilio) }
    : s.turn
      ? { kind: 'turn-rest', turn: Object.freeze({ urls: Object.freeze(s.turn.urls), secrets: Object.freeze(s.turn.secrets) }) }
      : { kind: 'static' };
  return Object.freeze({
    port: s.port,
    host: s.host,
    roomCapacity: s.roomCapacity,
    iceServers: Object.freeze(s.iceServers as IceServer[]),
    ice,
    iceTtl: s.iceTtl,
    reconnectGrace: s.reconnectGrace,
    ...(typeof s.redis === 'string' ? { redisUrl: s.redis } : {}),
    logLevel: s.logLevel,
    ...(s.accessTokenSecret ? { accessTokenSecret: s.accessTokenSecret } : {}),
    ...(s.accessTokenPublicKey ? { accessTokenPublicKey: s.accessTokenPublicKey } : {}),
    allowedOrigins: s.allowedOrigins ?? null,
    rateLimits: resolveRateLimits(s.rateLimits || undefined),
    maxConnectionsPerIp: s.maxConnectionsPerIp,
    packetBudget: s.packetBudget,
    maxQueuedBytes: s.maxQueuedBytes,
    trustProxy: s.trustProxy,
    ...(s.janusUrl ? { janusUrl: s.janusUrl, meshMax: s.meshMax } : {}),
    path: s.path,
    ...(s.metricsPort !== undefined ? { metricsPort: s.metricsPort } : {}),
  });
}
