// The server's options: one zod schema with every default and every bound. `createRtcServer`
// parses its options with it; config.ts reads the environment into the same schema.
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { MIN_SECRET_LENGTH } from './auth/access-tokens.js';
import { normalizeOrigin } from './guard.js';
import type { IceServerProvider } from './ice/provider.js';
import { TURN_URL_PATTERN } from './ice/turn-rest.js';
import type { TwilioIceProviderOptions } from './ice/twilio.js';
import {
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_PACKET_BUDGET,
  DEFAULT_RATE_LIMITS,
  LIMITED_EVENTS,
  rateLimitSchema,
  type LimitedEvent,
  type RateLimit,
} from './limits.js';
import { fillNames, mainIssue, optionName } from './option-messages.js';
import { MAX_ROOM_CAPACITY, MAX_SFU_ROOM_CAPACITY, type IceServer } from '../protocol/index.js';
import type { RedisOptions } from './rooms/redis/store.js';

/** Every default, in one place (the CLI's `--help` and docs/server.md show these). */
export const DEFAULTS = Object.freeze({
  port: 3000,
  host: '127.0.0.1',
  logLevel: 'info',
  roomCapacity: 4,
  /** Seconds. */
  reconnectGrace: 15,
  graceSeatsPerIp: 2,
  /** Seconds. */
  iceTtl: 3600,
  maxConnectionsPerIp: DEFAULT_MAX_CONNECTIONS_PER_IP,
  /** Per event, per socket and per IP (the limiter's own table, server/limits.ts). */
  rateLimits: DEFAULT_RATE_LIMITS,
  /** Packets per connection (server/limits.ts). */
  packetBudget: DEFAULT_PACKET_BUDGET,
  /** Bytes. */
  maxQueuedBytes: DEFAULT_MAX_QUEUED_BYTES,
  trustProxy: false,
  /** SFU rooms: the largest room that stays a mesh (with `janusUrl`). */
  meshMax: 4,
  socketPath: '/socket.io',
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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

// Messages are templates (server/option-messages.ts): `{}` is the name of the value at fault (an
// option such as `roomCapacity`, or the variable it came from), `{twilio.authToken}` another one's.
const between = (min: number, max: number) => `{} must be an integer from ${min} to ${max}`;
const integer = (min: number, max: number) =>
  z
    .number({ error: between(min, max) })
    .int(between(min, max))
    .min(min, between(min, max))
    .max(max, between(min, max));
const nonEmpty = (what: string) => z.string({ error: `{} must be ${what}` }).min(1, { error: `{} must be ${what}` });

const iceUrl = z.string().regex(/^(stun|stuns|turn|turns):\S+$/, 'a stun:, stuns:, turn: or turns: URL');

/** An RTCIceServer as configured: always `urls` (the removed `url` key is refused). */
export const iceServerSchema = z
  .custom<unknown>((v) => !(v && typeof v === 'object' && 'url' in v), "'url' was removed from WebRTC; use 'urls'")
  .pipe(
    z
      .object({
        urls: z.union([iceUrl, z.array(iceUrl).min(1)]),
        username: z.string().optional(),
        credential: z.string().optional(),
      })
      .strict(),
  );

const twilioSchema = z
  .object({
    accountSid: z
      .string({ error: '{} is required with {twilio.authToken} or {twilio.apiKeySid}/{twilio.apiKeySecret}' })
      .regex(/^AC[0-9a-fA-F]{32}$/, "{} must be 'AC' followed by 32 hex digits"),
    authToken: nonEmpty('a Twilio auth token').optional(),
    apiKeySid: z
      .string()
      .regex(/^SK[0-9a-fA-F]{32}$/, "{} must be 'SK' followed by 32 hex digits")
      .optional(),
    apiKeySecret: nonEmpty('an API key secret').optional(),
    edge: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, "{} must be a Twilio edge name such as 'dublin'")
      .optional(),
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, "{} must be a Twilio region name such as 'ie1'")
      .optional(),
    /** For tests: Twilio's HTTP client. */
    httpClient: z.custom<NonNullable<TwilioIceProviderOptions['httpClient']>>().optional(),
  })
  .superRefine((t, ctx) => {
    if (Boolean(t.apiKeySid) !== Boolean(t.apiKeySecret)) {
      ctx.addIssue({ code: 'custom', path: ['apiKeySid'], message: '{twilio.apiKeySid} and {twilio.apiKeySecret} go together' });
    } else if (!t.authToken && !t.apiKeySid) {
      ctx.addIssue({
        code: 'custom',
        path: ['accountSid'],
        message: '{} needs {twilio.authToken}, or {twilio.apiKeySid} with {twilio.apiKeySecret}',
      });
    }
  });

