// Who is in a room, as the others see it: leaving (`leave` or a deliberate disconnect), dropping
// (away, then gone after the grace period), and media state.
import { SignalingError } from '../errors.js';
import { mediaStateSchema } from '../../protocol/schemas.js';
import type { Admission } from '../rooms/store.js';
import { memberOf, type SignalingContext } from './context.js';
import { handle, type RtcSocket } from './handle.js';
import { memberKey } from '../rooms/member-key.js';

export interface Presence {
  /** The member is back (or joined): its grace timer, if any, stops. */
  comeBack(room: string, id: string): void;
  /** Removes the member (only while on `socketId`, when given) and tells the others `peer-left`. */
  remove(room: string, id: string, socketId?: string): Promise<void>;
  /** The socket's member leaves its room; false when it was in none. */
  leave(socket: RtcSocket): Promise<boolean>;
  /** Members of dead nodes that an admission removed: the members left behind hear they left. */
  announcePurged(purged?: Admission['purged']): void;
  /** `leave`, `media-state` and the disconnect of one socket. */
  register(socket: RtcSocket): void;
  /** Stops the grace timers. */
  close(): void;
}

export function createPresence(context: SignalingContext, { reconnectGraceMs }: { reconnectGraceMs: number }): Presence {
  const { io, rooms, logger, rateLimiter } = context;
  /** Members whose connection dropped, by member key: removed when the timer fires. */
  const away = new Map<string, NodeJS.Timeout>();

  const comeBack = (room: string, id: string) => {
    const key = memberKey(room, id);
    clearTimeout(away.get(key));
    away.delete(key);
  };

  const remove = async (room: string, id: string, socketId?: string) => {
    comeBack(room, id);
    for (const member of await rooms.remove(room, id, socketId)) io.to(member.socketId).emit('peer-left', { id });
  };

  const announcePurged = (purged: Admission['purged'] = []) => {
    for (const { id, others } of purged) for (const member of others) io.to(member.socketId).emit('peer-left', { id });
  };

  const leave = async (socket: RtcSocket) => {
    const member = memberOf(socket);
    if (!member) return false;
    socket.data = { ip: socket.data.ip };
    await remove(member.room, member.id);
    return true;
  };

  /** Store failures on disconnect paths have no ack to go to: they are logged. */
  const logged = (promise: Promise<unknown>) => void promise.catch((error: unknown) => logger.error({ err: error }, 'room store failed'));

  /** A deliberate disconnect: the member leaves at once (only while on this socket), as with `leave`. */
  const depart = async (socket: RtcSocket) => {
    const member = memberOf(socket);
    if (!member) return;
    socket.data = { ip: socket.data.ip };
    await remove(member.room, member.id, socket.id);
  };

  /** A dropped connection keeps the member's place for the grace period; the others hear `peer-away`. */
  const drop = async (socket: RtcSocket) => {
    const member = memberOf(socket);
    if (!member || context.closing()) return;
    const { id, room } = member;
    socket.data = { ip: socket.data.ip };
    if (reconnectGraceMs <= 0) return remove(room, id, socket.id);
    // If the store cannot say (Redis away), the timer still runs: its removal checks the socket.
    const marked = await rooms.markAway(room, id, socket.id).catch((error: unknown) => {
      logger.warn({ err: error, room, id }, 'could not mark a member away');
      return true;
    });
    if (!marked) return; // already back on another socket
    const key = memberKey(room, id);
    away.set(
      key,
      setTimeout(() => {
        away.delete(key);
        logged(remove(room, id, socket.id));
      }, reconnectGraceMs).unref(),
    );
    for (const other of await rooms.members(room)) if (other.id !== id) io.to(other.socketId).emit('peer-away', { id });
  };

  return {
    comeBack,
    remove,
    leave,
    announcePurged,
    register(socket) {
      handle(socket, 'media-state', mediaStateSchema, context, async (media) => {
        const member = memberOf(socket);
        if (!member) throw new SignalingError('not_joined', 'Join a room before sending media state');
        // A receive-only member sends no media, whatever it says.
        if (socket.data.publish === false) media = { audio: false, video: false, screen: false };
        for (const other of await rooms.setMedia(member.room, member.id, media)) {
          io.to(other.socketId).emit('media-state', { from: member.id, ...media });
        }
        return {};
      });

      handle(socket, 'leave', undefined, context, async () => {
        if (!(await leave(socket))) throw new SignalingError('not_joined', 'Not in a room');
        return {};
      });

      socket.on('disconnect', (reason) => {
        // A client that closed its socket on purpose (`socket.disconnect()`) has left: the others
        // hear it now. Any other end (transport closed, ping timeout, server side) is a drop.
        logged(reason === 'client namespace disconnect' ? depart(socket) : drop(socket));
        rateLimiter?.forget(socket.id);
      });
    },
    close() {
      for (const timer of away.values()) clearTimeout(timer);
      away.clear();
    },
  };
}
