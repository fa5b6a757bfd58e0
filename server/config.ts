import { z } from 'zod';
import { MIN_SECRET_LENGTH } from './auth/access-tokens.js';
import { normalizeOrigin } from './guard.js';
import { TURN_URL_PATTERN } from './ice/turn-rest.js';
import { DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_RATE_LIMITS, LIMITED_EVENTS, type LimitedEvent, type RateLimit, type RateLimits } from './limits.js';
import { MINT_SYNOPSIS } from './mint-cli.js';
import { MAX_ROOM_CAPACITY, type IceServer } from '../protocol/index.js';

/** A bad environment variable: the message names it and says what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}


/** Twilio Network Traversal Service credentials: an auth token, or an API key pair. */
export interface TwilioCredentials {
  readonly accountSid: string;
  readonly authToken?: string;
  readonly apiKeySid?: string;
  readonly apiKeySecret?: string;
  /** Twilio edge location (`TWILIO_EDGE`, e.g. `dublin`). */
  readonly edge?: string;
  /** Twilio region (`TWILIO_REGION`, e.g. `ie1`). */
  readonly region?: string;
}

/** TURN REST (coturn `use-auth-secret`) settings. */
export interface TurnRestSettings {
  /** `turn:`/`turns:` URLs handed out with the credentials. */
  readonly urls: readonly string[];
  /** Shared secrets; the first signs, the others are accepted by the TURN server while rotating. */
  readonly secrets: readonly string[];
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
  /** `TRUST_PROXY=1`: take the client's IP from the last `X-Forwarded-For` hop. */
  readonly trustProxy: boolean;
}

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_LOG_LEVEL = 'info';
export const DEFAULT_ICE_TTL = 3600;
export const DEFAULT_RECONNECT_GRACE = 15;
/** Members per room unless `ROOM_CAPACITY` says otherwise. */
export const DEFAULT_ROOM_CAPACITY = 4;

const iceUrl = z.string().regex(/^(stun|stuns|turn|turns):\S+$/, 'a stun:, stuns:, turn: or turns: URL');

/** An RTCIceServer as configured: always `urls` (the removed `url` key is refused). */
export const iceServerSchema = z
  .object({
    urls: z.union([iceUrl, z.array(iceUrl).min(1)]),
    username: z.string().optional(),
    credential: z.string().optional(),
  })
  .strict();

/** `RATE_LIMIT_ICE_SERVERS` for `ice-servers` (add `_PER_IP` for the per-IP limit). */
function rateLimitVariable(event: LimitedEvent): string {
  return `RATE_LIMIT_${event.toUpperCase().replaceAll('-', '_')}`;
}

/** `500/10`, the form the `RATE_LIMIT_*` variables take. */
function formatRateLimit(limit: RateLimit): string {
  return `${limit.points}/${limit.duration}`;
}

