// `sfu-signal` and `room-message`: the events of SFU rooms. Without an SFU configured every room is
// a mesh room, so both are refused with a clear answer (members signal each other with `signal`).
import { SignalingError } from '../errors.js';
import { roomMessageRequestSchema, sfuSignalRequestSchema } from '../../protocol/index.js';
import { memberOf, type SignalingContext } from './context.js';
import { handle, type RtcSocket } from './handle.js';

export function registerSfu(socket: RtcSocket, context: SignalingContext): void {
  const meshOnly = (): never => {
    const member = memberOf(socket);
    if (!member) throw new SignalingError('not_joined', 'Join a room first');
    throw new SignalingError('bad_request', `Room '${member.room}' is a mesh room: signal its members with 'signal'`);
  };
  handle(socket, 'sfu-signal', sfuSignalRequestSchema, context, async () => meshOnly());
  handle(socket, 'room-message', roomMessageRequestSchema, context, async () => meshOnly());
}
