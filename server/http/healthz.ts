import type { RequestHandler } from 'express';
import type { IceServerProvider } from '../ice/provider.js';
import { PROTOCOL_VERSION } from '../../protocol/index.js';
import type { RoomStore } from '../rooms/store.js';
import type { SfuHealth } from '../sfu/service.js';

export interface HealthOptions {
  rooms: RoomStore;
  iceProvider: IceServerProvider;
  /** Live counters of refused and ignored input, shown as they are. */
  counters: object;
  /** Rooms shared with other nodes (Redis): `/healthz` then says whether the store can take members. */
  shared?: boolean;
  /** With an SFU (`janusUrl`): whether Janus is there; shown as `sfu`, never a 503 (mesh rooms work without it). */
  sfu?: (() => SfuHealth) | undefined;
}

/** `GET /healthz`: protocol, rooms, members (`peers`, kept for compatibility), the ICE provider, counters. */
export function healthz({ rooms, iceProvider, counters, shared, sfu: sfuHealth }: HealthOptions): RequestHandler {
  return async (_req, res) => {
    const ice = { provider: iceProvider.name, ...(iceProvider.health?.() ?? { ok: true }) };
    const sfu = sfuHealth ? { sfu: sfuHealth() } : {};
    if (!shared) return void res.json({ ok: true, protocol: PROTOCOL_VERSION, ...(await rooms.stats()), ice, ...sfu, counters });
    // Without Redis this node cannot admit anyone: 503, so that a load balancer sends joins elsewhere.
    const { ok, node } = rooms.health();
    const stats = ok ? await rooms.stats().catch(() => undefined) : undefined;
    res.status(stats ? 200 : 503).json({
      ok: !!stats,
      protocol: PROTOCOL_VERSION,
      ...(stats ?? { rooms: null, peers: null }),
      redis: { ok: !!stats, node: node ?? null },
      ice,
      ...sfu,
      counters,
    });
  };
}
