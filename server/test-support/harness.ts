import { pino } from 'pino';
import { io as connect, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { createRtcServer, type RtcServerOptions } from '../app.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/index.js';

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real server listening on 127.0.0.1 with a random port, and a client factory. */
export async function startServer(options: RtcServerOptions = {}) {
  // Every test client comes from 127.0.0.1: limits are off unless a test sets them.
  const server = createRtcServer({ logger: pino({ level: 'silent' }), rateLimits: false, maxConnectionsPerIp: 10_000, ...options });
  const { url } = await server.listen(0, '127.0.0.1');
  const clients: TestClient[] = [];
  return {
    server,
    url,
    /** A connected socket.io client (WebSocket only unless `options` say otherwise). */
    async client(options: Partial<ManagerOptions & SocketOptions> = {}): Promise<TestClient> {
      const socket: TestClient = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false, ...options });
      clients.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    },
    async close() {
      for (const c of clients) c.disconnect();
      await server.close();
    },
  };
}

/** Sends an event with a raw argument list (for malformed payloads) and waits for the ack. */
export function rawRequest(socket: TestClient, event: string, ...args: unknown[]): Promise<any> {
  return (socket.timeout(2_000) as any).emitWithAck(event, ...args);
}

/** Resolves with the next `event` on `socket`, or rejects after `ms`. */
export function nextEvent<T = any>(socket: TestClient, event: string, ms = 2_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      (socket as any).off(event, on);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    const on = (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    };
    (socket as any).once(event, on);
  });
}

/**
 * Drops the connection as a network would (the transport closes; no Socket.IO disconnect is sent):
 * the server holds the member's place for the grace period. `socket.disconnect()` is a leave.
 */
export function dropConnection(socket: TestClient): void {
  socket.io.engine.close();
}

/** Records every event a socket receives, to prove that nothing arrived. */
export function recordAll(socket: TestClient): string[] {
  const seen: string[] = [];
  socket.onAny((event: string) => seen.push(event));
  return seen;
}
