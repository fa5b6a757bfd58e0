import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MediaState } from '../../protocol/index.js';
import { RtcError } from './errors.js';
import { MEDIA_STATE_RETRY, MediaAnnouncer } from './media-announcer.js';
import { FakeClock, flush } from './testing/fake-clock.js';

function setup() {
  const clock = new FakeClock();
  const sent: MediaState[] = [];
  const errors: RtcError[] = [];
  const env = {
    state: { audio: true, video: true, screen: false } as MediaState,
    ready: true,
    /** What the next sends answer: null resolves, an error rejects. Consumed one per send. */
    answers: [] as (RtcError | null)[],
  };
  const announcer = new MediaAnnouncer({
    clock,
    random: () => 0.5,
    state: () => env.state,
    ready: () => env.ready,
    send: (state) => {
      sent.push(state);
      const answer = env.answers.shift() ?? null;
      return answer ? Promise.reject(answer) : Promise.resolve();
    },
    onError: (error) => errors.push(error),
  });
  return { clock, sent, errors, env, announcer };
}

const limited = (retryAfterMs?: number) =>
  new RtcError('rate_limited', 'slow down', retryAfterMs === undefined ? undefined : { retryAfterMs });

describe('MediaAnnouncer', () => {
  it('sends the current state', () => {
    const { sent, announcer } = setup();
    announcer.announce();
    assert.deepEqual(sent, [{ audio: true, video: true, screen: false }]);
  });

  it('sends a state once, not again until it changes', () => {
    const { sent, env, announcer } = setup();
    announcer.announce();
    announcer.announce();
    env.state = { ...env.state, audio: false };
    announcer.announce();
    assert.equal(sent.length, 2);
  });

  it('sends nothing while not ready (reconnecting), and the state once ready', () => {
    const { sent, env, announcer } = setup();
    env.ready = false;
    announcer.announce();
    assert.equal(sent.length, 0);
    env.ready = true;
    announcer.announce();
    assert.equal(sent.length, 1);
  });

  it('sends the same state again after a join', () => {
    const { sent, announcer } = setup();
    announcer.announce();
    announcer.announceAfterJoin();
    assert.equal(sent.length, 2);
  });

  it('sends again after a refusal for a passing reason', async () => {
    const { sent, env, announcer, clock } = setup();
    env.answers = [limited()];
    announcer.announce();
    await flush();
    assert.equal(announcer.retrying, true);
    clock.tick(MEDIA_STATE_RETRY.initialMs);
    assert.equal(sent.length, 2);
  });

  it('sends the state as it is then, not as it was refused', async () => {
    const { sent, env, announcer, clock } = setup();
    env.answers = [new RtcError('timeout', 'slow')];
    announcer.announce();
    await flush();
    env.state = { audio: false, video: false, screen: false };
    clock.tick(MEDIA_STATE_RETRY.initialMs);
    assert.deepEqual(sent.at(-1), { audio: false, video: false, screen: false });
  });

  it('waits at least as long as the server asks', async () => {
    const { sent, env, announcer, clock } = setup();
    env.answers = [limited(3_000)];
    announcer.announce();
    await flush();
    clock.tick(2_999);
    assert.equal(sent.length, 1);
    clock.tick(MEDIA_STATE_RETRY.initialMs + 250);
    assert.equal(sent.length, 2);
  });

  it('waits longer after each refusal', async () => {
    const { env, announcer, clock } = setup();
    env.answers = [limited(), limited()];
    announcer.announce();
    await flush();
    assert.deepEqual(clock.delays, [1_000]);
    clock.tick(1_000);
    await flush();
    assert.deepEqual(clock.delays, [2_000]);
  });

  it('reports the error once the retries are spent', async () => {
    const { sent, env, errors, announcer, clock } = setup();
    env.answers = [limited(), limited(), limited(), limited()];
    announcer.announce();
    await flush();
    for (let i = 0; i < 3; i++) {
      await clock.tickAsync(10_000);
    }
    assert.equal(sent.length, 4);
    assert.deepEqual(
      errors.map((e) => e.code),
      ['rate_limited'],
    );
    assert.equal(clock.pending, 0);
  });

  it('reports a refusal that does not pass at once, without retrying', async () => {
    const { env, errors, announcer, clock } = setup();
    env.answers = [new RtcError('not_joined', 'who?')];
    announcer.announce();
    await flush();
    assert.deepEqual(
      errors.map((e) => e.code),
      ['not_joined'],
    );
    assert.equal(clock.pending, 0);
  });

  it('lets a refused state be sent again by the next change without waiting', async () => {
    const { sent, env, announcer } = setup();
    env.answers = [new RtcError('not_joined', 'who?')];
    announcer.announce();
    await flush();
    announcer.announce();
    assert.equal(sent.length, 2);
  });

  it('replaces a pending retry when the state changes meanwhile', async () => {
    const { sent, env, announcer, clock } = setup();
    env.answers = [limited()];
    announcer.announce();
    await flush();
    env.state = { ...env.state, video: false };
    announcer.announce();
    assert.equal(sent.length, 2);
    await clock.tickAsync(10_000);
    assert.equal(sent.length, 2);
  });

  it('starts counting retries afresh after a state went through', async () => {
    const { env, announcer, clock } = setup();
    env.answers = [limited(), null, limited()];
    announcer.announce();
    await flush();
    await clock.tickAsync(1_000);
    env.state = { ...env.state, audio: false };
    announcer.announce();
    await flush();
    assert.deepEqual(clock.delays, [1_000]);
  });

  it('sends and retries nothing after close', async () => {
    const { sent, env, errors, announcer, clock } = setup();
    env.answers = [limited()];
    announcer.announce();
    announcer.close();
    await flush();
    await clock.tickAsync(60_000);
    env.state = { ...env.state, audio: false };
    announcer.announce();
    assert.equal(sent.length, 1);
    assert.equal(errors.length, 0);
  });
});
