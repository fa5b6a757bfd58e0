import type { Logger } from 'pino';
import type { AccessTokenVerifier } from '../auth/access-tokens.js';
import type { RoomStore } from '../rooms/store.js';
import type { HandleContext, RtcIo, RtcSocket } from './handle.js';

/** What every event group shares: the server, the store, and `handle`'s context. */
export interface SignalingContext extends HandleContext {
  io: RtcIo;
  rooms: RoomStore;
  logger: Logger;
  accessTokens?: AccessTokenVerifier | undefined;
  /** True once the server is closing. */
  closing(): boolean;
}

/** The member a socket is (its id and room), or null before `join` and after `leave`. */
export function memberOf(socket: RtcSocket): { id: string; room: string } | null {
  const { id, room } = socket.data;
  return id && room ? { id, room } : null;
}
