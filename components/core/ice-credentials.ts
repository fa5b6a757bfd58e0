import type { IceServer, IceServersGrant } from '../../protocol/index.js';

/** ICE servers are renewed when they expire within this margin (ms). */
export const ICE_EXPIRY_MARGIN_MS = 30_000;

export interface IceCredentialsOptions {
  /** Wall-clock time in ms (the grant's `iceServersExpireAt` is a Unix time in ms). @default Date.now */
  now?: () => number;
  /** Asks the server for fresh servers (`ice-servers`); null when it cannot be asked now. */
  request(): Promise<IceServersGrant> | null;
}

/**
 * The STUN/TURN servers in use and their expiry: set from each join answer, renewed before an ICE
 * restart when they expire within {@link ICE_EXPIRY_MARGIN_MS}, or by a fresh access token
 * ({@link IceCredentials.renew}). One renewal at a time.
 */
export class IceCredentials {
  readonly #now: () => number;
  readonly #request: () => Promise<IceServersGrant> | null;
  #grant: IceServersGrant | null = null;
  #refresh: Promise<IceServer[]> | null = null;
  /** A fresh access token's servers, on their way. */
  #renewal: Promise<IceServer[]> | null = null;

  constructor(options: IceCredentialsOptions) {
    this.#now = options.now ?? Date.now;
    this.#request = options.request;
  }

  /** The servers and their expiry; null before the first join. */
  get grant(): Readonly<IceServersGrant> | null {
    return this.#grant;
  }

  /** The servers in use now (empty before the first join). */
  get servers(): IceServer[] {
    return this.#grant?.iceServers ?? [];
  }

  /** The servers expire within the margin (never for a grant without expiry). */
  get expiring(): boolean {
    const at = this.#grant?.iceServersExpireAt;
    return at != null && at - this.#now() < ICE_EXPIRY_MARGIN_MS;
  }

  /** Takes the servers of a join answer (or any grant). */
  set(grant: IceServersGrant): void {
    this.#grant = { iceServers: grant.iceServers, iceServersExpireAt: grant.iceServersExpireAt };
  }

  /**
   * Takes the servers of a request made elsewhere (the `refresh-token` answer) once it resolves.
   * A renewal for an ICE restart meanwhile waits for it rather than asking again (and asks as usual
   * if it fails). Rejects with the request's error; the servers in use then stay.
   */
  renew(request: Promise<IceServersGrant>): Promise<IceServer[]> {
    const renewal: Promise<IceServer[]> = request
      .then((grant) => {
        this.set(grant);
        return grant.iceServers;
      })
      .finally(() => {
        if (this.#renewal === renewal) this.#renewal = null;
      });
    this.#renewal = renewal;
    return renewal;
  }

  /**
   * The servers to restart ICE with: the current ones, or fresh ones when they expire soon and the
   * server can be asked. Concurrent callers share one request. Rejects with the request's error.
   */
  fresh(): Promise<IceServer[]> {
    if (this.#renewal) return this.#renewal.catch(() => this.fresh());
    if (!this.expiring) return Promise.resolve(this.servers);
    if (this.#refresh) return this.#refresh;
    const request = this.#request();
    if (!request) return Promise.resolve(this.servers);
    const taken = this.#grant;
    this.#refresh = request
      .then((grant) => {
        // A fresh token's servers that came in meanwhile are newer: they stay.
        if (this.#grant === taken) this.#grant = grant;
        return this.servers;
      })
      .finally(() => {
        this.#refresh = null;
      });
    return this.#refresh;
  }

  /** Forgets the servers (the session ended). */
  clear(): void {
    this.#grant = null;
  }
}
