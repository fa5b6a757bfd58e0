// `join`: admission into a room (new, or back as the same member with its resume token).
import { createHash, randomBytes } from 'node:crypto';
import { SignalingError } from '../errors.js';
import { type JoinResult } from '../../protocol/index.js';
import { joinRequestSchema } from '../../protocol/schemas.js';
import type { AccessGrant } from '../auth/access-tokens.js';
import { peerInfo, type Admission, type Member, type Released } from '../rooms/store.js';
import type { SignalingContext } from './context.js';
import { handle, type RtcSocket } from './handle.js';
import type { IceGrant } from './ice.js';
import type { Presence } from './presence.js';
import type { Sfu } from '../sfu/service.js';

/**
 * A member's id is derived from its secret resume token, so only the holder of the token can come
 * back as that member, on this server after a restart or on another one, with no state kept. The
 * room and the access token's `sub` go into it too: a resume token names a seat only in its own
 * room and for its own identity; used elsewhere it is a fresh join (another id). (Room names and
 * subs hold no newline, so the input is unambiguous.)
 */
export function memberIdFor(room: string, sub: string | undefined, resumeToken: string): string {
  return createHash('sha256')
    .update(`${room}\n${sub ?? ''}\n${resumeToken}`)
    .digest('base64url')
    .slice(0, 22);
}

export interface JoinOptions {
  roomCapacity: number;
  reconnectGraceMs: number;
  /** Without access tokens: seats one IP may hold in grace in a room (a new seat from it releases its oldest); 0: no cap. */
  graceSeatsPerIp: number;
  presence: Presence;
  grant: IceGrant;
  /** Sockets whose `join` is waiting for the token check or the store (a second `join` meanwhile is `already_joined`). */
  joining: Set<string>;
  /** With an SFU (`janusUrl`): rooms whose capacity is above `meshMax` are SFU rooms. */
  sfu?: { service: Sfu; meshMax: number } | undefined;
}

/** A room's mode follows from its capacity, fixed for its life (so any node, with any store, agrees). */
export function roomMode(capacity: number, sfu: JoinOptions['sfu']): 'mesh' | 'sfu' {
  return sfu && capacity > sfu.meshMax ? 'sfu' : 'mesh';
}

const leftEarly = () => new SignalingError('not_joined', 'Left before the join completed');

export function registerJoin(socket: RtcSocket, context: SignalingContext, options: JoinOptions): void {
  const { io, rooms, logger, accessTokens } = context;
  const { roomCapacity, reconnectGraceMs, graceSeatsPerIp, presence, grant, joining } = options;

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

  /**
   * Seats the admission released for the newcomer: the others hear `peer-left`. A connected one is
   * the same identity's seat taken over: its socket hears so (`seat-taken`) before it is closed.
   */
  const release = (room: string, released: Released) => {
    for (const { member } of released) {
      presence.comeBack(room, member.id); // its grace timer, if any, has nothing left to remove
      if (member.away) continue;
      io.to(member.socketId).emit('seat-taken', { room });
      dropPrevious(member.socketId);
    }
    presence.announcePurged(released.map(({ member, others }) => ({ id: member.id, others })));
  };

  handle(socket, 'join', joinRequestSchema, context, async ({ room, name = '', capacity, resume, token }): Promise<JoinResult> => {
    if (context.closing())
      throw new SignalingError('unavailable', 'The server is shutting down; join again once reconnected (to another instance)');
    if (socket.data.id || joining.has(socket.id))
      throw new SignalingError('already_joined', `Already in room '${socket.data.room ?? room}'; leave first`);
    const resumeToken = resume ?? randomBytes(32).toString('base64url');
    joining.add(socket.id);
    let access: AccessGrant | undefined;
    let id: string;
    let member: Member;
    let admission: Admission;
    try {
      access = accessTokens ? await accessTokens.verify(token, room) : undefined;
      if (!socket.connected) throw leftEarly();
      id = memberIdFor(room, access?.sub, resumeToken);
      // With a token, who the member is comes from the token: its sub, and its name when it has one.
      // Without one, its IP, for the cap on seats held in grace per IP.
      const ip = !access && graceSeatsPerIp > 0 ? socket.data.ip : undefined;
      member = {
        id,
        name: access?.name ?? name,
        socketId: socket.id,
        ...(access ? { sub: access.sub } : {}),
        ...(access?.publish === false ? { publish: false as const } : {}),
        ...(ip !== undefined ? { ip } : {}),
      };
      // A client may lower a new room's capacity, never raise it above the server's.
      admission = await rooms.admit(room, member, Math.min(capacity ?? roomCapacity, roomCapacity), {
        resume: resume !== undefined,
        graceSeatsPerIp,
      });
    } finally {
      joining.delete(socket.id);
    }
    presence.announcePurged(admission.purged);
    if (admission.ok && admission.released) release(room, admission.released);
    if (!admission.ok && admission.taken) {
      throw new SignalingError('already_joined', `Joined room '${room}' again elsewhere with the same identity: this seat was taken over`);
    }
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
      ice = await grant(room, id, access?.expiresAt); // TURN credentials never outlive the token
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
    logger.debug({ room, id, resumed: !!admission.previousSocketId, released: admission.released?.length ?? 0 }, 'joined');
    const { id: _id, ...identity } = self;
    const mode = roomMode(admission.capacity, options.sfu);
    if (mode === 'sfu') options.sfu!.service.join(room, admission.capacity, { id, socketId: socket.id, publish: access?.publish ?? true });
    // `peers` is the wire's name for the other members (protocol v1 keeps it).
    return { id, ...identity, room, mode, capacity: admission.capacity, peers: members, resumeToken, reconnectGraceMs, ...ice };
  });
}
