// createRtcServer: wires the parts (options, HTTP routes, Socket.IO, signaling, room store,
// shutdown) and never listens; main.ts is the CLI that does.
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { pino } from 'pino';
import { createAccessTokenVerifier } from './auth/access-tokens.js';
import { createHttpApps, createMetricsApp } from './http/index.js';
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
  /**
   * The server's HTTP routes: `/healthz`, `/metrics` (when on, without `metricsPort`), the bundle
   * (`/rtc-room.js`, its chunks, `/custom-elements.json`) and the demo, each when configured. Mount
   * it in your own Express app (`app.use(rtc.app)`, or `app.use('/rtc', rtc.app)` with
   * `path: '/rtc/socket.io'`): every other request goes on to your routes with `next()`.
   */
  readonly app: express.Express;
  readonly io: RtcIo;
  readonly httpServer: HttpServer;
  readonly rooms: RoomStore;
  /** Resolves once the server can take members (with Redis: connected; with Twilio: its SDK loaded); rejects if it cannot. */
  readonly ready: Promise<void>;
  /** The ICE server provider in use. */
  readonly iceProvider: IceServerProvider;
  /** The Prometheus registry behind `/metrics` (null when metrics are off), to add your own. */
  readonly metrics: RtcMetrics | null;
  /** With `metricsPort`: the HTTP server of `/metrics`, listening once `httpServer` listens. */
  readonly metricsServer: HttpServer | null;
  /** Refused and ignored client input (live counters; also in `/healthz`). */
  readonly counters: Readonly<SignalingCounters & { refusedConnections: number }>;
  /** `hs256`, `es256`, `hs256+es256`, or null when joins need no token. */
  readonly accessTokens: string | null;
  /**
   * Listens (only when the server created its own HTTP server or the given one is idle), and with
   * `metricsPort` starts the metrics listener on the same host.
   */
  listen(port: number, host?: string): Promise<{ url: string; port: number; metricsUrl?: string }>;
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
  const storeReady = redisOptions ? connectStore(redisOptions) : Promise.resolve();
  // With Twilio, its SDK is loaded in the background from now on; `ready` includes it.
  const ready = iceProvider.loaded ? Promise.all([storeReady, iceProvider.loaded]).then(() => {}) : storeReady;
  ready.catch(() => {}); // the error is for whoever awaits `ready` or `listen()`
  const rooms: RoomStore = redisOptions ? deferredStore(storeReady.then(() => redis!.rooms)) : new Rooms();
  const attached = settings.httpServer !== undefined;
  // Metrics: on for the server's own HTTP server, opt-in when attached (mounted in an app).
  const metricsOn = settings.metrics ?? (!attached || settings.metricsPort !== undefined);
  const metrics = metricsOn ? createMetrics({ rooms }) : null;
  const metricsServer = metrics && settings.metricsPort !== undefined ? createServer(createMetricsApp(metrics, logger)) : null;
  // The metrics listener follows the HTTP server: it listens (same address) once that one does,
  // whoever starts it; listen() awaits it, and an attached server's owner reads a failure in the log.
  let metricsListening: Promise<number> | null = null;
  let listenAwaitsMetrics = false;
  const startMetrics = (server: HttpServer) =>
    (metricsListening ??= (async () => {
      server.listen(settings.metricsPort, (httpServer.address() as AddressInfo).address);
      await once(server, 'listening');
      return (server.address() as AddressInfo).port;
    })());
  // SFU rooms (docs/sfu.md): a Janus session kept open (and reopened) for as long as the server runs.
  const sfu: Sfu | undefined = settings.janusUrl
    ? createSfu({ janusUrl: settings.janusUrl, logger, emit: (socketId, event, message) => io.to(socketId).emit(event, message as never) })
    : undefined;
  const { app, standalone } = createHttpApps({
    logger,
    allowed,
    iceProvider,
    counters,
    rooms,
    shared: !!redisOptions,
    sfu: sfu && (() => sfu.health()),
    metrics: metrics && !metricsServer ? () => metrics : null,
    bundleDir: settings.bundleDir,
    demoDir: settings.demoDir,
  });
  const httpServer = settings.httpServer ?? createServer(standalone);
  if (metricsServer) {
    httpServer.once('listening', () => {
      if (listenAwaitsMetrics) return;
      startMetrics(metricsServer).catch((error: Error) =>
        logger.error({ err: error }, `metrics could not listen on port ${settings.metricsPort}: ${error.message}`),
      );
    });
  }
  const io = createIo(httpServer, {
    path: settings.path,
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
    metricsServer,
    counters,
    accessTokens: accessTokens?.algorithms ?? null,
    async listen(port, host = '127.0.0.1') {
      await ready;
      const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
      const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
      listenAwaitsMetrics = true;
      httpServer.listen(port, host);
      await once(httpServer, 'listening');
      const listening = (httpServer.address() as AddressInfo).port;
      const url = `http://${hostPart}:${listening}`;
      if (!metricsServer) return { url, port: listening };
      return { url, port: listening, metricsUrl: `http://${hostPart}:${await startMetrics(metricsServer)}/metrics` };
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
          if (metricsServer?.listening) {
            metricsServer.closeAllConnections();
            await new Promise((resolve) => metricsServer.close(resolve));
          }
        },
      });
      return closing;
    },
  };
}