/** Every environment variable the CLI reads, for `--help` (a test checks that none is missing). */
export const CONFIG_VARIABLES: readonly { name: string; default: string; description: string }[] = [
  { name: 'PORT', default: String(DEFAULT_PORT), description: 'TCP port to listen on (0 to 65535; 0 picks a free one)' },
  { name: 'HOST', default: DEFAULT_HOST, description: 'address to listen on (0.0.0.0 for every interface)' },
  { name: 'ROOM_CAPACITY', default: String(DEFAULT_ROOM_CAPACITY), description: `members per room, 2 to ${MAX_ROOM_CAPACITY} (a room's first member may ask for less)` },
  { name: 'ICE_SERVERS', default: '[]', description: 'JSON array of RTCIceServer objects handed to room members (also the Twilio fallback)' },
  { name: 'TWILIO_ACCOUNT_SID', default: '', description: "Twilio account ('AC…'): ICE servers from Twilio's Network Traversal Service" },
  { name: 'TWILIO_AUTH_TOKEN', default: '', description: "the Twilio account's auth token" },
  { name: 'TWILIO_API_KEY_SID', default: '', description: "a Twilio API key ('SK…') instead of the auth token" },
  { name: 'TWILIO_API_KEY_SECRET', default: '', description: "the Twilio API key's secret" },
  { name: 'TWILIO_EDGE', default: '', description: "Twilio edge location, e.g. 'dublin'" },
  { name: 'TWILIO_REGION', default: '', description: "Twilio region, e.g. 'ie1'" },
  { name: 'TURN_URLS', default: '', description: 'comma-separated turn:/turns: URLs of a TURN server with REST credentials (coturn use-auth-secret)' },
  { name: 'TURN_SECRET', default: '', description: 'comma-separated shared secrets for TURN_URLS; the first signs' },
  { name: 'ICE_TTL', default: String(DEFAULT_ICE_TTL), description: 'lifetime in seconds (60 to 86400) of Twilio tokens and TURN credentials' },
  { name: 'RECONNECT_GRACE', default: String(DEFAULT_RECONNECT_GRACE), description: "seconds (0 to 300) a member's place is kept after its connection drops, so it comes back as itself" },
  { name: 'REDIS_URL', default: '', description: 'redis:// or rediss:// URL: share rooms with other server nodes through this Redis (unset: rooms live in this process)' },
  { name: 'ACCESS_TOKEN_SECRET', default: '', description: 'HS256 secret (32+ characters): joins then need an access token signed with it' },
  { name: 'ACCESS_TOKEN_PUBLIC_KEY', default: '', description: 'ES256 public key (PEM): joins then need a token signed by its private key' },
  { name: 'ALLOWED_ORIGINS', default: '', description: 'comma-separated origins whose pages may use the server (unset: any origin)' },
  ...LIMITED_EVENTS.flatMap((event) => {
    const name = rateLimitVariable(event);
    const { perSocket, perIp } = DEFAULT_RATE_LIMITS[event];
    return [
      { name, default: formatRateLimit(perSocket), description: `\`${event}\` requests per socket, COUNT/SECONDS` },
      { name: `${name}_PER_IP`, default: formatRateLimit(perIp), description: `\`${event}\` requests from one IP address, COUNT/SECONDS` },
    ];
  }),
  { name: 'MAX_CONNECTIONS_PER_IP', default: String(DEFAULT_MAX_CONNECTIONS_PER_IP), description: 'Socket.IO connections one IP address may hold at once' },
  { name: 'TRUST_PROXY', default: '0', description: "1 (or true, yes): the client IP is the last X-Forwarded-For hop. Set it behind a reverse proxy or load balancer, or the per-IP limits count the proxy" },
  { name: 'LOG_LEVEL', default: DEFAULT_LOG_LEVEL, description: 'pino log level: fatal, error, warn, info, debug, trace or silent' },
];

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
    '',
    'mint-token prints an access token for <rtc-room token="…">, signed with ACCESS_TOKEN_SECRET (HS256)',
    'or ACCESS_TOKEN_PRIVATE_KEY (ES256 private key, PEM; the server then needs ACCESS_TOKEN_PUBLIC_KEY),',
    'both read from the environment. `rtc-room-server mint-token --help` lists its options.',
    '',
  ].join('\n');
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got '${value}')`);
  }
  return n;
}

function iceServers(value: string | undefined): IceServer[] {
  if (value === undefined || value.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new ConfigError('ICE_SERVERS must be a JSON array of RTCIceServer objects, e.g. [{"urls":"stun:stun.example.com:3478"}]');
  }
  if (Array.isArray(json) && json.some((s) => s && typeof s === 'object' && 'url' in s)) {
    throw new ConfigError("ICE_SERVERS: 'url' was removed from WebRTC; use 'urls'");
  }
  const parsed = z.array(iceServerSchema).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`ICE_SERVERS[${issue.path.join('.')}]: ${issue.message}`);
  }
  return parsed.data;
}

function host(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_HOST;
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(value)) {
    throw new ConfigError(`HOST must be an IP address or a host name, e.g. 0.0.0.0 or ::1 (got '${value}')`);
  }
  return value;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function iceSource(env: Record<string, string | undefined>): IceSource {
  const accountSid = env.TWILIO_ACCOUNT_SID?.trim();
  const authToken = env.TWILIO_AUTH_TOKEN?.trim() || undefined;
  const apiKeySid = env.TWILIO_API_KEY_SID?.trim() || undefined;
  const apiKeySecret = env.TWILIO_API_KEY_SECRET?.trim() || undefined;
  const turnUrls = list(env.TURN_URLS);
  const turnSecrets = list(env.TURN_SECRET);
  const anyTwilio = accountSid || authToken || apiKeySid || apiKeySecret;
  const anyTurn = turnUrls.length > 0 || turnSecrets.length > 0;
  if (anyTwilio && anyTurn) {
    throw new ConfigError('Set either the TWILIO_* variables or TURN_URLS/TURN_SECRET, not both');
  }
  if (anyTwilio) {
    if (!accountSid) throw new ConfigError('TWILIO_ACCOUNT_SID is required with TWILIO_AUTH_TOKEN or TWILIO_API_KEY_SID/TWILIO_API_KEY_SECRET');
    if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
      throw new ConfigError(`TWILIO_ACCOUNT_SID must be 'AC' followed by 32 hex digits (got '${accountSid.slice(0, 6)}…')`);
    }
    if (Boolean(apiKeySid) !== Boolean(apiKeySecret)) {
      throw new ConfigError('TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET go together');
    }
    if (apiKeySid && !/^SK[0-9a-fA-F]{32}$/.test(apiKeySid)) {
      throw new ConfigError('TWILIO_API_KEY_SID must be \'SK\' followed by 32 hex digits');
    }
    if (!authToken && !apiKeySid) {
      throw new ConfigError('TWILIO_ACCOUNT_SID needs TWILIO_AUTH_TOKEN, or TWILIO_API_KEY_SID with TWILIO_API_KEY_SECRET');
    }
    const edge = env.TWILIO_EDGE?.trim() || undefined;
    const region = env.TWILIO_REGION?.trim() || undefined;
    for (const [name, value] of [['TWILIO_EDGE', edge], ['TWILIO_REGION', region]] as const) {
      if (value && !/^[a-z0-9-]{1,32}$/.test(value)) throw new ConfigError(`${name} must be a Twilio edge/region name such as 'dublin' or 'ie1'`);
    }
    return {
      kind: 'twilio',
      twilio: Object.freeze({
        accountSid,
        ...(apiKeySid ? { apiKeySid, apiKeySecret } : { authToken }),
        ...(edge ? { edge } : {}),
        ...(region ? { region } : {}),
      }),
    };
  }
  if (anyTurn) {
    if (turnUrls.length === 0) throw new ConfigError('TURN_SECRET is set but TURN_URLS is empty');
    if (turnSecrets.length === 0) throw new ConfigError('TURN_URLS is set but TURN_SECRET is empty');
    const bad = turnUrls.find((url) => !TURN_URL_PATTERN.test(url));
    if (bad) throw new ConfigError(`TURN_URLS: '${bad}' is not a turn: or turns: URL`);
    return { kind: 'turn-rest', turn: Object.freeze({ urls: Object.freeze(turnUrls), secrets: Object.freeze(turnSecrets) }) };
  }
  return { kind: 'static' };
}

function redisUrl(value: string | undefined): { redisUrl?: string } {
  const url = value?.trim();
  if (!url) return {};
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL (got '${url.slice(0, 40)}')`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL (got a ${parsed.protocol} URL)`);
  }
  return { redisUrl: url };
}

function origins(value: string | undefined): string[] | null {
  const entries = list(value);
  if (entries.length === 0) return null;
  return entries.map((entry) => {
    try {
      return normalizeOrigin(entry);
    } catch {
      throw new ConfigError(`ALLOWED_ORIGINS: '${entry}' is not an origin such as https://app.example.com`);
    }
  });
}

