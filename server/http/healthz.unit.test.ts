import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request, Response } from 'express';
import type { RoomStore } from '../rooms/store.js';
import { healthz } from './healthz.js';

/** Runs the handler against a fake response; resolves with its status and JSON body. */
async function check(options: Parameters<typeof healthz>[0]): Promise<{ status: number; body: Record<string, unknown> }> {
  const out = { status: 200, body: {} as Record<string, unknown> };
  const res = {
    status(code: number) {
      out.status = code;
      return res;
    },
    json(body: Record<string, unknown>) {
      out.body = body;
      return res;
    },
  } as unknown as Response;
  await healthz(options)({} as Request, res, () => {});
  return out;
}

const rooms = (stats: () => Promise<{ rooms: number; peers: number }>, health: ReturnType<RoomStore['health']> = { ok: true }) =>
  ({ stats, health: () => health }) as unknown as RoomStore;
const iceProvider = { name: 'static', getIceServers: async () => ({ iceServers: [], expiresAt: null }) };

describe('GET /healthz', () => {
  it('answers 200 with the store stats, protocol and ICE provider without Redis', async () => {
    const { status, body } = await check({ rooms: rooms(async () => ({ rooms: 2, peers: 5 })), iceProvider, counters: { badRequests: 1 } });
    assert.equal(status, 200);
    assert.deepEqual(body, {
      ok: true,
      protocol: 1,
      rooms: 2,
      peers: 5,
      ice: { provider: 'static', ok: true },
      counters: { badRequests: 1 },
    });
  });

  it('shows the ICE provider health when it has one', async () => {
    const failing = { ...iceProvider, name: 'twilio', health: () => ({ ok: false, error: 'down' }) };
    const { body } = await check({ rooms: rooms(async () => ({ rooms: 0, peers: 0 })), iceProvider: failing, counters: {} });
    assert.deepEqual(body.ice, { provider: 'twilio', ok: false, error: 'down' });
  });

  it('answers 503 with Redis not connected, without asking the store', async () => {
    let asked = false;
    const store = rooms(async () => ((asked = true), { rooms: 0, peers: 0 }), { ok: false });
    const { status, body } = await check({ rooms: store, iceProvider, counters: {}, shared: true });
    assert.equal(status, 503);
    assert.equal(asked, false);
    assert.deepEqual(body.redis, { ok: false, node: null });
    assert.equal(body.rooms, null);
  });

  it('answers 503 when the Redis store fails to answer', async () => {
    const store = rooms(
      async () => {
        throw new Error('timeout');
      },
      { ok: true, node: 'n1' },
    );
    const { status } = await check({ rooms: store, iceProvider, counters: {}, shared: true });
    assert.equal(status, 503);
  });

  it("answers 200 with this node's id when Redis is connected", async () => {
    const { status, body } = await check({
      rooms: rooms(async () => ({ rooms: 1, peers: 2 }), { ok: true, node: 'n1' }),
      iceProvider,
      counters: {},
      shared: true,
    });
    assert.equal(status, 200);
    assert.deepEqual(body.redis, { ok: true, node: 'n1' });
  });
});
