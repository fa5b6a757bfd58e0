// ICE servers for members (`ice-servers`, and in the join answer) and for a setup check (`preflight`).
import { randomBytes } from 'node:crypto';
import { UNAUTHORIZED_MESSAGE } from '../auth/access-tokens.js';
import { SignalingError } from '../errors.js';
import type { IceServerProvider } from '../ice/provider.js';
import { PROTOCOL_VERSION, type IceServersGrant } from '../../protocol/index.js';
import { preflightRequestSchema, refreshTokenRequestSchema } from '../../protocol/schemas.js';
import { memberOf, type SignalingContext } from './context.js';
import { handle, type RtcSocket } from './handle.js';

/**
 * The ICE servers for one member of a room, as the protocol hands them out; `notAfter` (Unix ms,
 * when the member's access token expires): the credentials are to stop working by then.
 */
export type IceGrant = (room: string, memberId: string, notAfter?: number) => Promise<IceServersGrant>;

export function createIceGrant(iceProvider: IceServerProvider): IceGrant {
  return async (room, memberId, notAfter) => {
    const ice = await iceProvider.getIceServers({ room, peerId: memberId, ...(notAfter !== undefined ? { notAfter } : {}) });
    return {
      iceServers: ice.iceServers,
      iceServersExpireAt: ice.expiresAt,
      ...(ice.degraded ? { iceServersDegraded: true as const } : {}),
    };
  };
}

/** `preflight`, `ice-servers` and `refresh-token` on one socket. */
export function registerIce(socket: RtcSocket, context: SignalingContext, grant: IceGrant): void {
  const { accessTokens, rooms } = context;

  handle(socket, 'preflight', preflightRequestSchema, context, async ({ room, token }) => {
    // The same servers a join would hand out, under the same conditions as a join (the same
    // token), for a one-off identity: no member is created and nobody is told.
    const access = accessTokens ? await accessTokens.verify(token, room) : undefined;
    return { protocol: PROTOCOL_VERSION, ...(await grant(room, `preflight-${randomBytes(8).toString('hex')}`, access?.expiresAt)) };
  });

  handle(socket, 'ice-servers', undefined, context, async () => {
    const member = memberOf(socket);
    if (!member) throw new SignalingError('not_joined', 'ICE servers are for room members: join first');
    // Fresh (paid) TURN credentials need a token that is still valid: join again with a new one.
    if (socket.data.tokenExpiresAt !== undefined && Date.now() >= socket.data.tokenExpiresAt) {
      throw new SignalingError('unauthorized', UNAUTHORIZED_MESSAGE);
    }
    return grant(member.room, member.id, socket.data.tokenExpiresAt);
  });

  handle(socket, 'refresh-token', refreshTokenRequestSchema, context, async ({ token }) => {
    const member = memberOf(socket);
    if (!member) throw new SignalingError('not_joined', 'A token refresh is for room members: join first');
    if (accessTokens) {
      // Checked as at join (signature, exp, room), then held to the seat it is for.
      const access = await accessTokens.verify(token, member.room);
      const seat = await rooms.get(member.room, member.id);
      if (!seat || memberOf(socket)?.id !== member.id) throw new SignalingError('not_joined', 'Left before the token was checked');
      if (seat.sub !== access.sub) {
        throw new SignalingError('unauthorized', 'The new access token names another identity (sub): join with it instead');
      }
      if (access.publish !== (socket.data.publish ?? true)) {
        throw new SignalingError('unauthorized', 'The new access token changes whether this member may send media: join with it instead');
      }
      socket.data.tokenExpiresAt = access.expiresAt;
    }
    return grant(member.room, member.id, socket.data.tokenExpiresAt);
  });
}
