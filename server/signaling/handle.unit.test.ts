import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from 'pino';
import { z } from 'zod';
import { SignalingError } from '../errors.js';
import type { RateLimiter } from '../limits.js';
import { createSignalingCounters, describeIssue, handle, type HandleContext, type HandledSocket } from './handle.js';

/** A socket that only records listeners; `send` plays a client event and resolves with its acks. */
function fakeSocket(id = 's1') {
  const listeners = new Map<string, (...args: unknown[]) => unknown>();
  const socket: HandledSocket = {
    id,
    data: { ip: '192.0.2.7' },
    on(event, listener) {
      listeners.set(event, listener);
      return socket;
    },
  };
  return {
    socket,
    /** Sends `args` (an ack is added unless `withAck` is false) and waits for the handler to finish. */
    async send(event: string, args: unknown[], withAck = true): Promise<unknown[]> {
      const acks: unknown[] = [];
      await listeners.get(event)!(...args, ...(withAck ? [(r: unknown) => acks.push(r)] : []));
      return acks;
    },
  };
}

function context(rateLimiter?: RateLimiter) {
  const errors: unknown[] = [];
  const logger = { error: (fields: unknown) => errors.push(fields) } as unknown as Logger;
  const ctx: HandleContext = { logger, counters: createSignalingCounters(), handled: new Set(), ...(rateLimiter ? { rateLimiter } : {}) };
  return { ctx, errors };
}

const schema = z.object({ room: z.string().min(1) }).strict();

