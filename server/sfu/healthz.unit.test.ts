// /healthz with an SFU: it says whether Janus is there, and stays 200 (mesh rooms work without it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request, Response } from 'express';
import { healthz } from '../http/healthz.js';
import type { RoomStore } from '../rooms/store.js';
import type { SfuHealth } from './service.js';

async function check(sfu: SfuHealth | undefined, shared = false): Promise<{ status: number; body: Record<string, unknown> }> {
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
  const rooms = { stats: async () => ({ rooms: 1, peers: 6 }), health: () => ({ ok: true, node: 'n1' }) } as unknown as RoomStore;
  const iceProvider = { name: 'static', getIceServers: async () => ({ iceServers: [], expiresAt: null }) };
  await healthz({ rooms, iceProvider, counters: {}, shared, ...(sfu ? { sfu: () => sfu } : {}) })({} as Request, res, () => {});
  return out;
}

describe('GET /healthz with an SFU', () => {
  it('reports Janus up or down, and stays 200 and ok when it is down', async () => {
    const up = await check({ janus: 'up', rooms: 1 });
    assert.deepEqual(up.body.sfu, { janus: 'up', rooms: 1 });
    const down = await check({ janus: 'down', rooms: 1 });
    assert.equal(down.status, 200);
    assert.equal(down.body.ok, true);
    assert.deepEqual(down.body.sfu, { janus: 'down', rooms: 1 });
    const shared = await check({ janus: 'down', rooms: 0 }, true);
    assert.equal(shared.status, 200);
    assert.deepEqual(shared.body.sfu, { janus: 'down', rooms: 0 });
  });

  it('says nothing about an SFU on a server without one', async () => {
    assert.equal('sfu' in (await check(undefined)).body, false);
  });
});
