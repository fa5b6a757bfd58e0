// A TCP relay on 127.0.0.1 in front of a test Redis, for one node: blocked, it refuses that node's
// connections (closes them at once), so that the node comes back after the others.
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

export interface RedisProxy {
  /** redis://127.0.0.1:port of the relay */
  readonly url: string;
  /** Closes every connection through it and refuses new ones until `unblock()`. */
  block(): void;
  unblock(): void;
  close(): Promise<void>;
}

export async function startRedisProxy(targetPort: number): Promise<RedisProxy> {
  let blocked = false;
  const open = new Set<Socket>();
  const server = createServer((downstream) => {
    if (blocked) return void downstream.destroy();
    const upstream = createConnection({ port: targetPort, host: '127.0.0.1' });
    for (const socket of [downstream, upstream]) {
      open.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        open.delete(socket);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream).pipe(downstream);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    block() {
      blocked = true;
      for (const socket of open) socket.destroy();
    },
    unblock() {
      blocked = false;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
