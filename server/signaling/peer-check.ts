// `peer-check`: a member whose connection to another went quiet asks whether that member is still there,
// or tells it that it gave its connection up (`unreachable`).
import { SignalingError } from '../errors.js';
import { peerCheckRequestSchema } from '../../protocol/schemas.js';
import { memberOf, type SignalingContext } from './context.js';
import { handle, type RtcIo, type RtcSocket } from './handle.js';

/** How long a member's socket has to answer the server's `peer-check` before it is disconnected. */
export const PEER_CHECK_TIMEOUT_MS = 2_000;

/** Whether a socket answers in time; probes in flight are shared. */
export type Probe = (socketId: string) => Promise<boolean>;

/**
 * Whether the socket answers a `peer-check` within PEER_CHECK_TIMEOUT_MS (on any node, through
 * the adapter). One that does not is disconnected: the member is then away, as after any drop.
 * Members that check the same socket at once share one probe.
 */
export function createProbe(io: RtcIo): Probe {
  const probes = new Map<string, Promise<boolean>>();
  return (socketId) => {
    let pending = probes.get(socketId);
    if (!pending) {
      pending = io
        .to(socketId)
        .timeout(PEER_CHECK_TIMEOUT_MS)
        .emitWithAck('peer-check')
        // no answer at all (the socket is on no node) is no sign of life either
        .then(
          (answers) => answers.length > 0,
          () => false,
        )
        .then((alive) => {
          if (!alive) io.in(socketId).disconnectSockets(true);
          return alive;
        })
        .finally(() => probes.delete(socketId));
      probes.set(socketId, pending);
    }
    return pending;
  };
}

export function registerPeerCheck(socket: RtcSocket, context: SignalingContext, probe: Probe): void {
  handle(socket, 'peer-check', peerCheckRequestSchema, context, async ({ id: target, unreachable }) => {
    const member = memberOf(socket);
    if (!member) throw new SignalingError('not_joined', 'Join a room before checking a peer');
    // Members of other rooms and of none look alike: the answer says nothing about other rooms.
    const other = target === member.id ? undefined : await context.rooms.get(member.room, target);
    if (!other) throw new SignalingError('not_in_room', 'No other member with that id in this room');
    if (other.away) return { alive: false }; // already gone: its grace period runs
    if (unreachable) {
      // The sender gave up its peer connection to `other`: `other` closes its side too (no empty
      // tile on either side). `from` is the sender's own id, as on every relayed message.
      context.io.to(other.socketId).emit('peer-unreachable', { from: member.id });
      return { alive: true };
    }
    return { alive: await probe(other.socketId) };
  });
}
