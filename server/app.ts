import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { pino, type Logger } from 'pino';
import { Server } from 'socket.io';
import { createAccessTokenVerifier, type AccessTokenVerifier } from './auth/access-tokens.js';
import { clientIp, ConnectionCounts, normalizeOrigin, originAllowed } from './guard.js';
import type { IceServerProvider } from './ice/provider.js';
import { createIceProvider, type IceSourceOptions } from './ice/select.js';
import { DEFAULT_RECONNECT_GRACE, DEFAULT_ROOM_CAPACITY } from './config.js';
import { MAX_ROOM_CAPACITY, PROTOCOL_VERSION } from '../protocol/index.js';
import type { RedisLink, RedisOptions } from './rooms/redis/connect.js';
import { deferredStore } from './rooms/deferred.js';
import { Rooms } from './rooms/memory.js';
import type { RoomStore } from './rooms/store.js';
import { createMetrics, type RtcMetrics } from './metrics.js';
import { attachSignaling, createSignalingCounters, type RtcIo, type SignalingCounters } from './signaling.js';
import { createRateLimiter, DEFAULT_MAX_CONNECTIONS_PER_IP, resolveRateLimits, type LimitedEvent, type RateLimit } from './limits.js';

/** The largest message a client may send (Socket.IO's `maxHttpBufferSize`): an SDP fits with room to spare. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * The demo page's content security policy: its own scripts, styles and sockets only (no inline
 * code), camera pictures as blob:/mediastream:, and nothing else.
 */
export const DEMO_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  mediaSrc: ["'self'", 'blob:', 'mediastream:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
};

export interface RtcServerOptions extends IceSourceOptions {
  /**
   * Members per room, 2 to 8 (a mesh: each member sends one stream per other member). Clients
   * may ask for less when they create a room.
   * @default 4
   */
  roomCapacity?: number;
  /**
   * Seconds a member's place is kept after its connection drops, so that it comes back as the same
   * member (`resume`) without the others seeing it leave. 0: members leave when their connection drops.
   * @default 15
   */
  reconnectGrace?: number;
  /**
   * Share rooms with other server nodes through Redis: a `redis://` URL, or options. Membership
   * and capacity live in Redis, and Socket.IO's Redis adapter relays to members on other nodes.
   * Only then is the `redis` client loaded. `listen()` waits for the connection (when attaching
   * to your own HTTP server, await `ready` before it listens).
   * @default rooms in this process only
   */
  redis?: string | RedisOptions;
  /** Where ICE servers come from; overrides `iceServers`, `twilio`, `turn` and `iceTtl`. */
  iceProvider?: IceServerProvider;
  /** @default pino at level info */
  logger?: Logger;
  /**
   * An HTTP server to attach Socket.IO to. Nothing else is added to it: mount `app` yourself.
   * @default a new server running `app`
   */
  httpServer?: HttpServer;
  /** A directory served at `/` (the demo). @default nothing served */
  demoDir?: string;
  /** A directory holding `rtc-room.js` (+ map) and `custom-elements.json`, served at `/`. */
  bundleDir?: string;
  /**
   * Prometheus metrics at `GET /metrics` (prom-client). Keep the path away from the public
   * internet (see the README's deployment section). `false`: no metrics and no route.
   * @default true
   */
  metrics?: boolean;
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
   * Rate limits for `join`, `signal` and `ice-servers`, per socket and per IP (`{ points, duration }`:
   * requests per seconds); unset ones keep their defaults (`DEFAULT_RATE_LIMITS`). `false` turns them off.
   */
  rateLimits?: { [E in LimitedEvent]?: { perSocket?: RateLimit; perIp?: RateLimit } } | false;
  /** Socket.IO connections one IP address may hold at once. @default 50 */
  maxConnectionsPerIp?: number;
  /** Take the client's IP from the last `X-Forwarded-For` hop (behind one reverse proxy). @default false */
  trustProxy?: boolean;
}

export interface RtcServer {
  /** /healthz, the demo and the bundle; mount it in your own Express app when attaching. */
  readonly app: express.Express;
  readonly io: RtcIo;
  readonly httpServer: HttpServer;
  readonly rooms: RoomStore;
  /** Resolves once the server can take members (with Redis: connected); rejects if it cannot. */
  readonly ready: Promise<void>;
  /** The ICE server provider in use. */
  readonly iceProvider: IceServerProvider;
  /** The Prometheus registry behind `/metrics` (null with `metrics: false`), to add your own. */
  readonly metrics: RtcMetrics | null;
  /** Refused and ignored client input (live counters; also in `/healthz`). */
  readonly counters: Readonly<SignalingCounters & { refusedConnections: number }>;
  /** `hs256`, `es256`, `hs256+es256`, or null when joins need no token. */
  readonly accessTokens: string | null;
  /** Listens (only when the server created its own HTTP server or the given one is idle). */
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /**
   * Stops accepting (new handshakes are refused with `server_closing`, joins answer `unavailable`),
   * tells every client that the server is closing (`server-closing`: they reconnect, to another
   * instance behind a load balancer, and resume), then closes their connections, Socket.IO and the
   * HTTP server. Safe to call twice.
   */
  close(): Promise<void>;
}

