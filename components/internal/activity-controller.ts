import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallActivity } from '../core/call-activity.js';
import type { QualityRating } from '../core/connection-quality.js';

/** What a tile shows of one member's activity. */
export interface TileActivity {
  level: number;
  speaking: boolean;
  activeSpeaker: boolean;
  quality: QualityRating | null;
}

/**
 * Re-renders its host when the room's {@link CallActivity} changes (levels, speaking, quality).
 * Call `follow()` with the current activity in `willUpdate`; released on disconnect.
 */
export class ActivityController implements ReactiveController {
  #activity: CallActivity | null = null;
  readonly #host: ReactiveControllerHost;
  readonly #onChange = () => this.#host.requestUpdate();

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  follow(activity: CallActivity | null): void {
    if (activity === this.#activity) return;
    this.#activity?.removeEventListener('change', this.#onChange);
    this.#activity = activity;
    activity?.addEventListener('change', this.#onChange);
  }

  /** One member's activity now. */
  of(peerId: string | null | undefined): TileActivity {
    const a = this.#activity;
    if (!a || !peerId) return { level: 0, speaking: false, activeSpeaker: false, quality: null };
    return {
      level: a.levels.get(peerId) ?? 0,
      speaking: a.speaking.has(peerId),
      activeSpeaker: a.activeSpeaker === peerId,
      quality: a.quality.get(peerId)?.rating ?? null,
    };
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.follow(null);
  }
}
