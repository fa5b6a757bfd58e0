/**
 * Prometheus metrics (prom-client) for one rtc-room server, in a registry of its own so that
 * several servers in one process (tests, or an app hosting two) do not collide.
 *
 * Membership gauges are read from `Rooms` at scrape time; joins and relayed signals are counted
 * from the acks the server sends (a Socket.IO middleware wraps each ack, so the signaling modules need no
 * hooks); ICE provider calls are counted by a wrapper around the provider.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Server } from 'socket.io';
import type { IceServerProvider } from './ice/provider.js';
import type { RoomStore } from './rooms/store.js';

export interface RtcMetrics {
  readonly registry: Registry;
  /** Counts every `getIceServers` call of `provider` by result (`ok`, `degraded`, `error`). */
  instrumentIceProvider(provider: IceServerProvider): IceServerProvider;
  /** Counts joins by result and relayed signals by kind on `io`'s sockets. */
  observe(io: Server): void;
  /** The text exposition (`GET /metrics`). */
  render(): Promise<string>;
}

const PREFIX = 'rtc_room_';

export function createMetrics({ rooms, defaultMetrics = true }: { rooms: RoomStore; defaultMetrics?: boolean }): RtcMetrics {
  const registry = new Registry();
  // Process metrics, among them nodejs_eventloop_lag_seconds and nodejs_eventloop_lag_p99_seconds.
  if (defaultMetrics) collectDefaultMetrics({ register: registry });

  let sockets = () => 0;
  /** A gauge read at scrape time. */
  const sampled = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers: [registry],
      async collect() {
        this.set(await read());
      },
    });
  sampled('connected_sockets', 'Socket.IO connections open now (main namespace)', () => sockets());
  // With Redis: the rooms and members of this node (each node reports its own; sum them).
  sampled('rooms', 'Rooms with at least one member', async () => (await rooms.stats()).rooms);
  sampled('members', 'Members in all rooms', async () => (await rooms.stats()).peers);
  const joins = new Counter({
    name: `${PREFIX}joins_total`,
    help: "Join requests by result: 'ok' or the error code answered (room_full, bad_request, …)",
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const signals = new Counter({
    name: `${PREFIX}signals_relayed_total`,
    help: 'Signals relayed between members, by kind (description or candidate)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const ice = new Counter({
    name: `${PREFIX}ice_requests_total`,
    help: "ICE server requests to the provider by result: 'ok', 'degraded' (fallback list served) or 'error'",
    labelNames: ['provider', 'result'] as const,
    registers: [registry],
  });

  type AckResponse = { ok?: boolean; error?: { code?: string } };
  const countAck = (event: unknown, payload: unknown, response: AckResponse) => {
    if (event === 'join') joins.inc({ result: response?.ok ? 'ok' : (response?.error?.code ?? 'internal') });
    else if (event === 'signal' && response?.ok) {
      signals.inc({ kind: payload && typeof payload === 'object' && 'description' in payload ? 'description' : 'candidate' });
    }
  };

  return {
    registry,
    instrumentIceProvider(provider) {
      const count = (result: string) => ice.inc({ provider: provider.name, result });
      return {
        name: provider.name,
        async getIceServers(context) {
          try {
            const result = await provider.getIceServers(context);
            count(result.degraded ? 'degraded' : 'ok');
            return result;
          } catch (error) {
            count('error');
            throw error;
          }
        },
        ...(provider.verify ? { verify: () => provider.verify!() } : {}),
        ...(provider.health ? { health: () => provider.health!() } : {}),
        ...(provider.close ? { close: () => provider.close!() } : {}),
      };
    },
    observe(io) {
      sockets = () => io.sockets.sockets.size;
      io.on('connection', (socket) => {
        socket.use((packet, next) => {
          const ack = packet.at(-1);
          const [event, payload] = packet;
          if ((event === 'join' || event === 'signal') && typeof ack === 'function') {
            packet[packet.length - 1] = (response: AckResponse) => {
              countAck(event, payload, response);
              ack(response);
            };
          }
          next();
        });
      });
    },
    render: () => registry.metrics(),
  };
}
