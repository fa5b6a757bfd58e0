// `signal`: session descriptions and ICE candidates, relayed from one member to another of its room.
import { SignalingError } from '../errors.js';
import { type SignalMessage } from '../../protocol/index.js';
import { signalRequestSchema } from '../../protocol/schemas.js';
import { sdpSending } from '../sdp.js';
import { memberOf, type SignalingContext } from './context.js';
import { handle, type RtcSocket } from './handle.js';

export function registerRelay(socket: RtcSocket, context: SignalingContext): void {
  const { io, rooms, backpressure } = context;
  handle(socket, 'signal', signalRequestSchema, context, async (request) => {
    const member = memberOf(socket);
    if (!member) throw new SignalingError('not_joined', 'Join a room before signaling');
    const { id, room } = member;
    if (socket.data.publish === false && 'description' in request) {
      const sending = sdpSending(request.description.sdp);
      if (sending === 'ambiguous') {
        throw new SignalingError('bad_request', 'description: each media section takes at most one direction line, exactly a=<direction>');
      }
      if (sending === 'sends') {
        throw new SignalingError('unauthorized', 'A receive-only member cannot send audio or video (its description must be recvonly)');
      }
    }
    const target = request.to === id ? undefined : await rooms.get(room, request.to);
    if (!target) throw new SignalingError('unknown_peer', 'No such member in this room');
    if (target.away) throw new SignalingError('peer_away', 'That member is reconnecting');
    // `from` is always the sender's own id, never what the client says.
    const message: SignalMessage =
      'description' in request ? { from: id, description: request.description } : { from: id, candidate: request.candidate };
    // Straight to the socket when it is on this node (no Redis round trip); else through the adapter.
    const local = io.sockets.sockets.get(target.socketId);
    // A receiver that does not read is sent nothing more: past the bound it is cut off, and away.
    if (local && backpressure?.overflowing(local)) throw new SignalingError('peer_away', 'That member is reconnecting');
    (local ? io.local.to(target.socketId) : io.to(target.socketId)).emit('signal', message);
    return {};
  });
}
