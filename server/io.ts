// Socket.IO on an HTTP server: timings, message size, the request guard (JSONP, origin, nosniff on
// every Engine.IO request) and the handshake guard (per-IP cap, closing). Signaling
// (server/signaling/) registers the events on the server this returns.
import { ServerResponse, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server } from 'socket.io';
import { clientIp, ConnectionCounts, originAllowed } from './guard.js';
import type { RtcIo } from './signaling/index.js';

/** The largest message a client may send (Socket.IO's `maxHttpBufferSize`): an SDP fits with room to spare. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
const PING_INTERVAL_MS = 10_000;
const PING_TIMEOUT_MS = 5_000;

/** Why a request or handshake was refused (the client's `connect_error` message). */
export type Refusal = 'server_closing' | 'origin_not_allowed' | 'too_many_connections' | 'jsonp_not_allowed';

/** The raw sockets of each server's WebSockets (and upgrades under way), until they close. */
const upgradedSockets = new WeakMap<RtcIo, Set<Duplex>>();

/** The raw sockets under `io`'s WebSockets: shutdown destroys those a client never lets close. */
export function webSocketsOf(io: RtcIo): ReadonlySet<Duplex> {
  return upgradedSockets.get(io) ?? new Set();
}

/** Engine.IO's error code for a refused request (its `Server.errors.FORBIDDEN`), kept in our 403 bodies. */
const ENGINE_FORBIDDEN = 4;

export interface IoOptions {
  /** Socket.IO's path (`/socket.io`, or under a prefix `/rtc/socket.io`). */
  path: string;
  /** Origins whose pages may connect; null: any. */
  allowed: ReadonlySet<string> | null;
  maxConnectionsPerIp: number;
  trustProxy: boolean;
  /** Someone else's server: leave its other WebSocket upgrades alone. */
  attached: boolean;
  /** True once the server is closing: handshakes are refused with `server_closing`. */
  closing: () => boolean;
  /** Called for each refused handshake (a counter). */
  onRefused: (refusal: Refusal) => void;
}

/** The handshake guard: why this request is refused, or null. */
export function refusalFor(
  { closing, allowed, maxConnectionsPerIp }: Pick<IoOptions, 'closing' | 'allowed' | 'maxConnectionsPerIp'>,
  origin: string | undefined,
  openFromIp: number,
): Refusal | null {
  if (closing()) return 'server_closing';
  if (!originAllowed(origin, allowed)) return 'origin_not_allowed';
  return openFromIp >= maxConnectionsPerIp ? 'too_many_connections' : null;
}

/**
 * The guard of every Engine.IO request (handshake, polling with a `sid`, WebSocket upgrade): why it
 * is refused, or null. JSONP (a `j` parameter) is refused whatever its origin: a `<script>` tag
 * sends no `Origin`, so another site's page could read the answers. `Origin`, when sent, must be
 * allowed on every request, not only at the handshake.
 */
export function requestRefusal(allowed: ReadonlySet<string> | null, url: string | undefined, origin: string | undefined): Refusal | null {
  if (new URL(url ?? '/', 'http://localhost').searchParams.has('j')) return 'jsonp_not_allowed';
  return originAllowed(origin, allowed) ? null : 'origin_not_allowed';
}

/** A 403 naming the refusal: a JSON answer over HTTP, the same written on the raw socket of an upgrade. */
function refuse(req: IncomingMessage, res: unknown, refusal: Refusal): void {
  const body = JSON.stringify({ code: ENGINE_FORBIDDEN, message: refusal });
  const headers = { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };
  if (res instanceof ServerResponse) {
    res.writeHead(403, headers).end(body);
    return;
  }
  // An upgrade has no ServerResponse: the answer goes on the socket, which is then closed (as Engine.IO does).
  const head = Object.entries({ ...headers, Connection: 'close', 'Content-Length': Buffer.byteLength(body) });
  req.socket.on('error', () => {});
  req.socket.write(`HTTP/1.1 403 Forbidden\r\n${head.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
  req.socket.destroy();
}

export function createIo(httpServer: HttpServer, options: IoOptions): RtcIo {
  const { allowed, trustProxy } = options;
  const connections = new ConnectionCounts();
  const io: RtcIo = new Server(httpServer, {
    path: options.path,
    cors: { origin: allowed ? [...allowed] : true },
    destroyUpgrade: !options.attached,
    // A connection that died silently (a network hand-over, a sleeping laptop) is noticed within
    // 15 s on both ends instead of Socket.IO's default 45 s: the member is then away, and comes back.
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // Every handshake, polling or WebSocket (CORS does not cover WebSocket): closing and per-IP cap
    // (the origin is checked for every request below, and once more here).
    allowRequest(req, callback) {
      const refusal = refusalFor(options, req.headers.origin, connections.count(clientIp(req, trustProxy)));
      if (refusal) options.onRefused(refusal);
      callback(refusal, refusal === null);
    },
  });
  const webSockets = new Set<Duplex>();
  upgradedSockets.set(io, webSockets);
  // Every Engine.IO request, before Engine.IO looks at it (allowRequest above sees handshakes only).
  io.engine.use((req: IncomingMessage, res: { setHeader(name: string, value: string): void }, next: (error?: Error) => void) => {
    const refusal = requestRefusal(allowed, req.url, req.headers.origin);
    if (refusal) {
      options.onRefused(refusal);
      refuse(req, res, refusal);
      return;
    }
    // Polling answers are text/plain: no browser may run them as a script.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!(res instanceof ServerResponse)) {
      const socket = req.socket;
      webSockets.add(socket);
      socket.once('close', () => webSockets.delete(socket));
    }
    next();
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
  return io;
}
