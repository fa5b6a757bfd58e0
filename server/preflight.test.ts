import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextEvent, rawRequest, recordAll, startServer } from './test-support/harness.js';

describe('preflight: the ICE servers of a room, without joining it', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  const asked: string[] = [];
  before(async () => {
    h = await startServer({
      iceProvider: {
        name: 'recording',
        async getIceServers({ room, peerId }) {
          asked.push(`${room}/${peerId}`);
          return { iceServers: [{ urls: 'turn:turn.example.test', username: 'u', credential: 'c' }], expiresAt: 1_000 };
        },
      },
    });
  });
  after(() => h.close());

  it('answers what a join would get, creates no member and tells nobody', async () => {
    const member = await h.client();
    await rawRequest(member, 'join', { room: 'pre' });
    const seen = recordAll(member);
    const probe = await h.client();
    const res = await rawRequest(probe, 'preflight', { room: 'pre' });
    assert.deepEqual(res, {
      ok: true,
      protocol: 1,
      iceServers: [{ urls: 'turn:turn.example.test', username: 'u', credential: 'c' }],
      iceServersExpireAt: 1_000,
    });
    assert.match(asked.at(-1)!, /^pre\/preflight-[0-9a-f]{16}$/, 'a one-off identity, never a member id');
    assert.equal((await h.server.rooms.members('pre')).length, 1);
    // the probe is no member: it cannot signal, and the member heard nothing
    assert.equal((await rawRequest(probe, 'signal', { to: 'x', candidate: { candidate: '' } })).error.code, 'not_joined');
    await assert.rejects(nextEvent(member, 'peer-joined', 200));
    assert.deepEqual(seen, []);
  });

  it('refuses a bad room name with bad_request', async () => {
    const res = await rawRequest(await h.client(), 'preflight', { room: '../etc' });
    assert.equal(res.error.code, 'bad_request');
  });
});
