import type { RequestHandler } from 'express';
import type { IceServerProvider } from '../ice/provider.js';
import { PROTOCOL_VERSION } from '../../protocol/index.js';
import type { RoomStore } from '../rooms/store.js';

export interface HealthOptions {
  rooms: RoomStore;
  iceProvider: IceServerProvider;
  /** Live counters of refused and ignored input, shown as they are. */
  counters: object;
  /** With Redis: whether the store is connected, and this node's id (null while not). Absent: rooms in this process. */
  redis?: () => { ready: boolean; node: string | null };
}

/** `GET /healthz`: protocol, rooms, members (`peers`, kept for compatibility), the ICE provider, counters. */
export function healthz({ rooms, iceProvider, counters, redis }: HealthOptions): RequestHandler {
  return async (_req, res) => {
    const ice = { provider: iceProvider.name, ...(iceProvider.health?.() ?? { ok: true }) };
    if (!redis) return void res.json({ ok: true, protocol: PROTOCOL_VERSION, ...(await rooms.stats()), ice, counters });
    // Without Redis this node cannot admit anyone: 503, so that a load balancer sends joins elsewhere.
    const { ready, node } = redis();
    const stats = ready ? await rooms.stats().catch(() => undefined) : undefined;
    res.status(stats ? 200 : 503).json({
      ok: !!stats,
      protocol: PROTOCOL_VERSION,
      ...(stats ?? { rooms: null, peers: null }),
      redis: { ok: !!stats, node },
      ice,
      counters,
    });
  };
}
