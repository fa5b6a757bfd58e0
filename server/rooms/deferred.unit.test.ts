// A store that comes later: calls wait for it, fail with `unavailable` if it never comes, and its
// health is not ok until it is there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignalingError } from '../errors.js';
import { deferredStore } from './deferred.js';
import { Rooms } from './memory.js';
import type { RoomStore } from './store.js';

/** A promise and its resolve/reject. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('deferredStore', () => {
  it('waits for the store and then answers with it', async () => {
    const later = pending<RoomStore>();
    const store = deferredStore(later.promise);
    const admission = store.admit('r', { id: 'a', name: 'A', socketId: 's' }, 4);
    later.resolve(new Rooms());
    assert.deepEqual(await admission, { ok: true, peers: [], capacity: 4 });
    assert.equal((await store.members('r')).length, 1);
  });

  it('fails every call with `unavailable` when the store never comes, keeping the cause', async () => {
    const cause = new Error('could not reach Redis');
    const store = deferredStore(Promise.reject(cause));
    await assert.rejects(store.stats(), (error: unknown) => {
      assert.ok(error instanceof SignalingError);
      assert.equal(error.code, 'unavailable');
      assert.equal(error.cause, cause);
      return true;
    });
  });

  it('is not healthy until the store has come, then reports the store’s health', async () => {
    const later = pending<RoomStore>();
    const store = deferredStore(later.promise);
    assert.deepEqual(store.health(), { ok: false });
    const real: RoomStore = Object.assign(new Rooms(), { health: () => ({ ok: true, node: 'n1' }) });
    later.resolve(real);
    await store.stats();
    assert.deepEqual(store.health(), { ok: true, node: 'n1' });
  });

  it('stays unhealthy when the store never comes', async () => {
    const store = deferredStore(Promise.reject(new Error('no')));
    await store.stats().catch(() => {});
    assert.deepEqual(store.health(), { ok: false });
  });

  it('hands a purge listener to the store once it has come', async () => {
    const later = pending<RoomStore>();
    const store = deferredStore(later.promise);
    const listeners: unknown[] = [];
    const listener = () => {};
    store.onPurge!(listener);
    later.resolve(Object.assign(new Rooms(), { onPurge: (l: unknown) => void listeners.push(l) }));
    await store.stats();
    assert.deepEqual(listeners, [listener]);
  });
});
