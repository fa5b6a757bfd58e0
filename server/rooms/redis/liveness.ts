// A node's heartbeat, and whether the node may judge others by theirs. Each node writes its
// heartbeat key every third of `nodeTtlMs`; a node whose key expired is dead, and its members are
// removed by the others (reconcile.ts). A node back from an outage of Redis judges nobody until it
// has been connected for a TTL: the others need that long to write their heartbeat again.

export const DEFAULT_NODE_TTL_MS = 8_000;

/** How often a node writes its heartbeat: three times per TTL (at least every 50 ms apart). */
export const heartbeatIntervalMs = (nodeTtlMs: number) => Math.max(50, Math.floor(nodeTtlMs / 3));

export interface LivenessOptions {
  /** @default DEFAULT_NODE_TTL_MS */
  nodeTtlMs?: number;
  /** Writes the heartbeat; resolves with whether it was still there (false: expired, or Redis lost it). */
  beat(): Promise<boolean>;
  /**
   * Called after the heartbeat was found missing (this node may have been taken for dead, or Redis
   * restarted without its data): checks this node's members; called again on the next beat until
   * it resolves.
   */
  recheck(): Promise<unknown>;
  /** @default Date.now */
  now?: () => number;
}

export class Liveness {
  readonly nodeTtlMs: number;
  readonly #beat: () => Promise<boolean>;
  readonly #recheck: () => Promise<unknown>;
  readonly #now: () => number;
  /** Since when this node has been connected to Redis without a failure; null while it is not. */
  #connectedSince: number | null = null;
  #recheckPending = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LivenessOptions) {
    this.nodeTtlMs = options.nodeTtlMs ?? DEFAULT_NODE_TTL_MS;
    this.#beat = options.beat;
    this.#recheck = options.recheck;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Whether this node may take a missing heartbeat for a dead node: it has itself been connected
   * to Redis, without a failed heartbeat, for longer than the heartbeat TTL.
   */
  get settled(): boolean {
    return this.#connectedSince !== null && this.#now() - this.#connectedSince > this.nodeTtlMs;
  }

  /** The connection to Redis failed or ended. */
  down(): void {
    this.#connectedSince = null;
  }

  /** Connected (again): settled a TTL from now. */
  up(): void {
    this.#connectedSince = this.#now();
  }

  /** Settled at once: on a node's first connection the other nodes (if any) were heartbeating meanwhile. */
  settle(): void {
    this.#connectedSince = this.#now() - this.nodeTtlMs - 1;
  }

  /**
   * Writes the heartbeat. Found missing: the recheck runs (and again on each beat until it
   * succeeds). A failed write means this node is not settled; the error is passed on.
   */
  async beat(): Promise<void> {
    let existed: boolean;
    try {
      existed = await this.#beat();
    } catch (error) {
      this.down();
      throw error;
    }
    this.#connectedSince ??= this.#now();
    if (!existed) this.#recheckPending = true;
    if (!this.#recheckPending) return;
    await this.#recheck();
    this.#recheckPending = false;
  }

  /** Beats every third of the TTL until `stop()`. */
  start(): void {
    this.stop();
    this.#timer = setInterval(() => void this.beat().catch(() => {}), heartbeatIntervalMs(this.nodeTtlMs)).unref();
  }

  /** Stops beating. The heartbeat key is left to expire, so members can resume elsewhere meanwhile. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
