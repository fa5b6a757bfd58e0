// `sfu-signal` and `room-message`: the events of SFU rooms. A member of an SFU room signals its two
// links to the server's SFU (server/sfu/) and sends its data messages through the server; a member
// of a mesh room (every room, without an SFU) is refused with a clear answer.
import { SignalingError } from '../errors.js';
import { roomMessageRequestSchema, sfuSignalRequestSchema } from '../../protocol/schemas.js';
import type { Sfu } from '../sfu/service.js';
import { memberOf, type SignalingContext } from './context.js';
import { handle, type RtcSocket } from './handle.js';

export function registerSfu(socket: RtcSocket, context: SignalingContext, sfu: Sfu | undefined): void {
  const { io, rooms } = context;
  /** The sender as a member of an SFU room (on this node, where its links are). */
  const sfuMember = () => {
    const member = memberOf(socket);
    if (!member) throw new SignalingError('not_joined', 'Join a room first');
    if (!sfu?.has(member.room, member.id)) {
      throw new SignalingError('bad_request', `Room '${member.room}' is a mesh room: signal its members with 'signal'`);
    }
    return member;
  };
  handle(socket, 'sfu-signal', sfuSignalRequestSchema, context, async (request) => {
    const { room, id } = sfuMember();
    await sfu!.signal(room, id, request);
    return {};
  });
  handle(socket, 'room-message', roomMessageRequestSchema, context, async ({ text }) => {
    const { room, id } = sfuMember();
    // Every other member, on this node or another (through the adapter); `from` is stamped here.
    for (const other of await rooms.members(room)) {
      if (other.id !== id && !other.away) io.to(other.socketId).emit('room-message', { from: id, text });
    }
    return {};
  });
}
