// Which members left their room for good, seen at the room store: `remove` (leave, a deliberate
// disconnect, a grace period that ran out) and the seats an admission released (one seat per
// identity, the cap per IP). The SFU then drops their Janus handles.
import type { RoomStore } from '../rooms/store.js';

/** The store, telling `gone` of each member it removed. */
export function watchRemovals(rooms: RoomStore, gone: (room: string, id: string) => void): RoomStore {
  return {
    async admit(room, member, capacity, options) {
      const admission = await rooms.admit(room, member, capacity, options);
      if (admission.ok) for (const released of admission.released ?? []) gone(room, released.member.id);
      return admission;
    },
    async remove(room, id, socketId) {
      const left = await rooms.remove(room, id, socketId);
      // Nothing removed (it came back on another socket, or was gone) reads the same as the last one out: ask.
      if (!(await rooms.get(room, id))) gone(room, id);
      return left;
    },
    get: (room, id) => rooms.get(room, id),
    members: (room) => rooms.members(room),
    setMedia: (room, id, media) => rooms.setMedia(room, id, media),
    markAway: (room, id, socketId) => rooms.markAway(room, id, socketId),
    stats: () => rooms.stats(),
    health: () => rooms.health(),
    ...(rooms.onPurge ? { onPurge: (listener) => rooms.onPurge!(listener) } : {}),
  };
}
