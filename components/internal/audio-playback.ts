import { html, type ReactiveController, type ReactiveElement } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { RtcError } from '../core/errors.js';
import type { RemotePeer } from '../core/room-session.js';
import { RtcAutoplayBlockedEvent } from '../events.js';
import { reportError } from './report-error.js';

/** The element that plays the room's sound: it reflects `needs-gesture` and names its room. */
export interface AudioPlaybackHost extends ReactiveElement {
  needsGesture: boolean;
  readonly room: string;
}

/**
 * What may carry a user activation. A touch's pointerdown does not (Chromium grants it on
 * pointerup, touchend and click), so a tap is heard at every step.
 */
const GESTURE_EVENTS = ['pointerdown', 'pointerup', 'touchend', 'click', 'keydown'] as const;

/**
 * Plays every member's sound through hidden `<audio>` elements in the host's shadow root, on the
 * chosen speaker; mutes members on request; and, when the browser's autoplay policy refuses sound,
 * sets `needsGesture`, reports `autoplay_blocked` once and plays at the next gesture.
 */
export class AudioPlaybackController implements ReactiveController {
  readonly #host: AudioPlaybackHost;
  /** The speaker chosen for the call (a device id; empty: the default). */
  readonly #sinkId: () => string;
  #muted: ReadonlySet<string> = new Set();
  /** A speaker that could not be used (reported once). */
  #failedSink: string | null = null;
  /** The document whose gestures are awaited (the host's own, even inside an iframe). */
  #gestureDoc: Document | null = null;

  constructor(host: AudioPlaybackHost, sinkId: () => string) {
    this.#host = host;
    this.#sinkId = sinkId;
    host.addController(this);
  }

  /** Ids of the members whose sound is not played. */
  get mutedPeers(): ReadonlySet<string> {
    return this.#muted;
  }

  setMuted(peerId: string, muted: boolean): void {
    if (this.#muted.has(peerId) === muted) return;
    const next = new Set(this.#muted);
    if (muted) next.add(peerId);
    else next.delete(peerId);
    this.#muted = next;
    this.#host.requestUpdate();
  }

  /** One hidden `<audio>` per member. */
  render(peers: readonly RemotePeer[]) {
    return html`<div class="audio">
      ${repeat(
        peers,
        (peer) => peer.id,
        (peer) => html`<audio data-peer=${peer.id} .srcObject=${live(peer.stream)} .muted=${this.#muted.has(peer.id)} autoplay></audio>`,
      )}
    </div>`;
  }

  hostUpdated(): void {
    if (!this.#host.isConnected) return;
    if (!this.#host.needsGesture) this.#play();
    this.#applySpeaker();
  }

  /** Stops waiting for a gesture (the host left the page for good). */
  reset(): void {
    this.#stopWaitingForGesture();
    this.#host.needsGesture = false;
  }

  /**
   * Plays every paused sound, synchronously inside the gesture's handler (play() must be called
   * there). Once none is refused, needs-gesture clears; a gesture that gave no activation (a
   * touch's pointerdown, a synthetic event) leaves it waiting for the next one, without a new report.
   */
  readonly onGesture = (): void => {
    const paused = this.#audios().filter((audio) => audio.paused && audio.srcObject);
    void Promise.allSettled(paused.map((audio) => audio.play())).then((results) => {
      if (results.some((r) => r.status === 'rejected' && (r.reason as DOMException)?.name === 'NotAllowedError')) return;
      this.reset();
    });
  };

  #audios(): HTMLAudioElement[] {
    return [...this.#host.renderRoot.querySelectorAll('audio')];
  }

  #play(): void {
    for (const audio of this.#audios()) {
      if (!audio.paused || !audio.srcObject) continue;
      audio.play().catch((error: DOMException) => this.#onPlayRejected(error));
    }
  }

  /** Plays every member's sound on the chosen speaker, where `setSinkId` is supported. */
  #applySpeaker(): void {
    const sinkId = this.#sinkId();
    if (sinkId === this.#failedSink) return;
    for (const audio of this.#audios()) {
      if (!('setSinkId' in audio) || audio.sinkId === sinkId) continue;
      audio.setSinkId(sinkId).catch((cause: DOMException) => {
        if (this.#failedSink === sinkId) return;
        this.#failedSink = sinkId; // said once, not on every update
        reportError(
          this.#host,
          new RtcError(cause.name === 'NotFoundError' ? 'no_device' : 'media_failed', `The speaker could not be used: ${cause.message}`, {
            cause,
          }),
        );
      });
    }
  }

  #onPlayRejected(error: DOMException): void {
    const host = this.#host;
    if (error.name !== 'NotAllowedError' || host.needsGesture) return;
    // Sound needs a user gesture: try again on the first click, tap or key press.
    host.needsGesture = true;
    this.#waitForGesture();
    host.dispatchEvent(new RtcAutoplayBlockedEvent({ room: host.room }));
    reportError(host, new RtcError('autoplay_blocked', 'The browser blocked sound until the page is clicked', { cause: error }));
  }

  #waitForGesture(): void {
    if (this.#gestureDoc) return;
    this.#gestureDoc = this.#host.ownerDocument;
    for (const type of GESTURE_EVENTS) this.#gestureDoc.addEventListener(type, this.onGesture, { capture: true });
  }

  #stopWaitingForGesture(): void {
    for (const type of GESTURE_EVENTS) this.#gestureDoc?.removeEventListener(type, this.onGesture, { capture: true });
    this.#gestureDoc = null;
  }
}
