import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import express from 'express';
import { pino, type Logger } from 'pino';
import { Server } from 'socket.io';
import type { IceServerProvider } from './ice/provider.js';
import { createIceProvider, type IceSourceOptions } from './ice/select.js';
import { DEFAULT_RECONNECT_GRACE, DEFAULT_ROOM_CAPACITY } from './config.js';
import { MAX_ROOM_CAPACITY, PROTOCOL_VERSION } from './protocol.js';
import type { RedisLink, RedisOptions } from './redis-rooms.js';
import { deferredStore, Rooms, type RoomStore } from './rooms.js';
import { createMetrics, type RtcMetrics } from './metrics.js';
import { attachSignaling, type RtcIo } from './signaling.js';

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
   * Origins allowed to connect to Socket.IO. The tags are meant to be embedded anywhere.
   * @default any origin
   */
  corsOrigin?: string | string[] | true;
  /**
   * Prometheus metrics at `GET /metrics` (prom-client). Keep the path away from the public
   * internet (see the README's deployment section). `false`: no metrics and no route.
   * @default true
   */
  metrics?: boolean;
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
  /** Listens (only when the server created its own HTTP server or the given one is idle). */
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /**
   * Tells every client that the server is closing (`server-closing`: they reconnect, to another
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

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    const health = iceProvider.health?.() ?? { ok: true };
    const ice = { provider: iceProvider.name, ...health };
    if (!redisOptions) return void res.json({ ok: true, protocol: PROTOCOL_VERSION, ...(await rooms.stats()), ice });
    // Without Redis this node cannot admit anyone: 503, so that a load balancer sends joins elsewhere.
    const connected = redis?.rooms.ready ?? false;
    const stats = connected ? await rooms.stats().catch(() => undefined) : undefined;
    res.status(stats ? 200 : 503).json({
      ok: !!stats,
      protocol: PROTOCOL_VERSION,
      ...(stats ?? { rooms: null, peers: null }),
      redis: { ok: !!stats, node: redis?.rooms.node ?? null },
      ice,
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
  const io: RtcIo = new Server(httpServer, {
    cors: { origin: options.corsOrigin ?? true },
    // When attached to someone else's server, leave its other WebSocket upgrades alone.
    destroyUpgrade: !attached,
    // A connection that died silently (a network hand-over, a sleeping laptop) is noticed within
    // 15 s on both ends instead of Socket.IO's default 45 s: the member is then away, and comes back.
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
  });
  const ready = redisOptions
    ? (async () => {
        const { connectRedis } = await import('./redis-rooms.js');
        redis = await connectRedis(redisOptions, logger);
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
        signaling.close();
        iceProvider.close?.();
        io.emit('server-closing', { reason: 'shutdown' });
        await flushed(io, CLOSING_NOTICE_MS);
        // Closing the transports (not a Socket.IO disconnect) lets clients reconnect by themselves.
        // io.close() also closes the HTTP server it is bound to; not when it is someone else's.
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