const turnSchema = z.object({
  urls: z
    .array(z.string().regex(TURN_URL_PATTERN, { error: (iss) => `{}: '${String(iss.input)}' is not a turn: or turns: URL` }))
    .min(1, '{turn.secrets} is set but {turn.urls} is empty')
    .readonly(),
  secrets: z.array(nonEmpty('a secret')).min(1, '{turn.urls} is set but {turn.secrets} is empty').readonly(),
});

/** What a refused URL was, without repeating it (it may hold a password). */
function protocolOf(url: string): string {
  try {
    return `a ${new URL(url).protocol} URL`;
  } catch {
    return 'something that is not a URL';
  }
}

const redisUrl = z.string().refine(
  (url) => {
    try {
      return ['redis:', 'rediss:'].includes(new URL(url).protocol);
    } catch {
      return false;
    }
  },
  {
    error: (iss) => `{} must be a redis:// or rediss:// URL (got ${protocolOf(String(iss.input))})`,
  },
);

const originSchema = z.string().transform((origin, ctx) => {
  try {
    return normalizeOrigin(origin);
  } catch {
    ctx.addIssue({ code: 'custom', message: `{}: '${origin}' is not an origin such as https://app.example.com` });
    return z.NEVER;
  }
});

const perEvent = Object.fromEntries(
  LIMITED_EVENTS.map((event) => [event, z.object({ perSocket: rateLimitSchema.optional(), perIp: rateLimitSchema.optional() }).optional()]),
) as Record<
  LimitedEvent,
  z.ZodOptional<z.ZodObject<{ perSocket: z.ZodOptional<typeof rateLimitSchema>; perIp: z.ZodOptional<typeof rateLimitSchema> }>>
>;

/** Options that are not data (objects the caller made): taken as they are. */
const object = <T>() => z.custom<T>((v) => typeof v === 'object' && v !== null, '{} must be an object');

/** The server's options as fields (see `RtcServerOptions` for what each one means). */
const optionFields = {
  // Its bound depends on `janusUrl` (capacityFitsMode): 8 for a mesh, 50 with an SFU.
  roomCapacity: z.number({ error: between(2, MAX_ROOM_CAPACITY) }).default(DEFAULTS.roomCapacity),
  reconnectGrace: z
    .number({ error: '{} must be from 0 to 300 seconds' })
    .min(0, '{} must be from 0 to 300 seconds')
    .max(300, '{} must be from 0 to 300 seconds')
    .default(DEFAULTS.reconnectGrace),
  graceSeatsPerIp: integer(1, MAX_ROOM_CAPACITY).default(DEFAULTS.graceSeatsPerIp),
  iceServers: z
    .array(iceServerSchema, { error: '{} must be a JSON array of RTCIceServer objects, e.g. [{"urls":"stun:stun.example.com:3478"}]' })
    .readonly()
    .default([]),
  twilio: twilioSchema.optional(),
  turn: turnSchema.optional(),
  iceTtl: integer(60, 86_400).default(DEFAULTS.iceTtl),
  iceProvider: object<IceServerProvider>().optional(),
  // The store's own settings (server/rooms/redis) pass through as given; the URL is checked here.
  redis: z
    .union([redisUrl, z.intersection(z.object({ url: redisUrl }), z.custom<Omit<RedisOptions, 'url'>>())], {
      error: '{} must be a redis:// URL or RedisOptions',
    })
    .optional(),
  logger: object<Logger>().optional(),
  httpServer: object<HttpServer>().optional(),
  // Empty strings mean "not set" for these, as they always have (an unset environment variable).
  demoDir: z.string().optional(),
  bundleDir: z.string().optional(),
  allowedOrigins: z.array(originSchema).readonly().optional(),
  accessTokenSecret: z
    .string()
    .min(MIN_SECRET_LENGTH, `{} must be at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 32\`)`)
    .or(z.literal(''))
    .optional(),
  accessTokenPublicKey: z
    .string()
    .includes('-----BEGIN PUBLIC KEY-----', { error: '{} must be a PEM public key (-----BEGIN PUBLIC KEY----- …)' })
    .or(z.literal(''))
    .optional(),
  rateLimits: z.union([z.literal(false), z.object(perEvent)]).optional(),
  maxConnectionsPerIp: integer(1, 1_000_000).default(DEFAULTS.maxConnectionsPerIp),
  packetBudget: z
    .union([z.literal(false), rateLimitSchema], { error: '{} must be { points, duration } or false' })
    .default(DEFAULTS.packetBudget),
  // At least one message of the largest size (64 KB) must fit.
  maxQueuedBytes: integer(65_536, 1_073_741_824).default(DEFAULTS.maxQueuedBytes),
  trustProxy: z.boolean({ error: '{} must be true or false' }).default(DEFAULTS.trustProxy),
  // SFU rooms (server/sfu): Janus' WebSocket API, and the largest room that stays a mesh.
  janusUrl: z
    .string()
    .regex(/^wss?:\/\/[^\s/]+(\/\S*)?$/, "{} must be a ws:// or wss:// URL of Janus' WebSocket API, e.g. ws://127.0.0.1:8188")
    .optional(),
  meshMax: integer(2, MAX_ROOM_CAPACITY).default(DEFAULTS.meshMax),
  // Mounting (docs/server.md, "Mounting in your own Node server"): metrics are opt-in when attached
  // (createRtcServer settles an unset `metrics`), and may have their own port.
  metrics: z.boolean({ error: '{} must be true or false' }).optional(),
  metricsPort: integer(0, 65_535).optional(),
  path: z
    .string({ error: "{} must be a path such as '/socket.io' or '/rtc/socket.io'" })
    .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, "{} must be a path such as '/socket.io' or '/rtc/socket.io'")
    .transform((path) => path.replace(/\/+$/, '') || '/')
    .default(DEFAULTS.socketPath),
};

