// The closing sequence of `RtcServer.close()`.
import { once } from 'node:events';
import type { Server as HttpServer } from 'node:http';
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
  if (attached) {
    io.engine?.close();
  } else {
    await new Promise<void>((resolve) => {
      io.close(() => resolve());
      httpServer.closeAllConnections?.();
    });
  }
  await release();
}
