import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RATE_LIMITS, resolveRateLimits } from './limits.js';
import { nextEvent, rawRequest, recordAll, startServer, type TestClient } from './test-support/harness.js';

let seq = 0;
const room = () => `limits-${process.pid}-${++seq}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };

/** Sends `n` requests one after another; returns their answers' codes ('ok' for success). */
async function codes(socket: TestClient, n: number, event: string, ...args: unknown[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await rawRequest(socket, event, ...args);
    out.push(res.ok ? 'ok' : res.error.code);
  }
  return out;
}

describe('rate limits', () => {
  it('signal: trips at the configured number per socket, answers retryAfterMs, and recovers', async () => {
    const h = await startServer({ rateLimits: { signal: { perSocket: { points: 20, duration: 1 } } } });
    try {
      const [a, b] = [await h.client(), await h.client()];
      const name = room();
      await rawRequest(a, 'join', { room: name });
      const jb = await rawRequest(b, 'join', { room: name });
      const got: unknown[] = [];
      b.on('signal', (m) => got.push(m));
      const answers = await codes(a, 21, 'signal', { to: jb.id, candidate: CANDIDATE });
      assert.deepEqual(answers.slice(0, 20), Array(20).fill('ok'));
      const limited = await rawRequest(a, 'signal', { to: jb.id, candidate: CANDIDATE });
      assert.equal(limited.error.code, 'rate_limited');
      assert.ok(limited.error.retryAfterMs > 0 && limited.error.retryAfterMs <= 1_000, String(limited.error.retryAfterMs));
      assert.equal(answers[20], 'rate_limited');
      assert.deepEqual(
        await codes(b, 3, 'signal', { to: (await rawRequest(a, 'leave'), 'x'), candidate: CANDIDATE }),
        Array(3).fill('unknown_peer'),
        'another socket has its own budget',
      );
      await sleep(limited.error.retryAfterMs + 50);
      await rawRequest(a, 'join', { room: name });
      assert.equal((await rawRequest(a, 'signal', { to: jb.id, candidate: CANDIDATE })).ok, true, 'recovered after retryAfterMs');
      assert.equal(got.length, 21, 'exactly the admitted signals were delivered');
      assert.ok(h.server.counters.rateLimited >= 2);
    } finally {
      await h.close();
    }
  });

  it('join: per socket and per IP (shared by every socket of the address)', async () => {
    const h = await startServer({ rateLimits: { join: { perSocket: { points: 3, duration: 2 }, perIp: { points: 5, duration: 2 } } } });
    try {
      const a = await h.client();
      const first = [];
      for (let i = 0; i < 4; i++) {
        const res = await rawRequest(a, 'join', { room: room() });
        first.push(res.ok ? 'ok' : res.error.code);
        if (res.ok) await rawRequest(a, 'leave');
      }
      assert.deepEqual(first, ['ok', 'ok', 'ok', 'rate_limited']);
      const b = await h.client();
      assert.deepEqual(
        await codes(b, 3, 'join', { room: 'x y' }),
        ['bad_request', 'bad_request', 'rate_limited'],
        'the address had 5, refused ones count too',
      );
      await sleep(2_100);
      assert.equal((await rawRequest(b, 'join', { room: room() })).ok, true, 'recovered');
    } finally {
      await h.close();
    }
  });

  it('ice-servers: trips and recovers', async () => {
    const h = await startServer({ rateLimits: { 'ice-servers': { perSocket: { points: 2, duration: 1 } } } });
    try {
      const a = await h.client();
      await rawRequest(a, 'join', { room: room() });
      assert.deepEqual(await codes(a, 3, 'ice-servers'), ['ok', 'ok', 'rate_limited']);
      await sleep(1_100);
      assert.deepEqual(await codes(a, 1, 'ice-servers'), ['ok']);
    } finally {
      await h.close();
    }
  });

  it('signal per IP: shared by every socket of the address, trips and recovers', async () => {
    const h = await startServer({ rateLimits: { signal: { perIp: { points: 5, duration: 1 } } } });
    try {
      const name = room();
      const [a, b, c] = [await h.client(), await h.client(), await h.client()];
      await rawRequest(a, 'join', { room: name });
      await rawRequest(b, 'join', { room: name });
      const jc = await rawRequest(c, 'join', { room: name });
      const got: unknown[] = [];
      c.on('signal', (m) => got.push(m));
      assert.deepEqual(await codes(a, 3, 'signal', { to: jc.id, candidate: CANDIDATE }), ['ok', 'ok', 'ok']);
      assert.deepEqual(
        await codes(b, 3, 'signal', { to: jc.id, candidate: CANDIDATE }),
        ['ok', 'ok', 'rate_limited'],
        'b has its own socket budget, not its own address budget',
      );
      const limited = await rawRequest(a, 'signal', { to: jc.id, candidate: CANDIDATE });
      assert.equal(limited.error.code, 'rate_limited');
      assert.ok(limited.error.retryAfterMs > 0 && limited.error.retryAfterMs <= 1_000);
      await sleep(limited.error.retryAfterMs + 50);
      assert.deepEqual(await codes(b, 1, 'signal', { to: jc.id, candidate: CANDIDATE }), ['ok'], 'recovered');
      assert.equal(got.length, 6, 'exactly the admitted signals were delivered');
    } finally {
      await h.close();
    }
  });

  it('ice-servers per IP: shared by every socket of the address, trips and recovers', async () => {
    const h = await startServer({ rateLimits: { 'ice-servers': { perIp: { points: 3, duration: 1 } } } });
    try {
      const [a, b] = [await h.client(), await h.client()];
      await rawRequest(a, 'join', { room: room() });
      await rawRequest(b, 'join', { room: room() });
      assert.deepEqual(await codes(a, 2, 'ice-servers'), ['ok', 'ok']);
      assert.deepEqual(await codes(b, 2, 'ice-servers'), ['ok', 'rate_limited']);
      const limited = await rawRequest(a, 'ice-servers');
      assert.equal(limited.error.code, 'rate_limited');
      await sleep(limited.error.retryAfterMs + 50);
      assert.deepEqual(await codes(b, 1, 'ice-servers'), ['ok'], 'recovered');
    } finally {
      await h.close();
    }
  });

  it("the defaults admit a newcomer's burst in a full eight-member mesh", async () => {
    // 7 peers x (1 description + 20 candidates + end-of-candidates), sent as fast as the socket goes.
    const h = await startServer({ rateLimits: {}, roomCapacity: 8 });
    try {
      const name = room();
      const members = [];
      for (let i = 0; i < 8; i++) {
        const c = await h.client();
        members.push({ c, id: (await rawRequest(c, 'join', { room: name })).id as string });
      }
      const newcomer = members[7]!.c;
      const sends = [];
      for (const { id } of members.slice(0, 7)) {
        sends.push(rawRequest(newcomer, 'signal', { to: id, description: { type: 'offer', sdp: 'v=0\r\n' } }));
        for (let k = 0; k < 21; k++) sends.push(rawRequest(newcomer, 'signal', { to: id, candidate: CANDIDATE }));
      }
      const answers = await Promise.all(sends);
      assert.equal(answers.filter((r) => r.ok).length, sends.length, `${sends.length} signals in a burst`);
    } finally {
      await h.close();
    }
  });

  it('a message over 64 KB closes that connection only, on either transport; the room keeps signaling', async () => {
    const h = await startServer({ roomCapacity: 4 });
    try {
      for (const transport of ['websocket', 'polling'] as const) {
        const name = room();
        const [a, b] = [await h.client(), await h.client()];
        const big = await h.client({ transports: [transport] });
        const ja = await rawRequest(a, 'join', { room: name });
        const jb = await rawRequest(b, 'join', { room: name });
        await rawRequest(big, 'join', { room: name });
        const aSeen = recordAll(a);
        const dropped = nextEvent<string>(big, 'disconnect', 5_000);
        // ~70 KB: an SDP of 48 KB passes the schema's cap, this one the transport's
        big.emit('signal', { to: ja.id, description: { type: 'offer', sdp: `v=0\r\n${'a=x\r\n'.repeat(14_000)}` } }, () => {});
        assert.match(await dropped, /transport (close|error)/, transport);
        const got = nextEvent(a, 'signal');
        assert.deepEqual(await rawRequest(b, 'signal', { to: ja.id, candidate: CANDIDATE }), { ok: true });
        assert.deepEqual(await got, { from: jb.id, candidate: CANDIDATE });
        assert.equal(a.connected && b.connected, true);
        assert.deepEqual(
          aSeen.filter((e) => e === 'signal'),
          ['signal'],
          `${transport}: the big message reached nobody`,
        );
      }
    } finally {
      await h.close();
    }
  });

  it('refuses nonsense limits when the server is made', () => {
    assert.throws(() => resolveRateLimits({ signal: { perSocket: { points: 0, duration: 1 } } }), /signal perSocket/);
    assert.deepEqual(resolveRateLimits(), DEFAULT_RATE_LIMITS);
  });
});

describe('packet budget', () => {
  it('a socket past its budget is disconnected rather than answered; unknown events, events without an ack and leave count', async () => {
    const h = await startServer({ packetBudget: { points: 30, duration: 60 } });
    try {
      const attacker = await h.client();
      const closed = nextEvent<string>(attacker, 'disconnect', 5_000);
      for (let i = 0; i < 10; i++) (attacker as any).emit('no-such-event', { i });
      for (let i = 0; i < 10; i++) (attacker as any).emit('leave');
      assert.deepEqual(await codes(attacker, 10, 'leave'), Array(10).fill('not_joined'), 'within the budget: answered');
      let answered = 0;
      for (let i = 0; i < 20; i++) attacker.emit('leave', () => answered++);
      assert.match(await closed, /transport close/);
      assert.equal(answered, 0, 'past the budget: disconnected, not answered');
      assert.equal(h.server.counters.overBudget, 1);
      const other = await h.client();
      assert.deepEqual(await codes(other, 3, 'leave'), ['not_joined', 'not_joined', 'not_joined'], 'every connection has its own budget');
    } finally {
      await h.close();
    }
  });

  it('packetBudget: false turns it off', async () => {
    const h = await startServer({ packetBudget: false });
    try {
      const client = await h.client();
      const answers = await Promise.all(Array.from({ length: 2_500 }, () => rawRequest(client, 'leave')));
      assert.equal(answers.length, 2_500);
      assert.ok(client.connected);
      assert.equal(h.server.counters.overBudget, 0);
    } finally {
      await h.close();
    }
  });
});