const BUNDLE_FILES = ['rtc-room.js', 'rtc-room.js.map', 'custom-elements.json'];
const PING_INTERVAL_MS = 10_000;
const PING_TIMEOUT_MS = 5_000;
/** The longest a shutdown waits for the `server-closing` notice to be written to every client. */
const CLOSING_NOTICE_MS = 500;

/** Resolves once every client's outgoing buffer is written (or after `ms`). */
async function flushed(io: RtcIo, ms: number): Promise<void> {
  const pending = [...io.sockets.sockets.values()]
    .map((socket) => socket.conn as unknown as { writeBuffer: unknown[] } & NodeJS.EventEmitter)
    .filter((conn) => conn.writeBuffer.length > 0)
    .map((conn) => once(conn, 'drain'));
  if (!pending.length) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** Builds the signaling server without listening (see main.ts for the CLI). */
export function createRtcServer(options: RtcServerOptions = {}): RtcServer {
  if ('corsOrigin' in options) {
    throw new TypeError('createRtcServer: corsOrigin is no option (it was never read); use allowedOrigins: an array of origins such as [\'https://app.example.com\']');
  }
  const logger = options.logger ?? pino({ level: 'info' });
  const roomCapacity = options.roomCapacity ?? DEFAULT_ROOM_CAPACITY;
  if (!Number.isInteger(roomCapacity) || roomCapacity < 2 || roomCapacity > MAX_ROOM_CAPACITY) {
    throw new RangeError(`createRtcServer: roomCapacity must be an integer from 2 to ${MAX_ROOM_CAPACITY}`);
  }
  const reconnectGrace = options.reconnectGrace ?? DEFAULT_RECONNECT_GRACE;
  if (!(reconnectGrace >= 0 && reconnectGrace <= 300)) {
    throw new RangeError('createRtcServer: reconnectGrace must be from 0 to 300 seconds');
  }
  const iceProvider = options.iceProvider ?? createIceProvider(options, logger);
  const redisOptions = typeof options.redis === 'string' ? { url: options.redis } : options.redis;
  let redis: RedisLink | undefined;
  const allowed = options.allowedOrigins?.length ? new Set(options.allowedOrigins.map(normalizeOrigin)) : null;
  const accessTokens: AccessTokenVerifier | undefined =
    options.accessTokenSecret || options.accessTokenPublicKey
      ? createAccessTokenVerifier({ secret: options.accessTokenSecret, publicKey: options.accessTokenPublicKey })
      : undefined;
  const rateLimiter = options.rateLimits === false ? undefined : createRateLimiter(resolveRateLimits(options.rateLimits));
  const maxConnectionsPerIp = options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP;
  const trustProxy = options.trustProxy ?? false;
  const counters = Object.assign(createSignalingCounters(), { refusedConnections: 0 });
  /** Set the moment close() begins: new handshakes are refused while the closing notice goes out. */
  let shuttingDown = false;

  const app = express();
  app.disable('x-powered-by');
  // JSON answers may quote a request's path: < > & go out as \u003c etc., never as markup.
  app.set('json escape', true);
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: DEMO_CSP_DIRECTIVES },
      // The bundle and /healthz are meant to be loaded from other origins' pages.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      // Plain http on a LAN or localhost is a normal set-up; HSTS is the TLS proxy's business.
      strictTransportSecurity: false,
    }),
  );
  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (!originAllowed(origin, allowed)) {
      res.status(403).json({ error: { code: 'origin_not_allowed', message: 'This origin is not allowed' } });
      return;
    }
    res.vary('Origin');
    res.set('Access-Control-Allow-Origin', allowed && origin ? origin : '*');
    next();
  });
  app.get('/healthz', async (_req, res) => {
    const health = iceProvider.health?.() ?? { ok: true };
    const ice = { provider: iceProvider.name, ...health };
    if (!redisOptions) return void res.json({ ok: true, protocol: PROTOCOL_VERSION, ...(await rooms.stats()), ice, counters });
    // Without Redis this node cannot admit anyone: 503, so that a load balancer sends joins elsewhere.
    const store = rooms.health();
    const stats = store.ok ? await rooms.stats().catch(() => undefined) : undefined;
    res.status(stats ? 200 : 503).json({
      ok: !!stats,
      protocol: PROTOCOL_VERSION,
      ...(stats ?? { rooms: null, peers: null }),
      redis: { ok: !!stats, node: store.node ?? null },
      ice,
      counters,
    });
  });
  if (options.metrics !== false) {
    app.get('/metrics', async (_req, res) => {
      const registry = metrics!; // made below, with the room store, before anything listens
      res.type(registry.registry.contentType).send(await registry.render());
    });
  }
  if (options.bundleDir) {
    const dir = resolve(options.bundleDir);
    for (const file of BUNDLE_FILES) app.get(`/${file}`, (_req, res) => res.sendFile(resolve(dir, file)));
  }
  if (options.demoDir) app.use(express.static(options.demoDir, { index: 'index.html' }));
  app.use((req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: `No route for ${req.method} ${req.path}` } });
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = (error as { status?: number }).status ?? 500;
    if (status >= 500) logger.error({ err: error }, 'http request failed');
    res.status(status).json({ error: { code: status === 404 ? 'not_found' : 'internal', message: status === 404 ? 'Not found' : 'Internal server error' } });
  });

  const attached = options.httpServer !== undefined;
  const httpServer = options.httpServer ?? createServer(app);
  const connections = new ConnectionCounts();
  const io: RtcIo = new Server(httpServer, {
    cors: { origin: allowed ? [...allowed] : true },
    // When attached to someone else's server, leave its other WebSocket upgrades alone.
    destroyUpgrade: !attached,
    // A connection that died silently (a network hand-over, a sleeping laptop) is noticed within
    // 15 s on both ends instead of Socket.IO's default 45 s: the member is then away, and comes back.
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // Every handshake, polling or WebSocket (CORS does not cover WebSocket): origin and per-IP cap.
    allowRequest(req, callback) {
      const ip = clientIp(req, trustProxy);
      const refusal = shuttingDown
        ? 'server_closing'
        : !originAllowed(req.headers.origin, allowed)
          ? 'origin_not_allowed'
          : connections.count(ip) >= maxConnectionsPerIp
            ? 'too_many_connections'
            : null;
      if (refusal) counters.refusedConnections++;
      callback(refusal, refusal === null);
    },
  });
  io.engine.on('connection', (raw: { request: IncomingMessage; once(event: 'close', fn: () => void): void }) => {
    const ip = clientIp(raw.request, trustProxy);
    connections.open(ip);
    raw.once('close', () => connections.close(ip));
  });
  io.use((socket, next) => {
    socket.data.ip = clientIp(socket.request, trustProxy);
    next();
  });
  const ready = redisOptions
    ? (async () => {
        const { connectRedis } = await import('./rooms/redis/connect.js');
        // isLocal: the store removes its own members whose socket is gone (a removal that failed while Redis was away).
        // disconnect: a member whose record vanished from Redis (restarted without its data) joins again.
        redis = await connectRedis(redisOptions, logger, {
          isLocal: (socketId) => io.sockets.sockets.has(socketId),
          disconnect: (socketId) => io.sockets.sockets.get(socketId)?.disconnect(true),
        });
        io.adapter(redis.adapter);
      })()
    : Promise.resolve();
  ready.catch(() => {}); // the error is for whoever awaits `ready` or `listen()`
  const rooms: RoomStore = redisOptions ? deferredStore(ready.then(() => redis!.rooms)) : new Rooms();
  const metrics = options.metrics === false ? null : createMetrics({ rooms });
  const signaling = attachSignaling(io, {
    rooms,
    iceProvider: metrics?.instrumentIceProvider(iceProvider) ?? iceProvider,
    roomCapacity,
    reconnectGraceMs: reconnectGrace * 1000,
    logger,
    counters,
    ...(accessTokens ? { accessTokens } : {}),
    ...(rateLimiter ? { rateLimiter } : {}),
  });
  metrics?.observe(io);

  let closing: Promise<void> | null = null;
  return {
    app,
    io,
    httpServer,
    rooms,
    ready,
    iceProvider,
    metrics,
    counters,
    accessTokens: accessTokens?.algorithms ?? null,
    async listen(port, host = '127.0.0.1') {
      await ready;
      httpServer.listen(port, host);
      await once(httpServer, 'listening');
      const address = httpServer.address() as AddressInfo;
      const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
      const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
      return { url: `http://${hostPart}:${address.port}`, port: address.port };
    },
    close() {
      closing ??= (async () => {
        // Before the notice: nobody new gets in (handshakes refused, joins `unavailable`) while it is flushed.
        shuttingDown = true;
        signaling.close();
        iceProvider.close?.();
        io.emit('server-closing', { reason: 'shutdown' });
        await flushed(io, CLOSING_NOTICE_MS);
        // Closing the transports (not a Socket.IO disconnect) lets clients reconnect by themselves.
        // io.close() also closes the HTTP server it is bound to; not when it is someone else's.
        // (It discards polling transports at once; disconnecting sockets first would leave each idle
        // long-polling connection waiting 30 s for its client to come back for the close packet.)
        if (attached) {
          io.engine?.close();
        } else {
          await new Promise<void>((resolve) => {
            io.close(() => resolve());
            httpServer.closeAllConnections?.();
          });
        }
        await ready.catch(() => {});
        await redis?.close();
      })();
      return closing;
    },
  };
}
