// Socket.IO on an HTTP server: timings, message size, and the handshake guard (origin, per-IP cap,
// closing). Signaling (server/signaling/) registers the events on the server this returns.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { clientIp, ConnectionCounts, originAllowed } from './guard.js';
import type { RtcIo } from './signaling/index.js';

/** The largest message a client may send (Socket.IO's `maxHttpBufferSize`): an SDP fits with room to spare. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
const PING_INTERVAL_MS = 10_000;
const PING_TIMEOUT_MS = 5_000;

/** Why a handshake was refused (the client's `connect_error` message). */
export type Refusal = 'server_closing' | 'origin_not_allowed' | 'too_many_connections';

export interface IoOptions {
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

export function createIo(httpServer: HttpServer, options: IoOptions): RtcIo {
  const { allowed, trustProxy } = options;
  const connections = new ConnectionCounts();
  const io: RtcIo = new Server(httpServer, {
    cors: { origin: allowed ? [...allowed] : true },
    destroyUpgrade: !options.attached,
    // A connection that died silently (a network hand-over, a sleeping laptop) is noticed within
    // 15 s on both ends instead of Socket.IO's default 45 s: the member is then away, and comes back.
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // Every handshake, polling or WebSocket (CORS does not cover WebSocket): origin and per-IP cap.
    allowRequest(req, callback) {
      const refusal = refusalFor(options, req.headers.origin, connections.count(clientIp(req, trustProxy)));
      if (refusal) options.onRefused(refusal);
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
  return io;
}
