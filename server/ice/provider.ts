import type { IceServer } from '../protocol.js';

/** Who is asking, so that providers can put it in credentials (TURN REST usernames). */
export interface IceRequestContext {
  room: string;
  peerId: string;
}

export interface IceServersResult {
  iceServers: IceServer[];
  /** Unix time in ms after which the credentials stop working; null: never. */
  expiresAt: number | null;
  /** True when a provider fell back to its static list because its source failed. */
  degraded?: boolean;
}

/** Where room members' STUN/TURN servers come from. One implementation per file in this folder. */
export interface IceServerProvider {
  /** Shown in the start log and `/healthz`. */
  readonly name: string;
  getIceServers(context: IceRequestContext): Promise<IceServersResult>;
}
