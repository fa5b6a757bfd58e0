// Connecting a node to Redis: the command client (with the room scripts), and Socket.IO's Redis
// adapter on two more connections so that `io.to(socketId).emit(...)` reaches a socket on any node.
// app.ts imports this module dynamically, only when a Redis URL is given: without one, nothing
// here (nor `redis`) is loaded.
import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { createClient, type RedisClientType } from 'redis';
import { redisKeys } from './keys.js';
import { ROOM_SCRIPTS } from './scripts.js';
import { DEFAULT_SWEEP_MS, RedisRooms, type RedisOptions, type RedisRoomsLinks, type RoomsClient } from './store.js';
import { backoffDelay } from '../../backoff.js';

export type { RedisOptions };

export interface RedisLink {
  readonly rooms: RedisRooms;
  /** For `io.adapter(…)`: Socket.IO's Redis pub/sub adapter on two more connections. */
  readonly adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

type AnyClient = Pick<RedisClientType, 'isReady' | 'isOpen' | 'connect' | 'close' | 'destroy' | 'on'>;

/**
 * A client for the adapter whose promises never reject unhandled: the adapter does not catch its
 * `publish`/`unsubscribe` calls, and those still queued when the client is destroyed (Redis away
 * at shutdown) would otherwise be unhandled rejections in the embedding process. Callers that
 * await a result still see its rejection.
 */
export function withoutUnhandledRejections<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (result instanceof Promise) result.catch(() => {});
        return result;
      };
    },
  });
}

/** Connects three clients (commands, publish, subscribe) and starts the node's heartbeat. */
export async function connectRedis(
  options: RedisOptions,
  logger: Logger,
  links: Pick<RedisRoomsLinks, 'isLocal' | 'disconnect'> = {},
): Promise<RedisLink> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const socket = {
    connectTimeout: connectTimeoutMs,
    reconnectStrategy: (retries: number) => backoffDelay(retries + 1, { initialMs: 100, maxMs: 2_000 }),
  };
  // Commands fail at once while Redis is away (no queue): a join then answers `unavailable`.
  const client = createClient({
    url: options.url,
    socket,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs ?? 2_000 },
    scripts: ROOM_SCRIPTS,
  });
  // The adapter publishes without handling rejections: its client queues while Redis is away.
  const pub = createClient({ url: options.url, socket });
  const sub = pub.duplicate();
  const clients: AnyClient[] = [client as unknown as AnyClient, pub, sub];
  let down = false;
  for (const c of clients) {
    c.on('error', (error: Error) => {
      if (!down) logger.error({ err: error }, 'redis: connection lost; joins answer `unavailable` until it is back');
      down = true;
    });
    c.on('ready', () => {
      if (down) logger.info('redis: connected again');
      down = false;
    });
  }
  // A client that is reconnecting (Redis away) is destroyed: close() would wait for Redis.
  const closeAll = () => Promise.all(clients.map((c) => (c.isReady ? c.close() : c.isOpen ? c.destroy() : undefined)));
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(clients.map((c) => c.connect())),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`could not reach Redis within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  } catch (error) {
    for (const c of clients) if (c.isOpen) c.destroy();
    throw error;
  }
  const rooms = new RedisRooms(client as unknown as RoomsClient, options, logger, { relay: [pub, sub], ...links });
  await rooms.start(options.sweepMs ?? DEFAULT_SWEEP_MS);
  const adapter = createAdapter(withoutUnhandledRejections(pub), withoutUnhandledRejections(sub), {
    key: redisKeys(options.keyPrefix).adapter,
  });
  return {
    rooms,
    adapter,
    async close() {
      rooms.stop();
      await closeAll().catch(() => clients.forEach((c) => c.isOpen && c.destroy()));
    },
  };
}
