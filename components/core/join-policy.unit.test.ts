import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JoinResult } from '../../protocol/index.js';
import { RtcError } from './errors.js';
import {
  FIRST_JOIN_RETRY,
  firstJoin,
  firstJoinDecision,
  joinRequest,
  missingAfterRejoin,
  Rejoin,
  REJOIN_RETRY,
  rejoinDecision,
  toRtcError,
} from './join-policy.js';
import { FakeClock, flush } from './testing/fake-clock.js';
import { FakeSignaling, joinResult } from './testing/fake-signaling.js';

const error = (code: string, retryAfterMs?: number) =>
  new RtcError(code as never, code, retryAfterMs === undefined ? undefined : { retryAfterMs });

describe('joinRequest', () => {
  it('sends only the room when nothing else is set', () => {
    assert.deepEqual(joinRequest({ room: 'r' }), { room: 'r' });
  });

  it('sends name, capacity and token when given', () => {
    assert.deepEqual(joinRequest({ room: 'r', name: 'Ann', capacity: 4, token: 't' }), { room: 'r', name: 'Ann', capacity: 4, token: 't' });
  });

  it('leaves out an empty name', () => {
    assert.deepEqual(joinRequest({ room: 'r', name: '' }), { room: 'r' });
  });

  it('adds the resume token for a rejoin', () => {
    assert.deepEqual(joinRequest({ room: 'r' }, 'secret'), { room: 'r', resume: 'secret' });
  });
});

describe('firstJoinDecision', () => {
  for (const code of ['timeout', 'unavailable', 'internal', 'rate_limited']) {
    it(`tries a first join refused with ${code} again`, () => {
      assert.equal(firstJoinDecision(error(code), false).retry, true);
    });
  }

  for (const code of ['room_full', 'unauthorized', 'bad_request']) {
    it(`gives up a first join refused with ${code}`, () => {
      assert.equal(firstJoinDecision(error(code), false).retry, false);
    });
  }

  it('leaves before retrying a join that timed out (it may have got in)', () => {
    assert.deepEqual(firstJoinDecision(error('timeout'), false), { retry: true, leaveFirst: true });
  });

  it('takes already_joined right after a timeout as passing', () => {
    assert.deepEqual(firstJoinDecision(error('already_joined'), true), { retry: true, leaveFirst: true });
  });

  it('takes already_joined out of the blue as fatal', () => {
    assert.equal(firstJoinDecision(error('already_joined'), false).retry, false);
  });

  it('does not leave before retrying a rate-limited join', () => {
    assert.deepEqual(firstJoinDecision(error('rate_limited'), true), { retry: true, leaveFirst: false });
  });
});

describe('rejoinDecision', () => {
  for (const code of ['room_full', 'bad_request', 'already_joined', 'unauthorized']) {
    it(`ends the call when a rejoin is refused with ${code}`, () => {
      assert.equal(rejoinDecision(error(code)), 'fatal');
    });
  }

  it('tries a rejoin again after unavailable', () => {
    assert.equal(rejoinDecision(error('unavailable')), 'retry');
  });
});

describe('missingAfterRejoin', () => {
  it('lists the members we hold a link to that the room no longer lists', () => {
    assert.deepEqual(missingAfterRejoin(['a', 'b', 'c'], [{ id: 'b', name: '' }]), ['a', 'c']);
  });

  it('lists nobody when everyone is back', () => {
    assert.deepEqual(
      missingAfterRejoin(
        ['a'],
        [
          { id: 'a', name: '' },
          { id: 'z', name: '' },
        ],
      ),
      [],
    );
  });
});

describe('toRtcError', () => {
  it('keeps an RtcError as it is', () => {
    const e = error('timeout');
    assert.equal(toRtcError(e), e);
  });

  it('wraps anything else as internal with the cause', () => {
    const cause = new Error('boom');
    const wrapped = toRtcError(cause);
    assert.equal(wrapped.code, 'internal');
    assert.equal(wrapped.cause, cause);
  });
});

