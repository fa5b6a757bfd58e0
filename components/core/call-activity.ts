import type { MediaState } from '../../protocol/index.js';
import { audioLevelBetween, qualityBetween, sampleStats, type ConnectionQuality, type StatsSample } from './connection-quality.js';

/** Above this received audio level (RMS, 0 to 1) a member counts as speaking. */
export const SPEAKING_LEVEL = 0.02;
/** A member still counts as speaking this long after its level dropped (speech has gaps). */
export const SPEAKING_HOLD_MS = 700;
/** How often levels are read (getStats of every peer). */
export const LEVEL_INTERVAL_MS = 200;
/** Quality is measured over windows this long (loss and bitrate need more than one level tick). */
export const QUALITY_WINDOW_MS = 2_000;

export interface CallActivityOptions {
  /** getStats of the connection to one peer (null: no such peer). */
  getStats(peerId: string): Promise<RTCStatsReport | null>;
  /** The peers now, with what they say they send. */
  peers(): Iterable<{ id: string; media: MediaState | null }>;
}

interface PeerTrack {
  last: StatsSample | null;
  window: StatsSample | null;
  level: number;
  lastLoud: number;
}

/**
 * Who is speaking and how good each connection is, from `getStats` of every peer connection: the
 * received audio level (`totalAudioEnergy`, so it works for every codec and needs no Web Audio
 * graph per peer), `speaking`, the loudest speaker, and good/fair/poor quality. Fires `change`
 * when any of that changes. Plain TypeScript; {@link RoomSession} runs one while joined.
 */
export class CallActivity extends EventTarget {
  readonly #options: CallActivityOptions;
  readonly #peers = new Map<string, PeerTrack>();
  #levels: ReadonlyMap<string, number> = new Map();
  #speaking: ReadonlySet<string> = new Set();
  #activeSpeaker: string | null = null;
  #quality: ReadonlyMap<string, ConnectionQuality> = new Map();
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;

  constructor(options: CallActivityOptions) {
    super();
    this.#options = options;
  }

  /** Received audio level per member, 0 to 1 (RMS over the last {@link LEVEL_INTERVAL_MS}). */
  get levels(): ReadonlyMap<string, number> {
    return this.#levels;
  }
  /** Members speaking now. */
  get speaking(): ReadonlySet<string> {
    return this.#speaking;
  }
  /** The loudest member speaking, or the last one who spoke; null before anybody did. */
  get activeSpeaker(): string | null {
    return this.#activeSpeaker;
  }
  /** Connection quality per member (after the first {@link QUALITY_WINDOW_MS}). */
  get quality(): ReadonlyMap<string, ConnectionQuality> {
    return this.#quality;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#tick(), LEVEL_INTERVAL_MS);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#peers.clear();
    this.#levels = new Map();
    this.#speaking = new Set();
    this.#activeSpeaker = null;
    this.#quality = new Map();
  }

  async #tick(): Promise<void> {
    if (this.#busy) return; // a slow getStats must not pile up ticks
    this.#busy = true;
    try {
      await this.#measure();
    } finally {
      this.#busy = false;
    }
  }

  async #measure(): Promise<void> {
    const now = performance.now();
    const peers = [...this.#options.peers()];
    const reports = await Promise.all(peers.map((p) => this.#options.getStats(p.id).catch(() => null)));
    if (!this.#timer) return;
    const levels = new Map<string, number>();
    const speaking = new Set<string>();
    const quality = new Map(this.#quality);
    for (const [i, peer] of peers.entries()) {
      const report = reports[i];
      if (!report) continue;
      const sample = sampleStats(report, now);
      const track = this.#peers.get(peer.id) ?? { last: null, window: null, level: 0, lastLoud: -Infinity };
      this.#peers.set(peer.id, track);
      track.level = track.last ? audioLevelBetween(track.last, sample) : 0;
      if (track.level > SPEAKING_LEVEL) track.lastLoud = now;
      levels.set(peer.id, Math.round(track.level * 100) / 100);
      if (now - track.lastLoud < SPEAKING_HOLD_MS) speaking.add(peer.id);
      track.last = sample;
      if (!track.window) track.window = sample;
      else if (now - track.window.at >= QUALITY_WINDOW_MS) {
        const expectsVideo = !!peer.media && (peer.media.video || peer.media.screen);
        quality.set(peer.id, qualityBetween(track.window, sample, expectsVideo));
        track.window = sample;
      }
    }
    for (const id of this.#peers.keys()) {
      if (!levels.has(id)) {
        this.#peers.delete(id);
        quality.delete(id);
      }
    }
    const loudest = [...speaking].sort((a, b) => this.#peers.get(b)!.level - this.#peers.get(a)!.level)[0];
    const active = loudest ?? (this.#activeSpeaker && levels.has(this.#activeSpeaker) ? this.#activeSpeaker : null);
    const changed =
      !sameMap(levels, this.#levels) ||
      !sameSet(speaking, this.#speaking) ||
      active !== this.#activeSpeaker ||
      !sameQuality(quality, this.#quality);
    this.#levels = levels;
    this.#speaking = speaking;
    this.#activeSpeaker = active;
    this.#quality = quality;
    if (changed) this.dispatchEvent(new Event('change'));
  }
}

const sameMap = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>) =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((k) => b.has(k));
const sameQuality = (a: ReadonlyMap<string, ConnectionQuality>, b: ReadonlyMap<string, ConnectionQuality>) =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
