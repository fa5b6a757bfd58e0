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
import { DEFAULT_ROOM_CAPACITY } from './config.js';
import { MAX_ROOM_CAPACITY, PROTOCOL_VERSION } from './protocol.js';
import { createRateLimiter, DEFAULT_MAX_CONNECTIONS_PER_IP, resolveRateLimits, type LimitedEvent, type RateLimit } from './limits.js';
import { Rooms } from './rooms.js';
import { attachSignaling, createSignalingCounters, type RtcIo, type SignalingCounters } from './signaling.js';

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
  readonly rooms: Rooms;
  /** The ICE server provider in use. */
  readonly iceProvider: IceServerProvider;
  /** Refused and ignored client input (live counters; also in `/healthz`). */
  readonly counters: Readonly<SignalingCounters & { refusedConnections: number }>;
  /** `hs256`, `es256`, `hs256+es256`, or null when joins need no token. */
  readonly accessTokens: string | null;
  /** Listens (only when the server created its own HTTP server or the given one is idle). */
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /** Disconnects every client and closes Socket.IO and the HTTP server. Safe to call twice. */
  close(): Promise<void>;
}

const BUNDLE_FILES = ['rtc-room.js', 'rtc-room.js.map', 'custom-elements.json'];

/** Builds the signaling server without listening (see main.ts for the CLI). */
export function createRtcServer(options: RtcServerOptions = {}): RtcServer {
  const logger = options.logger ?? pino({ level: 'info' });
  const roomCapacity = options.roomCapacity ?? DEFAULT_ROOM_CAPACITY;
  if (!Number.isInteger(roomCapacity) || roomCapacity < 2 || roomCapacity > MAX_ROOM_CAPACITY) {
    throw new RangeError(`createRtcServer: roomCapacity must be an integer from 2 to ${MAX_ROOM_CAPACITY}`);
  }
  const iceProvider = options.iceProvider ?? createIceProvider(options, logger);
  const rooms = new Rooms();
  const allowed = options.allowedOrigins?.length ? new Set(options.allowedOrigins.map(normalizeOrigin)) : null;
  const accessTokens: AccessTokenVerifier | undefined =
    options.accessTokenSecret || options.accessTokenPublicKey
      ? createAccessTokenVerifier({ secret: options.accessTokenSecret, publicKey: options.accessTokenPublicKey })
      : undefined;
  const rateLimiter = options.rateLimits === false ? undefined : createRateLimiter(resolveRateLimits(options.rateLimits));
  const maxConnectionsPerIp = options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP;
  const trustProxy = options.trustProxy ?? false;
  const counters = Object.assign(createSignalingCounters(), { refusedConnections: 0 });

  const app = express();
  app.disable('x-powered-by');
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
  app.get('/healthz', (_req, res) => {
    const health = iceProvider.health?.() ?? { ok: true };
    res.json({ ok: true, protocol: PROTOCOL_VERSION, ...rooms.stats(), ice: { provider: iceProvider.name, ...health }, counters });
  });
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
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // Every handshake, polling or WebSocket (CORS does not cover WebSocket): origin and per-IP cap.
    allowRequest(req, callback) {
      const ip = clientIp(req, trustProxy);
      const refusal = !originAllowed(req.headers.origin, allowed)
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
  attachSignaling(io, { rooms, iceProvider, roomCapacity, logger, counters, ...(accessTokens ? { accessTokens } : {}), ...(rateLimiter ? { rateLimiter } : {}) });

  let closing: Promise<void> | null = null;
  return {
    app,
    io,
    httpServer,
    rooms,
    iceProvider,
    counters,
    accessTokens: accessTokens?.algorithms ?? null,
    async listen(port, host = '127.0.0.1') {
      httpServer.listen(port, host);
      await once(httpServer, 'listening');
      const address = httpServer.address() as AddressInfo;
      const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
      const hostPart = reachable.includes(':') ? `[${reachable}]` : reachable;
      return { url: `http://${hostPart}:${address.port}`, port: address.port };
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        iceProvider.close?.();
        // io.close() also closes the HTTP server it is bound to; not when it is someone else's.
        // (It discards polling transports at once; disconnecting sockets first would leave each idle
        // long-polling connection waiting 30 s for its client to come back for the close packet.)
        if (attached) {
          io.disconnectSockets(true);
          for (const socket of io.sockets.sockets.values()) socket.disconnect(true);
          io.engine?.close();
          resolve();
        } else {
          io.close(() => resolve());
          httpServer.closeAllConnections?.();
        }
      });
      return closing;
    },
  };
}