/** Rooms above 8 members need an SFU: `roomCapacity` goes up to 50 only with `janusUrl`. */
function capacityFitsMode(o: { roomCapacity: number; janusUrl?: string | undefined }, ctx: z.RefinementCtx): void {
  const max = o.janusUrl ? MAX_SFU_ROOM_CAPACITY : MAX_ROOM_CAPACITY;
  if (!Number.isInteger(o.roomCapacity) || o.roomCapacity < 2 || o.roomCapacity > max) {
    ctx.addIssue({ code: 'custom', path: ['roomCapacity'], message: between(2, max) });
  }
}

/** Twilio and TURN REST exclude each other. */
function oneIceSource(o: { twilio?: unknown; turn?: unknown }, ctx: z.RefinementCtx): void {
  if (o.twilio && o.turn) ctx.addIssue({ code: 'custom', path: [], message: 'Set either {twilio} or {turn}, not both' });
}

/** The server's options: `createRtcServer` parses what it is given with this. */
export const optionsSchema = z.object(optionFields).superRefine(oneIceSource).superRefine(capacityFitsMode);

/** The CLI's settings: the server's options, and where to listen and how much to log. */
export const cliSchema = z
  .object({
    ...optionFields,
    port: integer(0, 65_535).default(DEFAULTS.port),
    host: z
      .string()
      .regex(/^[A-Za-z0-9.:-]{1,253}$/, '{} must be an IP address or a host name, e.g. 0.0.0.0 or ::1')
      .default(DEFAULTS.host),
    logLevel: z.enum(LOG_LEVELS, { error: `{} must be one of ${LOG_LEVELS.join(', ')}` }).default(DEFAULTS.logLevel),
  })
  .superRefine(oneIceSource)
  .superRefine(capacityFitsMode);

/** Options after parsing: defaults filled in, origins normalised. */
export type ServerSettings = z.output<typeof optionsSchema>;
/** The CLI's settings after parsing. */
export type CliSettings = z.output<typeof cliSchema>;

