// createRtcServer: wires the parts (options, HTTP routes, Socket.IO, signaling, room store,
// shutdown) and never listens; main.ts is the CLI that does.
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { pino } from 'pino';
import { createAccessTokenVerifier } from './auth/access-tokens.js';
import { createHttpApp } from './http/index.js';
import type { IceServerProvider } from './ice/provider.js';
import { createIceProvider } from './ice/select.js';
import { createIo } from './io.js';
import { createRateLimiter, resolveRateLimits } from './limits.js';
import { createMetrics, type RtcMetrics } from './metrics.js';
import { parseOptions, type RtcServerOptions } from './options.js';
import { deferredStore } from './rooms/deferred.js';
import { Rooms } from './rooms/memory.js';
import type { RedisLink, RedisOptions } from './rooms/redis/connect.js';
import type { RoomStore } from './rooms/store.js';
import { createSfu, type Sfu } from './sfu/service.js';
import { shutdown } from './shutdown.js';
import { attachSignaling, createSignalingCounters, type RtcIo, type SignalingCounters } from './signaling/index.js';

export { DEMO_CSP_DIRECTIVES } from './http/index.js';
export { MAX_MESSAGE_BYTES } from './io.js';
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

/** Builds the signaling server without listening (see main.ts for the CLI). */
export function createRtcServer(options: RtcServerOptions = {}): RtcServer {
  const settings = parseOptions(options);
  const logger = settings.logger ?? pino({ level: 'info' });
  const iceProvider = settings.iceProvider ?? createIceProvider(settings, logger);
  const redisOptions: RedisOptions | undefined = typeof settings.redis === 'string' ? { url: settings.redis } : settings.redis;
  let redis: RedisLink | undefined;
  const allowed = settings.allowedOrigins?.length ? new Set(settings.allowedOrigins) : null;
  const { accessTokenSecret: secret, accessTokenPublicKey: publicKey } = settings;
  const accessTokens = secret || publicKey ? createAccessTokenVerifier({ secret, publicKey }) : undefined;
  const rateLimiter = settings.rateLimits === false ? undefined : createRateLimiter(resolveRateLimits(settings.rateLimits));
  const counters = Object.assign(createSignalingCounters(), { refusedConnections: 0 });
  /** Set the moment close() begins: new handshakes are refused while the closing notice goes out. */
  let shuttingDown = false;

  // The store comes first (the routes read it). Redis is loaded and connected only when asked for;
  // `io` (made below) exists by the time the dynamic import has resolved.
  const connectStore = async (redisOptions: RedisOptions) => {
    const { connectRedis } = await import('./rooms/redis/connect.js');
    // isLocal: the store removes its own members whose socket is gone (a removal that failed while Redis was away).
    // disconnect: a member whose record vanished from Redis (restarted without its data) joins again.
    redis = await connectRedis(redisOptions, logger, {
      isLocal: (socketId) => io.sockets.sockets.has(socketId),
      disconnect: (socketId) => io.sockets.sockets.get(socketId)?.disconnect(true),
    });
    io.adapter(redis.adapter);
  };
  const ready = redisOptions ? connectStore(redisOptions) : Promise.resolve();
  ready.catch(() => {}); // the error is for whoever awaits `ready` or `listen()`
  const rooms: RoomStore = redisOptions ? deferredStore(ready.then(() => redis!.rooms)) : new Rooms();
  const metrics = settings.metrics ? createMetrics({ rooms }) : null;
  // SFU rooms (docs/sfu.md): a Janus session kept open (and reopened) for as long as the server runs.
  const sfu: Sfu | undefined = settings.janusUrl
    ? createSfu({ janusUrl: settings.janusUrl, logger, emit: (socketId, event, message) => io.to(socketId).emit(event, message as never) })
    : undefined;
  const app = createHttpApp({
    logger,
    allowed,
    iceProvider,
    counters,
    rooms,
    shared: !!redisOptions,
    sfu: sfu && (() => sfu.health()),
    metrics: settings.metrics ? () => metrics! : null,
    bundleDir: settings.bundleDir,
    demoDir: settings.demoDir,
  });
  const attached = settings.httpServer !== undefined;
  const httpServer = settings.httpServer ?? createServer(app);
  const io = createIo(httpServer, {
    allowed,
    maxConnectionsPerIp: settings.maxConnectionsPerIp,
    trustProxy: settings.trustProxy,
    attached,
    closing: () => shuttingDown,
    onRefused: () => counters.refusedConnections++,
  });
  const signaling = attachSignaling(io, {
    rooms,
    iceProvider: metrics?.instrumentIceProvider(iceProvider) ?? iceProvider,
    roomCapacity: settings.roomCapacity,
    reconnectGraceMs: settings.reconnectGrace * 1000,
    graceSeatsPerIp: settings.graceSeatsPerIp,
    logger,
    counters,
    packetBudget: settings.packetBudget,
    maxQueuedBytes: settings.maxQueuedBytes,
    ...(accessTokens ? { accessTokens } : {}),
    ...(rateLimiter ? { rateLimiter } : {}),
    ...(sfu ? { sfu: { service: sfu, meshMax: settings.meshMax } } : {}),
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
      closing ??= shutdown({
        io,
        httpServer,
        attached,
        // Before the notice: nobody new gets in (handshakes refused, joins `unavailable`) while it is flushed.
        stopAccepting() {
          shuttingDown = true;
          signaling.close();
          iceProvider.close?.();
        },
        async release() {
          await ready.catch(() => {});
          await sfu?.close();
          await redis?.close();
        },
      });
      return closing;
    },
  };
}