/** `RATE_LIMIT_SIGNAL=500/10`: 500 requests per 10 seconds. */
function rateLimit(name: string, value: string | undefined, fallback: RateLimit): RateLimit {
  if (value === undefined || value.trim() === '') return fallback;
  const m = /^\s*(\d{1,9})\s*\/\s*(\d{1,6})\s*$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new ConfigError(`${name} must be COUNT/SECONDS, e.g. 500/10 (got '${value}')`);
  return { points: Number(m[1]), duration: Number(m[2]) };
}

function rateLimits(env: Record<string, string | undefined>): RateLimits {
  const out = {} as Record<string, unknown>;
  for (const event of LIMITED_EVENTS) {
    const name = rateLimitVariable(event);
    out[event] = Object.freeze({
      perSocket: rateLimit(name, env[name], DEFAULT_RATE_LIMITS[event].perSocket),
      perIp: rateLimit(`${name}_PER_IP`, env[`${name}_PER_IP`], DEFAULT_RATE_LIMITS[event].perIp),
    });
  }
  return Object.freeze(out) as RateLimits;
}

function accessKeys(env: Record<string, string | undefined>): Pick<Config, 'accessTokenSecret' | 'accessTokenPublicKey'> {
  const secret = env.ACCESS_TOKEN_SECRET || undefined;
  const publicKey = env.ACCESS_TOKEN_PUBLIC_KEY?.trim() || undefined;
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`ACCESS_TOKEN_SECRET must be at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 32\`)`);
  }
  if (publicKey !== undefined && !publicKey.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new ConfigError('ACCESS_TOKEN_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY----- …)');
  }
  return { ...(secret ? { accessTokenSecret: secret } : {}), ...(publicKey ? { accessTokenPublicKey: publicKey } : {}) };
}

/** A yes/no variable: 1/true/yes or 0/false/no (any case); unset or empty is no. */
function flag(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false' || v === 'no') return false;
  if (v === '1' || v === 'true' || v === 'yes') return true;
  throw new ConfigError(`${name} must be 1, true or yes to turn it on, or 0, false or no (got '${value}')`);
}

/** Reads the server's configuration from environment variables (the names are public API). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const logLevel = env.LOG_LEVEL || DEFAULT_LOG_LEVEL;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got '${logLevel}')`);
  }
  return Object.freeze({
    port: integer('PORT', env.PORT, DEFAULT_PORT, 0, 65535),
    host: host(env.HOST),
    roomCapacity: integer('ROOM_CAPACITY', env.ROOM_CAPACITY, DEFAULT_ROOM_CAPACITY, 2, MAX_ROOM_CAPACITY),
    iceServers: Object.freeze(iceServers(env.ICE_SERVERS)),
    ice: iceSource(env),
    iceTtl: integer('ICE_TTL', env.ICE_TTL, DEFAULT_ICE_TTL, 60, 86_400),
    reconnectGrace: integer('RECONNECT_GRACE', env.RECONNECT_GRACE, DEFAULT_RECONNECT_GRACE, 0, 300),
    ...redisUrl(env.REDIS_URL),
    logLevel,
    ...accessKeys(env),
    allowedOrigins: origins(env.ALLOWED_ORIGINS),
    rateLimits: rateLimits(env),
    maxConnectionsPerIp: integer('MAX_CONNECTIONS_PER_IP', env.MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_CONNECTIONS_PER_IP, 1, 1_000_000),
    trustProxy: flag('TRUST_PROXY', env.TRUST_PROXY),
  });
}