describe('firstJoin', () => {
  function setup(answers: (RtcError | JoinResult)[]) {
    const clock = new FakeClock();
    const signaling = new FakeSignaling();
    signaling.onJoin = async () => {
      const answer = answers.shift() ?? joinResult();
      if (answer instanceof RtcError) throw answer;
      return answer;
    };
    const retried: string[] = [];
    const abort = new AbortController();
    const joined = firstJoin(
      signaling,
      { room: 'r' },
      { clock, random: () => 0.5, onRetry: (e) => retried.push(e.code), signal: abort.signal },
    );
    return { clock, signaling, retried, abort, joined };
  }

  it('resolves with the answer of a join that works', async () => {
    const { joined } = setup([joinResult({ id: 'x' })]);
    assert.equal((await joined)!.id, 'x');
  });

  it('tries again after the backoff, reporting each passing refusal', async () => {
    const { joined, clock, retried, signaling } = setup([error('unavailable'), error('unavailable'), joinResult({ id: 'x' })]);
    await flush();
    assert.equal(signaling.joins.length, 1);
    await clock.tickAsync(FIRST_JOIN_RETRY.initialMs);
    assert.equal(signaling.joins.length, 2);
    await clock.tickAsync(FIRST_JOIN_RETRY.initialMs * 2);
    assert.equal((await joined)!.id, 'x');
    assert.deepEqual(retried, ['unavailable', 'unavailable']);
  });

  it('rejects with the first refusal that does not pass', async () => {
    const { joined } = setup([error('room_full')]);
    await assert.rejects(joined, { code: 'room_full' });
  });

  it('waits what a rate_limited answer names before trying again', async () => {
    const { clock, signaling } = setup([error('rate_limited', 5_000)]);
    await flush();
    await clock.tickAsync(4_999);
    assert.equal(signaling.joins.length, 1);
    await clock.tickAsync(300);
    assert.equal(signaling.joins.length, 2);
  });

  it('leaves before the next attempt after a timeout', async () => {
    const { clock, signaling } = setup([error('timeout')]);
    await flush();
    await clock.tickAsync(FIRST_JOIN_RETRY.initialMs);
    assert.equal(signaling.leaves, 1);
    assert.equal(signaling.joins.length, 2);
  });

  it('resolves null, without another attempt, once aborted during the wait', async () => {
    const { joined, abort, clock, signaling } = setup([error('unavailable')]);
    await flush();
    abort.abort();
    assert.equal(await joined, null);
    await clock.tickAsync(60_000);
    assert.equal(signaling.joins.length, 1);
  });
});

describe('Rejoin', () => {
  function setup() {
    const clock = new FakeClock();
    const signaling = new FakeSignaling();
    signaling.connected = true;
    const log: string[] = [];
    const rejoin = new Rejoin({
      clock,
      random: () => 0.5,
      request: () => ({ room: 'r', resume: 'token' }),
      joined: (result, downtimeMs) => log.push(`joined:${result.id}:${downtimeMs}`),
      refused: (e, fatal) => log.push(`refused:${e.code}:${fatal}`),
    });
    return { clock, signaling, log, rejoin };
  }

  it('joins with the resume token and says how long the connection was away', async () => {
    const { clock, signaling, log, rejoin } = setup();
    rejoin.dropped();
    clock.tick(1_234);
    rejoin.start(signaling);
    await flush();
    assert.deepEqual(signaling.joins, [{ room: 'r', resume: 'token' }]);
    assert.deepEqual(log, ['joined:me:1234']);
  });

  it('tries a refused rejoin again after the backoff while connected', async () => {
    const { clock, signaling, log, rejoin } = setup();
    signaling.onJoin = async () => {
      if (signaling.joins.length === 1) throw error('unavailable');
      return joinResult();
    };
    rejoin.start(signaling);
    await flush();
    assert.deepEqual(clock.delays, [REJOIN_RETRY.initialMs]);
    await clock.tickAsync(REJOIN_RETRY.initialMs);
    assert.deepEqual(log, ['refused:unavailable:false', 'joined:me:2000']);
  });

  it('waits at least what the server names', async () => {
    const { clock, signaling, rejoin } = setup();
    signaling.onJoin = async () => {
      throw error('rate_limited', 7_000);
    };
    rejoin.start(signaling);
    await flush();
    assert.ok(clock.delays[0]! >= 7_000);
  });

  it('does not retry while disconnected (the next restore starts again)', async () => {
    const { clock, signaling, rejoin } = setup();
    signaling.onJoin = async () => {
      signaling.connected = false;
      throw error('timeout');
    };
    rejoin.start(signaling);
    await flush();
    assert.equal(clock.pending, 0);
  });

  it('stops at a fatal refusal', async () => {
    const { clock, signaling, log, rejoin } = setup();
    signaling.onJoin = async () => {
      throw error('room_full');
    };
    rejoin.start(signaling);
    await flush();
    assert.deepEqual(log, ['refused:room_full:true']);
    assert.equal(clock.pending, 0);
  });

  it('ignores an answer that arrives after cancel', async () => {
    const { signaling, log, rejoin } = setup();
    rejoin.start(signaling);
    rejoin.cancel();
    await flush();
    assert.deepEqual(log, []);
  });

  it('drops a pending retry on cancel', async () => {
    const { clock, signaling, rejoin } = setup();
    signaling.onJoin = async () => {
      throw error('unavailable');
    };
    rejoin.start(signaling);
    await flush();
    rejoin.cancel();
    await clock.tickAsync(60_000);
    assert.equal(signaling.joins.length, 1);
  });

  it('lets only the latest attempt count when started twice', async () => {
    const { signaling, log, rejoin } = setup();
    let n = 0;
    signaling.onJoin = async () => joinResult({ id: `id${++n}` });
    rejoin.start(signaling);
    rejoin.start(signaling);
    await flush();
    assert.deepEqual(log, ['joined:id2:0']);
  });
});