describe('handle()', () => {
  it("acks ok with the handler's result", async () => {
    const { socket, send } = fakeSocket();
    const { ctx } = context();
    handle(socket, 'join', schema, ctx, ({ room }) => ({ room }));
    assert.deepEqual(await send('join', [{ room: 'r' }]), [{ ok: true, room: 'r' }]);
  });

  it('records the event as handled, so that others count as unknown', () => {
    const { socket } = fakeSocket();
    const { ctx } = context();
    handle(socket, 'signal', schema, ctx, () => ({}));
    assert.ok(ctx.handled.has('signal'));
    assert.ok(!ctx.handled.has('join'));
  });

  it('answers bad_request naming the field when the payload does not parse, and counts it', async () => {
    const { socket, send } = fakeSocket();
    const { ctx } = context();
    let called = false;
    handle(socket, 'join', schema, ctx, () => ((called = true), {}));
    const [ack] = (await send('join', [{ room: '' }])) as { ok: false; error: { code: string; message: string } }[];
    assert.equal(ack!.error.code, 'bad_request');
    assert.match(ack!.error.message, /^room: /);
    assert.equal(called, false);
    assert.equal(ctx.counters.badRequests, 1);
  });

  it('refuses unknown keys (the schemas are strict)', async () => {
    const { socket, send } = fakeSocket();
    const { ctx } = context();
    handle(socket, 'join', schema, ctx, () => ({}));
    const [ack] = (await send('join', [{ room: 'r', admin: true }])) as { error: { code: string } }[];
    assert.equal(ack!.error.code, 'bad_request');
  });

  it('refuses a payload on an event that takes none', async () => {
    const { socket, send } = fakeSocket();
    const { ctx } = context();
    handle(socket, 'leave', undefined, ctx, () => ({}));
    const [ack] = (await send('leave', [{}])) as { error: { code: string; message: string } }[];
    assert.deepEqual(ack!.error, { code: 'bad_request', message: "'leave' takes no payload" });
  });

  it('treats a missing payload as undefined for the schema', async () => {
    const { socket, send } = fakeSocket();
    const { ctx } = context();
    handle(socket, 'join', schema, ctx, () => ({}));
    const [ack] = (await send('join', [])) as { error: { code: string } }[];
    assert.equal(ack!.error.code, 'bad_request');
  });

  it('ignores an event sent without an ack, and counts it', async () => {
    const { socket, send } = fakeSocket();
    const { ctx } = context();
    let called = false;
    handle(socket, 'join', schema, ctx, () => ((called = true), {}));
    assert.deepEqual(await send('join', [{ room: 'r' }], false), []);
    assert.equal(called, false);
    assert.equal(ctx.counters.eventsWithoutAck, 1);
  });

  it('turns a SignalingError into its code and message, with retryAfterMs', async () => {
    const { socket, send } = fakeSocket();
    const { ctx } = context();
    handle(socket, 'join', schema, ctx, () => {
      throw new SignalingError('room_full', 'full', { retryAfterMs: 5 });
    });
    assert.deepEqual(await send('join', [{ room: 'r' }]), [{ ok: false, error: { code: 'room_full', message: 'full', retryAfterMs: 5 } }]);
  });

  it('counts unauthorized answers', async () => {
    const { socket, send } = fakeSocket();
    const { ctx } = context();
    handle(socket, 'join', schema, ctx, async () => {
      throw new SignalingError('unauthorized', 'no');
    });
    await send('join', [{ room: 'r' }]);
    assert.equal(ctx.counters.unauthorized, 1);
  });

  it('answers internal for any other error, keeps its details out of the ack and logs it', async () => {
    const { socket, send } = fakeSocket();
    const { ctx, errors } = context();
    handle(socket, 'join', schema, ctx, async () => {
      throw new Error('database password is hunter2');
    });
    assert.deepEqual(await send('join', [{ room: 'r' }]), [{ ok: false, error: { code: 'internal', message: 'Internal server error' } }]);
    assert.equal(errors.length, 1);
  });

  it('acks exactly once per request', async () => {
    const { socket, send } = fakeSocket();
    const { ctx } = context();
    handle(socket, 'join', schema, ctx, async () => ({}));
    assert.equal((await send('join', [{ room: 'r' }])).length, 1);
    assert.equal((await send('join', [{ room: '' }])).length, 1);
  });

  it("rate limits before parsing, by event, socket id and the socket's IP", async () => {
    const calls: string[][] = [];
    const limiter: RateLimiter = {
      async consume(event, socketId, ip) {
        calls.push([event, socketId, ip]);
        throw new SignalingError('rate_limited', 'slow down', { retryAfterMs: 1_000 });
      },
      forget() {},
    };
    const { socket, send } = fakeSocket('sock-9');
    const { ctx } = context(limiter);
    handle(socket, 'signal', schema, ctx, () => ({}));
    const [ack] = (await send('signal', ['not even an object'])) as { error: { code: string; retryAfterMs: number } }[];
    assert.equal(ack!.error.code, 'rate_limited');
    assert.equal(ack!.error.retryAfterMs, 1_000);
    assert.deepEqual(calls, [['signal', 'sock-9', '192.0.2.7']]);
    assert.equal(ctx.counters.rateLimited, 1);
    assert.equal(ctx.counters.badRequests, 0, 'the junk was never parsed');
  });

  it('does not answer a socket with too much waiting for it: the backpressure check cuts it off instead', async () => {
    const { socket, send } = fakeSocket();
    const { ctx } = context();
    const checked: unknown[] = [];
    let full = false;
    ctx.backpressure = { overflowing: (s) => (checked.push(s), full), watch() {} };
    let handled = 0;
    handle(socket, 'leave', undefined, ctx, () => (handled++, {}));
    assert.deepEqual(await send('leave', []), [{ ok: true }]);
    full = true;
    assert.deepEqual(await send('leave', []), [], 'no answer once its queue is over the bound');
    assert.deepEqual(await send('leave', [{}]), [], 'refusals are not answered either');
    assert.deepEqual(checked, [socket, socket, socket]);
    assert.equal(handled, 2);
  });

  it('never rate limits leave', async () => {
    let consumed = 0;
    const limiter: RateLimiter = {
      async consume() {
        consumed++;
      },
      forget() {},
    };
    const { socket, send } = fakeSocket();
    const { ctx } = context(limiter);
    handle(socket, 'leave', undefined, ctx, () => ({}));
    await send('leave', []);
    assert.equal(consumed, 0);
  });
});

describe('describeIssue', () => {
  it('puts the path before the message', () => {
    assert.equal(describeIssue({ issues: [{ path: ['description', 'sdp'], message: 'too long' }] }), 'description.sdp: too long');
  });

  it('cuts a long message to 200 characters', () => {
    assert.equal(describeIssue({ issues: [{ path: [], message: 'x'.repeat(500) }] }).length, 200);
  });

  it('says invalid payload when zod gave no issue', () => {
    assert.equal(describeIssue({ issues: [] }), 'invalid payload');
  });
});
