import type { IceServer } from '../../protocol/index.js';

/** Who is asking, so that providers can put it in credentials (TURN REST usernames). */
export interface IceRequestContext {
  room: string;
  peerId: string;
  /**
   * Unix ms when the member's access token expires (absent without tokens): providers that make
   * credentials per member (TURN REST) let them expire no later; shared ones (Twilio) cannot.
   */
  notAfter?: number;
}

export interface IceServersResult {
  iceServers: IceServer[];
  /** Unix time in ms after which the credentials stop working; null: never. */
  expiresAt: number | null;
  /** True when a provider fell back to its static list because its source failed. */
  degraded?: boolean;
}

/** What `/healthz` shows of a provider. */
export interface IceProviderHealth {
  /** False while the source is failing (joins get the fallback list, or a still-valid earlier token). */
  ok: boolean;
  /** The last failure, for operators; absent when healthy. */
  error?: string;
  /** Unix ms of the last successful fetch from the source; null: never (or no source). */
  lastSuccessAt?: number | null;
}

/** Where room members' STUN/TURN servers come from. One implementation per file in this folder. */
export interface IceServerProvider {
  /** Shown in the start log and `/healthz`: `static`, `twilio` or `turn-rest`. */
  readonly name: string;
  /** Never rejects for a failing source when it has a fallback; resolves degraded instead. */
  getIceServers(context: IceRequestContext): Promise<IceServersResult>;
  /**
   * Optional start-up check (one request to the source). Resolves with a problem description
   * (e.g. wrong credentials) or null when all is well; never rejects.
   */
  verify?(): Promise<string | null>;
  /**
   * Optional: resolves once the provider has loaded what it needs (Twilio: its SDK, imported only
   * when Twilio is configured); `listen()` and `ready` wait for it. Never rejects.
   */
  readonly loaded?: Promise<void>;
  /** Optional current health; absent means always healthy. */
  health?(): IceProviderHealth;
  /** Optional: stops timers so that the process can exit. */
  close?(): void;
}
