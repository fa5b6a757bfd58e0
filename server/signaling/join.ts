// `join`: admission into a room (new, or back as the same member with its resume token).
import { createHash, randomBytes } from 'node:crypto';
import { SignalingError } from '../errors.js';
import { joinRequestSchema, type JoinResult } from '../../protocol/index.js';
import { peerInfo, type Admission, type Member } from '../rooms/store.js';
import type { SignalingContext } from './context.js';
import { handle, type RtcSocket } from './handle.js';
import type { IceGrant } from './ice.js';
import type { Presence } from './presence.js';

/**
 * A member's id is derived from its secret resume token, so only the holder of the token can come
 * back as that member, on this server after a restart or on another one, with no state kept.
 */
export function memberIdFor(resumeToken: string): string {
  return createHash('sha256').update(resumeToken).digest('base64url').slice(0, 22);
}

export interface JoinOptions {
  roomCapacity: number;
  reconnectGraceMs: number;
  presence: Presence;
  grant: IceGrant;
  /** Sockets whose `join` is waiting for the token check or the store (a second `join` meanwhile is `already_joined`). */
  joining: Set<string>;
}

const leftEarly = () => new SignalingError('not_joined', 'Left before the join completed');

export function registerJoin(socket: RtcSocket, context: SignalingContext, options: JoinOptions): void {
  const { io, rooms, logger, accessTokens } = context;
  const { roomCapacity, reconnectGraceMs, presence, grant, joining } = options;

  /** The member is back on a new connection while the old one lingers: the old one goes quietly. */
  const dropPrevious = (previousSocketId: string) => {
    const previous = io.sockets.sockets.get(previousSocketId);
    if (previous) {
      previous.data = { ip: previous.data.ip };
      previous.disconnect(true);
    } else {
      io.in(previousSocketId).disconnectSockets(true); // on another node (through the adapter)
    }
  };

  handle(socket, 'join', joinRequestSchema, context, async ({ room, name = '', capacity, resume, token }): Promise<JoinResult> => {
    if (context.closing())
      throw new SignalingError('unavailable', 'The server is shutting down; join again once reconnected (to another instance)');
    if (socket.data.id || joining.has(socket.id))
      throw new SignalingError('already_joined', `Already in room '${socket.data.room ?? room}'; leave first`);
    const resumeToken = resume ?? randomBytes(32).toString('base64url');
    const id = memberIdFor(resumeToken);
    joining.add(socket.id);
    let access: Awaited<ReturnType<NonNullable<typeof accessTokens>['verify']>> | undefined;
    let member: Member;
    let admission: Admission;
    try {
      access = accessTokens ? await accessTokens.verify(token, room) : undefined;
      if (!socket.connected) throw leftEarly();
      // With a token, who the member is comes from the token: its sub, and its name when it has one.
      member = {
        id,
        name: access?.name ?? name,
        socketId: socket.id,
        ...(access ? { sub: access.sub } : {}),
        ...(access?.publish === false ? { publish: false as const } : {}),
      };
      // A client may lower a new room's capacity, never raise it above the server's.
      admission = await rooms.admit(room, member, Math.min(capacity ?? roomCapacity, roomCapacity));
    } finally {
      joining.delete(socket.id);
    }
    presence.announcePurged(admission.purged);
    if (!admission.ok) throw new SignalingError('room_full', `Room '${room}' is full (${admission.capacity} members)`);
    if (!socket.connected) {
      await presence.remove(room, id, socket.id); // it went while the store answered: no ghost left behind
      throw leftEarly();
    }
    presence.comeBack(room, id);
    if (admission.previousSocketId && admission.previousSocketId !== socket.id) dropPrevious(admission.previousSocketId);
    const others = admission.peers;
    socket.data = { ...socket.data, id, room, publish: access?.publish ?? true, ...(access ? { tokenExpiresAt: access.expiresAt } : {}) };
    let ice;
    try {
      ice = await grant(room, id);
    } catch (error) {
      await presence.leave(socket);
      throw error;
    }
    if (!socket.connected || socket.data.id !== id) throw leftEarly();
    // Those who were there before (and still are) hear of the newcomer before it hears back,
    // so its first offer never reaches a member that does not know it.
    // Their latest media state too: one may have changed it while the ICE servers were fetched.
    const present = new Map((await rooms.members(room)).map((m) => [m.id, m]));
    const members = others.flatMap((other) => {
      const m = present.get(other.id);
      return m ? [peerInfo(m)] : [];
    });
    const self = peerInfo(member);
    for (const other of members) io.to(present.get(other.id)!.socketId).emit('peer-joined', self);
    logger.debug({ room, id, resumed: !!admission.previousSocketId }, 'joined');
    const { id: _id, ...identity } = self;
    // `peers` is the wire's name for the other members (protocol v1 keeps it).
    return { id, ...identity, room, capacity: admission.capacity, peers: members, resumeToken, reconnectGraceMs, ...ice };
  });
}
