// A room store that becomes available later (the Redis one, connected after a dynamic import).
import { SignalingError } from '../errors.js';
import type { RoomStore } from './store.js';

/**
 * Calls wait for the store; if it never comes, they fail with `unavailable`. Until it has come,
 * `health()` says not ok.
 */
export function deferredStore(pending: Promise<RoomStore>): RoomStore {
  let resolved: RoomStore | undefined;
  const store = pending.then(
    (s) => (resolved = s),
    (error: unknown) => {
      throw new SignalingError('unavailable', 'Room state is unavailable; try again', { cause: error });
    },
  );
  store.catch(() => {}); // rejections reach the callers, not the process
  return {
    admit: async (room, member, capacity, options) => (await store).admit(room, member, capacity, options),
    remove: async (room, id, socketId) => (await store).remove(room, id, socketId),
    get: async (room, id) => (await store).get(room, id),
    members: async (room) => (await store).members(room),
    markAway: async (room, id, socketId) => (await store).markAway(room, id, socketId),
    setMedia: async (room, id, media) => (await store).setMedia(room, id, media),
    stats: async () => (await store).stats(),
    health: () => resolved?.health() ?? { ok: false },
    onPurge: (listener) =>
      void store.then(
        (s) => s.onPurge?.(listener),
        () => {},
      ),
  };
}
