// The closing sequence of `RtcServer.close()`.
import { once } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { webSocketsOf } from './io.js';
import type { RtcIo } from './signaling/index.js';

/** The longest a shutdown waits for the `server-closing` notice to be written to every client. */
export const CLOSING_NOTICE_MS = 500;

/** Resolves once every client's outgoing buffer is written (or after `ms`). */
export async function flushed(io: RtcIo, ms: number): Promise<void> {
  const pending = [...io.sockets.sockets.values()]
    .map((socket) => socket.conn as unknown as { writeBuffer: unknown[] } & NodeJS.EventEmitter)
    .filter((conn) => conn.writeBuffer.length > 0)
    .map((conn) => once(conn, 'drain'));
  if (!pending.length) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** How long closed connections have to end before the ones still open are destroyed. */
export const CLOSE_WAIT_MS = 500;

/**
 * Waits (at most `ms`) for these connections to close, then destroys the ones still open. A client
 * that never reads never answers a WebSocket's close frame either (`ws` would wait 30 s for it).
 */
export async function closedOrDestroyed(sockets: Iterable<Duplex>, ms: number): Promise<void> {
  const open = [...sockets].filter((socket) => !socket.destroyed);
  if (!open.length) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(open.map((socket) => once(socket, 'close'))), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
  for (const socket of open) socket.destroy();
}

export interface ShutdownParts {
  io: RtcIo;
  httpServer: HttpServer;
  /** Someone else's HTTP server: it stays open (only Socket.IO's transports close). */
  attached: boolean;
  /** Stops new arrivals before the notice goes out (handshakes refused, joins `unavailable`, timers off). */
  stopAccepting(): void;
  /** Then, once the connections are closed (ICE provider timers, the Redis link). */
  release(): Promise<void>;
}

/** Stops accepting, tells every client (`server-closing`), closes their transports, then releases the rest. */
export async function shutdown({ io, httpServer, attached, stopAccepting, release }: ShutdownParts): Promise<void> {
  stopAccepting();
  io.emit('server-closing', { reason: 'shutdown' });
  await flushed(io, CLOSING_NOTICE_MS);
  // Closing the transports (not a Socket.IO disconnect) lets clients reconnect by themselves.
  // io.close() also closes the HTTP server it is bound to; not when it is someone else's.
  // (It discards polling transports at once; disconnecting sockets first would leave each idle
  // long-polling connection waiting 30 s for its client to come back for the close packet.)
  let closed = Promise.resolve();
  if (attached) {
    io.engine?.close();
  } else {
    closed = new Promise<void>((resolve) => {
      io.close(() => resolve());
      httpServer.closeAllConnections?.();
    });
  }
  // The HTTP server closes once its last connection has: WebSockets that do not end are destroyed.
  await closedOrDestroyed(webSocketsOf(io), CLOSE_WAIT_MS);
  await closed;
  await release();
}
