import { consume } from '@lit/context';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { resumeMedia } from '../internal/resume-media.js';
import type { RtcErrorCode } from '../core/errors.js';
import { roomContext, type RoomState } from '../internal/room-context.js';
import { placeholderStyles, videoStyles } from '../internal/video-styles.js';

/**
 * The local camera of the enclosing `<rtc-room>`, always muted (you never hear yourself).
 *
 * @tagname rtc-local-video
 * @summary Shows your own camera.
 *
 * @slot placeholder - Shown while no camera picture is there (before joining, camera off or denied; see
 *   `media-error` to tell them apart). Default: nothing.
 *
 * @csspart video - The `<video>` element.
 * @csspart placeholder - The box around the placeholder slot.
 *
 * @cssproperty [--rtc-video-fit=cover] - `object-fit` of the video (`cover` crops, `contain` letterboxes).
 * @cssproperty [--rtc-video-aspect-ratio=16 / 9] - The element's aspect ratio.
 * @cssproperty [--rtc-video-background=#202124] - Background behind the video and placeholder.
 * @cssproperty [--rtc-video-radius=0] - Corner radius.
 * @cssproperty [--rtc-video-color=#e8eaed] - Text colour of the placeholder.
 */
export class RtcLocalVideoElement extends LitElement {
  static override styles = [
    placeholderStyles,
    videoStyles,
    css`
      :host([mirror]) video {
        transform: scaleX(-1);
      }
    `,
  ];

  /** Flip the picture horizontally, as people expect of their own camera. */
  @property({ type: Boolean, reflect: true }) mirror = false;

  /** Present while your microphone is muted. Read-only. */
  @property({ type: Boolean, reflect: true, attribute: 'audio-muted' }) audioMuted = false;

  /** Present while no camera picture is sent (camera off, denied or missing). Read-only. */
  @property({ type: Boolean, reflect: true, attribute: 'video-muted' }) videoMuted = false;

  /**
   * Why the camera or microphone could not be opened: `media_denied`, `no_device` or `media_failed`
   * (as in `rtc-error`); absent when they opened. Read-only.
   */
  @property({ reflect: true, attribute: 'media-error' }) mediaError: RtcErrorCode | null = null;

  @consume({ context: roomContext, subscribe: true })
  @state()
  private _room?: RoomState;

  /** The stream shown, or null. */
  get stream(): MediaStream | null {
    return this._room?.localStream ?? null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Put back after a move (the room's call goes on): the video the removal paused plays again.
    if (this.hasUpdated) resumeMedia(this.renderRoot);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const media = this._room?.session?.media;
    const state = media?.state;
    this.audioMuted = !!state && !state.audio;
    this.videoMuted = !!state && !state.video && !state.screen;
    this.mediaError = media?.error?.code ?? null;
  }

  protected override render() {
    const stream = this.stream;
    const hasVideo = !!stream?.getVideoTracks().length;
    return html`
      <video part="video" .srcObject=${live(stream)} ?hidden=${!hasVideo} autoplay playsinline muted></video>
      <div class="placeholder" part="placeholder" ?hidden=${hasVideo}><slot name="placeholder"></slot></div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-local-video': RtcLocalVideoElement;
  }
}
