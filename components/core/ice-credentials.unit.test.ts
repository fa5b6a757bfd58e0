import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IceServersGrant } from '../../protocol/index.js';
import { ICE_EXPIRY_MARGIN_MS, IceCredentials } from './ice-credentials.js';

const OLD = [{ urls: 'turn:old.example', username: 'u', credential: 'old' }];
const NEW = [{ urls: 'turn:new.example', username: 'u', credential: 'new' }];

function setup(expireAt: number | null, now = 1_000_000) {
  const time = { now };
  const requests: Array<(grant: IceServersGrant) => void> = [];
  let connected = true;
  const ice = new IceCredentials({
    now: () => time.now,
    request: () => (connected ? new Promise((resolve) => requests.push(resolve)) : null),
  });
  ice.set({ iceServers: OLD, iceServersExpireAt: expireAt });
  return { ice, time, requests, disconnect: () => (connected = false) };
}

describe('IceCredentials', () => {
  it('has no servers before the first join', () => {
    const ice = new IceCredentials({ request: () => null });
    assert.equal(ice.grant, null);
    assert.deepEqual(ice.servers, []);
  });

  it('keeps the servers of the join answer', () => {
    const { ice } = setup(null);
    assert.deepEqual(ice.servers, OLD);
  });

  it('keeps only the grant’s fields from a whole join answer', () => {
    const ice = new IceCredentials({ request: () => null });
    ice.set({ iceServers: OLD, iceServersExpireAt: 5, id: 'me' } as IceServersGrant);
    assert.deepEqual(ice.grant, { iceServers: OLD, iceServersExpireAt: 5 });
  });

  it('never renews servers without an expiry', async () => {
    const { ice, requests } = setup(null);
    assert.deepEqual(await ice.fresh(), OLD);
    assert.equal(requests.length, 0);
  });

  it('uses the current servers while they are good for longer than the margin', async () => {
    const { ice, requests, time } = setup(2_000_000);
    time.now = 2_000_000 - ICE_EXPIRY_MARGIN_MS;
    assert.deepEqual(await ice.fresh(), OLD);
    assert.equal(requests.length, 0);
  });

  it('renews servers that expire within the margin', async () => {
    const { ice, requests, time } = setup(2_000_000);
    time.now = 2_000_000 - ICE_EXPIRY_MARGIN_MS + 1;
    const fresh = ice.fresh();
    assert.equal(requests.length, 1);
    requests[0]!({ iceServers: NEW, iceServersExpireAt: 9_000_000 });
    assert.deepEqual(await fresh, NEW);
    assert.deepEqual(ice.servers, NEW);
  });

  it('renews servers that have already expired', async () => {
    const { ice, requests, time } = setup(1_000);
    time.now = 5_000;
    void ice.fresh();
    assert.equal(requests.length, 1);
  });

  it('shares one request among callers that ask at the same time', async () => {
    const { ice, requests } = setup(0);
    const a = ice.fresh();
    const b = ice.fresh();
    assert.equal(requests.length, 1);
    requests[0]!({ iceServers: NEW, iceServersExpireAt: 9_000_000 });
    assert.deepEqual(await Promise.all([a, b]), [NEW, NEW]);
  });

  it('asks again after a renewal that finished, if the new servers expire too', async () => {
    const { ice, requests } = setup(0);
    const a = ice.fresh();
    requests[0]!({ iceServers: NEW, iceServersExpireAt: 0 });
    await a;
    void ice.fresh();
    assert.equal(requests.length, 2);
  });

  it('falls back to the current servers when the server cannot be asked', async () => {
    const { ice, disconnect } = setup(0);
    disconnect();
    assert.deepEqual(await ice.fresh(), OLD);
  });

  it('passes a failed renewal on and tries again next time', async () => {
    const ice = new IceCredentials({ now: () => 10, request: () => Promise.reject(new Error('timeout')) });
    ice.set({ iceServers: OLD, iceServersExpireAt: 0 });
    await assert.rejects(ice.fresh(), /timeout/);
    await assert.rejects(ice.fresh(), /timeout/);
  });

  it('says whether the servers are expiring', () => {
    const { ice, time } = setup(100_000);
    time.now = 0;
    assert.equal(ice.expiring, false);
    time.now = 100_000 - ICE_EXPIRY_MARGIN_MS + 1;
    assert.equal(ice.expiring, true);
  });

  describe('renew (a fresh access token)', () => {
    const FRESH = [{ urls: 'turn:fresh.example', username: 'u', credential: 'fresh' }];

    it('swaps in the servers of the refresh-token answer', async () => {
      const { ice } = setup(2_000_000);
      assert.deepEqual(await ice.renew(Promise.resolve({ iceServers: FRESH, iceServersExpireAt: 9_000_000 })), FRESH);
      assert.deepEqual(ice.grant, { iceServers: FRESH, iceServersExpireAt: 9_000_000 });
    });

    it('makes an ICE restart meanwhile wait for it instead of asking with the old token', async () => {
      const { ice, requests } = setup(0);
      let answer!: (grant: IceServersGrant) => void;
      void ice.renew(new Promise((resolve) => (answer = resolve)));
      const restart = ice.fresh();
      answer({ iceServers: FRESH, iceServersExpireAt: 9_000_000 });
      assert.deepEqual(await restart, FRESH);
      assert.equal(requests.length, 0, 'no ice-servers request');
    });

    it('keeps the servers in use when refused, and a restart waiting for it asks as usual', async () => {
      const { ice, requests } = setup(0);
      let refuse!: (error: Error) => void;
      const renewal = ice.renew(new Promise((_, reject) => (refuse = reject)));
      const restart = ice.fresh();
      refuse(new Error('unauthorized'));
      await assert.rejects(renewal, /unauthorized/);
      await Promise.resolve();
      assert.deepEqual(ice.servers, OLD);
      await new Promise((r) => setImmediate(r));
      assert.equal(requests.length, 1, 'the restart asked for ice-servers');
      requests[0]!({ iceServers: NEW, iceServersExpireAt: 9_000_000 });
      assert.deepEqual(await restart, NEW);
    });

    it('is not overwritten by an older ice-servers answer that arrives after it', async () => {
      const { ice, requests } = setup(0);
      const restart = ice.fresh();
      await ice.renew(Promise.resolve({ iceServers: FRESH, iceServersExpireAt: 9_000_000 }));
      requests[0]!({ iceServers: NEW, iceServersExpireAt: 5_000_000 });
      assert.deepEqual(await restart, FRESH);
      assert.deepEqual(ice.servers, FRESH);
    });
  });
});
