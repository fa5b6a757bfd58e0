import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { pino } from 'pino';
import { Server } from 'socket.io';
import { createAccessTokenVerifier, type AccessTokenVerifier } from './auth/access-tokens.js';
import { clientIp, ConnectionCounts, originAllowed } from './guard.js';
import type { IceServerProvider } from './ice/provider.js';
import { createIceProvider } from './ice/select.js';
import { parseOptions, type RtcServerOptions } from './options.js';
import { PROTOCOL_VERSION } from '../protocol/index.js';
import type { RedisLink, RedisOptions } from './rooms/redis/store.js';
import { deferredStore, Rooms, type RoomStore } from './rooms/store.js';
import { createMetrics, type RtcMetrics } from './metrics.js';
import { attachSignaling, createSignalingCounters, type RtcIo, type SignalingCounters } from './signaling.js';
import { createRateLimiter, resolveRateLimits } from './limits.js';

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

export type { RtcServerOptions };

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
  const settings = parseOptions(options);
  const { roomCapacity, reconnectGrace, maxConnectionsPerIp, trustProxy } = settings;
  const logger = settings.logger ?? pino({ level: 'info' });
  const iceProvider = settings.iceProvider ?? createIceProvider(settings, logger);
  const redisOptions: RedisOptions | undefined = typeof settings.redis === 'string' ? { url: settings.redis } : settings.redis;
  let redis: RedisLink | undefined;
  const allowed = settings.allowedOrigins?.length ? new Set(settings.allowedOrigins) : null;
  const accessTokens: AccessTokenVerifier | undefined =
    settings.accessTokenSecret || settings.accessTokenPublicKey
      ? createAccessTokenVerifier({ secret: settings.accessTokenSecret, publicKey: settings.accessTokenPublicKey })
      : undefined;
  const rateLimiter = settings.rateLimits === false ? undefined : createRateLimiter(resolveRateLimits(settings.rateLimits));
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
    const connected = redis?.rooms.ready ?? false;
    const stats = connected ? await rooms.stats().catch(() => undefined) : undefined;
    res.status(stats ? 200 : 503).json({
      ok: !!stats,
      protocol: PROTOCOL_VERSION,
      ...(stats ?? { rooms: null, peers: null }),
      redis: { ok: !!stats, node: redis?.rooms.node ?? null },
      ice,
      counters,
    });
  });
  if (settings.metrics !== false) {
    app.get('/metrics', async (_req, res) => {
      const registry = metrics!; // made below, with the room store, before anything listens
      res.type(registry.registry.contentType).send(await registry.render());
    });
  }
  if (settings.bundleDir) {
    const dir = resolve(settings.bundleDir);
    for (const file of BUNDLE_FILES) app.get(`/${file}`, (_req, res) => res.sendFile(resolve(dir, file)));
  }
  if (settings.demoDir) app.use(express.static(settings.demoDir, { index: 'index.html' }));
  app.use((req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: `No route for ${req.method} ${req.path}` } });
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = (error as { status?: number }).status ?? 500;
    if (status >= 500) logger.error({ err: error }, 'http request failed');
    res
      .status(status)
      .json({
        error: { code: status === 404 ? 'not_found' : 'internal', message: status === 404 ? 'Not found' : 'Internal server error' },
      });
  });

  const attached = settings.httpServer !== undefined;
  const httpServer = settings.httpServer ?? createServer(app);
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
        const { connectRedis } = await import('./rooms/redis/store.js');
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
  const metrics = settings.metrics === false ? null : createMetrics({ rooms });
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