export interface RtcServerOptions {
  /**
   * Members per room, 2 to 8 (a mesh: each member sends one stream per other member), or up to 50
   * with `janusUrl`. Clients may ask for less when they create a room.
   * @default 4
   */
  roomCapacity?: number;
  /**
   * Seconds (0 to 300) a member's place is kept after its connection drops, so that it comes back
   * as the same member (`resume`) without the others seeing it leave. 0: members leave when their
   * connection drops.
   * @default 15
   */
  reconnectGrace?: number;
  /**
   * Without access tokens: seats (1 to 8) one IP address may hold in grace (dropped, not yet back)
   * in a room; a new seat from that address first releases its oldest. With tokens, each `sub`
   * has one seat per room instead.
   * @default 2
   */
  graceSeatsPerIp?: number;
  /** The static list: served as is, as Twilio's fallback, and alongside TURN REST credentials. @default [] */
  iceServers?: readonly IceServer[];
  /** Twilio Network Traversal Service credentials (setting both `twilio` and `turn` is an error). */
  twilio?: TwilioCredentials & { httpClient?: TwilioIceProviderOptions['httpClient'] };
  /** TURN REST (coturn `use-auth-secret`) URLs and secrets. */
  turn?: TurnRestSettings;
  /** Credential lifetime in seconds (60 to 86400), for Twilio and TURN REST. @default 3600 */
  iceTtl?: number;
  /** Where ICE servers come from; overrides `iceServers`, `twilio`, `turn` and `iceTtl`. */
  iceProvider?: IceServerProvider;
  /**
   * Share rooms with other server nodes through Redis: a `redis://` URL, or options. Membership
   * and capacity live in Redis, and Socket.IO's Redis adapter relays to members on other nodes.
   * Only then is the `redis` client loaded. `listen()` waits for the connection (when attaching
   * to your own HTTP server, await `ready` before it listens).
   * @default rooms in this process only
   */
  redis?: string | RedisOptions;
  /** @default pino at level info */
  logger?: Logger;
  /**
   * An HTTP server to attach Socket.IO to. Nothing else is added to it: mount `app` yourself.
   * `close()` leaves it open (it is yours to close).
   * @default a new server running `app`
   */
  httpServer?: HttpServer;
  /** A directory served at `/` (the demo). @default nothing served */
  demoDir?: string;
  /** A directory holding `rtc-room.js` (+ map) and `custom-elements.json`, served at `/`. */
  bundleDir?: string;
  /**
   * Origins (`https://app.example.com`) whose pages may use the server: enforced for HTTP (CORS,
   * and a 403 for others) and for Socket.IO on both transports. Requests without an `Origin`
   * header (non-browser clients) are let through. The tags are meant to be embedded anywhere.
   * @default any origin
   */
  allowedOrigins?: readonly string[];
  /** HS256 secret (32+ characters): `join` then requires an access token (see `mintAccessToken`). */
  accessTokenSecret?: string;
  /** ES256 public key (PEM): `join` then requires an access token signed by its private key. */
  accessTokenPublicKey?: string;
  /**
   * Rate limits per event, per socket and per IP (`{ points, duration }`: requests per seconds);
   * unset ones keep their defaults (`DEFAULT_RATE_LIMITS`). `false` turns them off.
   */
  rateLimits?: { [E in LimitedEvent]?: { perSocket?: RateLimit; perIp?: RateLimit } } | false;
  /** Socket.IO connections one IP address may hold at once (1 to 1000000). @default 50 */
  maxConnectionsPerIp?: number;
  /**
   * Packets one connection may send (`{ points, duration }`: packets per seconds), whatever they
   * are: events known or not, with or without an acknowledgement, refused ones, `leave`. Past it
   * the connection is closed instead of answered. Keep it above the sum of the per-socket rate
   * limits (raise it with them). `false` turns it off.
   * @default { points: 2000, duration: 10 }
   */
  packetBudget?: RateLimit | false;
  /**
   * Bytes that may wait to be sent to one connection (65536 to 1073741824). Before relaying a
   * signal to a socket or answering it, the server looks at what waits for it; past this bound the
   * connection is closed (its member is away, as when its network drops) instead of sent more.
   * @default 1048576
   */
  maxQueuedBytes?: number;
  /** Take the client's IP from the last `X-Forwarded-For` hop (behind one reverse proxy). @default false */
  trustProxy?: boolean;
  /**
   * Janus' WebSocket API (`ws://127.0.0.1:8188`): rooms above `meshMax` members become SFU rooms
   * (each member sends one stream up to Janus), and `roomCapacity` may go up to 50. See docs/sfu.md.
   * @default no SFU: every room is a mesh
   */
  janusUrl?: string;
  /**
   * With `janusUrl`: the largest capacity (2 to 8) that stays a mesh; a room created with a larger
   * capacity is an SFU room for its whole life.
   * @default 4
   */
  meshMax?: number;
  /**
   * Prometheus metrics at `GET /metrics` (prom-client). Keep the path away from the public
   * internet (see docs/deployment.md). `false`: no metrics and no route.
   * @default true for the server's own HTTP server; false with `httpServer` (mounted: opt in)
   */
  metrics?: boolean;
  /**
   * Serve `GET /metrics` on this port only (its own HTTP server, started by `listen()` on the
   * same host), not next to the app's routes. Implies `metrics` unless it is `false`. 0: a free port.
   * @default /metrics on the app
   */
  metricsPort?: number;
  /**
   * Socket.IO's path. Under a prefix (`/rtc/socket.io`), pages use `<rtc-room server="https://host/rtc">`;
   * mount `app` under the same prefix (`app.use('/rtc', rtc.app)`).
   * @default '/socket.io'
   */
  path?: string;
}

// The interface documents the schema's input; this line fails to compile when they drift apart.
type Assert<T extends true> = T;
export type _OptionsMatchSchema = Assert<RtcServerOptions extends z.input<typeof optionsSchema> ? true : false>;

/**
 * Parses `createRtcServer`'s options: defaults filled in, or a TypeError that names the option and
 * says what it takes (`createRtcServer: roomCapacity must be an integer from 2 to 8`).
 */
export function parseOptions(options: RtcServerOptions): ServerSettings {
  if ('corsOrigin' in options) {
    throw new TypeError(
      "createRtcServer: corsOrigin is no option (it was never read); use allowedOrigins: an array of origins such as ['https://app.example.com']",
    );
  }
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = mainIssue(parsed.error.issues);
  throw new TypeError(`createRtcServer: ${fillNames(issue.message, issue.path, optionName)}`);
}
