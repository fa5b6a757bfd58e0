import { consume } from '@lit/context';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { ActivityController } from '../internal/activity-controller.js';
import type { ConnectionQuality, QualityRating } from '../core/connection-quality.js';
import type { RemoteSlot, RemoteSlots } from '../internal/remote-slots.js';
import { LocalizeController } from '../internal/localize.js';
import { resumeMedia } from '../internal/resume-media.js';
import { cssProps } from '../internal/css-props.js';
import { roomContext, type RoomState } from '../internal/room-context.js';
import type { RemotePeer } from '../core/room-session.js';
import { tileFlags, tileOverlay, tileOverlayStyles } from '../internal/tile-overlay.js';
import { placeholderStyles, videoStyles } from '../internal/video-styles.js';

/**
 * One remote member of the enclosing `<rtc-room>`: its video (the room plays its sound). Without `peer`, it shows the
 * first member that no other `<rtc-remote-video>` shows (in document order); when that member leaves it empties
 * and shows its placeholder.
 *
 * @tagname rtc-remote-video
 * @summary Shows and plays one other member of the call.
 *
 * @slot placeholder - Shown while nobody is there. Default: "Waiting for someone to join…".
 * @slot video-off - Shown while the member sends no picture (camera off). Default: the member's name.
 *
 * @csspart video - The `<video>` element.
 * @csspart placeholder - The box around the placeholder slot.
 * @csspart name - The member's display name over the video.
 * @csspart muted-indicator - The badge shown while the member's microphone is muted.
 * @csspart video-off - The box shown in place of the video while the member's camera is off.
 * @csspart audio-level - A bar along the bottom whose width follows the member's audio level.
 *
 * @cssproperty [--rtc-video-fit=cover] - `object-fit` of the video (`cover` crops, `contain` letterboxes).
 * @cssproperty [--rtc-video-aspect-ratio=16 / 9] - The element's aspect ratio.
 * @cssproperty [--rtc-video-background=#202124] - Background behind the video and placeholder.
 * @cssproperty [--rtc-video-radius=0] - Corner radius.
 * @cssproperty [--rtc-video-color=#e8eaed] - Text colour of the placeholder and name.
 * @cssproperty [--rtc-video-off-background=#3c4043] - Background of the camera-off box.
 * @cssproperty [--rtc-muted-indicator-background=#d93025] - Background of the muted-microphone badge.
 * @cssproperty [--rtc-speaking-color=#34a853] - Colour of the audio-level bar and the speaking outline.
 */
export class RtcRemoteVideoElement extends LitElement implements RemoteSlot {
  static override styles = [
    placeholderStyles,
    videoStyles,
    tileOverlayStyles,
    css`
      :host([speaking]) {
        box-shadow: inset 0 0 0 3px var(--rtc-speaking-color, #34a853);
      }
    `,
  ];

  /** Show this member (an id from `rtc-peer-joined` or `room.peers`). Empty: the first one nobody else shows. */
  @property() peer = '';

  /** Do not play this member's sound (the `<rtc-room>` plays every member's sound). */
  @property({ type: Boolean, reflect: true }) muted = false;

  /** Present while a member is shown and its connection is up. Read-only. */
  @property({ type: Boolean, reflect: true }) connected = false;

  /** Present while the member shown has muted its microphone (its `media-state`). Read-only. */
  @property({ type: Boolean, reflect: true, attribute: 'audio-muted' }) audioMuted = false;

  /** Present while the member shown sends no picture (camera off, no screen share). Read-only. */
  @property({ type: Boolean, reflect: true, attribute: 'video-muted' }) videoMuted = false;

  /** Present while the member shown shares a screen instead of its camera. Read-only. */
  @property({ type: Boolean, reflect: true, attribute: 'screen-sharing' }) screenSharing = false;

  /** Present while the member shown is speaking (its received audio level). Read-only. */
  @property({ type: Boolean, reflect: true }) speaking = false;

  /** Present while the member shown is the loudest speaker (or the last one who spoke). Read-only. */
  @property({ type: Boolean, reflect: true, attribute: 'active-speaker' }) activeSpeaker = false;

  /** The connection to the member shown: `good`, `fair` or `poor`; absent until measured. Read-only. */
  @property({ reflect: true }) quality: QualityRating | null = null;

  private readonly _activity = new ActivityController(this);
  private readonly _localize = new LocalizeController(this);

  @consume({ context: roomContext, subscribe: true })
  @state()
  private _room?: RoomState;

  @state() private _peerId: string | null = null;
  /** The member this element muted in the room, to unmute when it shows someone else. */
  private _mutedPeer: string | null = null;

  @query('video') private _video!: HTMLVideoElement;

  private _slots: RemoteSlots | null = null;

  /** The member shown (`{ id, name, stream, connectionState }`), or null. */
  get remotePeer(): RemotePeer | null {
    return (this._peerId && this._room?.peers.get(this._peerId)) || null;
  }

  /** The member's received audio level, 0 to 1. */
  get audioLevel(): number {
    return this._activity.of(this._peerId).level;
  }

  /** The measurements behind `quality` (round-trip time, packet loss, bitrate), or null. */
  get connectionQuality(): ConnectionQuality | null {
    return (this._peerId && this._room?.session?.activity.quality.get(this._peerId)) || null;
  }

  /** @internal The pinned member for the room's slot registry. */
  get pinnedPeer(): string | null {
    return this.peer || null;
  }

  /** @internal Called by the room's slot registry. */
  assign(peerId: string | null): void {
    this._peerId = peerId;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._slots?.unregister(this);
    this._slots = null;
    if (this._mutedPeer) this._room?.room?.setPeerMuted(this._mutedPeer, false);
    this._mutedPeer = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const slots = this.isConnected ? (this._room?.slots ?? null) : null;
    if (slots !== this._slots) {
      this._slots?.unregister(this);
      this._slots = slots;
      slots?.register(this);
    } else if (changed.has('peer')) {
      slots?.arrange();
    }
    this.connected = this.remotePeer?.connectionState === 'connected';
    const flags = tileFlags(this.remotePeer);
    this.audioMuted = flags.audioMuted;
    this.videoMuted = flags.videoMuted;
    this.screenSharing = flags.screen;
    this._activity.follow(this.isConnected ? (this._room?.session?.activity ?? null) : null);
    const activity = this._activity.of(this.remotePeer?.id);
    this.speaking = activity.speaking;
    this.activeSpeaker = activity.activeSpeaker;
    this.quality = activity.quality;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Put back after a move (the room's call goes on): the video the removal paused plays again.
    if (this.hasUpdated) resumeMedia(this.renderRoot);
  }

  protected override render() {
    const peer = this.remotePeer;
    return html`
      <video
        part="video"
        .srcObject=${live(peer?.stream ?? null)}
        .muted=${true}
        ?hidden=${!peer || this.videoMuted}
        autoplay
        playsinline
      ></video>
      <div class="placeholder" part="placeholder" ?hidden=${!!peer}>
        <slot name="placeholder">${this._localize.words.waitingForOne}</slot>
      </div>
      ${peer ? tileOverlay(peer, tileFlags(peer), this._localize.words, html`<slot name="video-off">${peer.name}</slot>`) : ''}
      <span class="audio-level" part="audio-level" ${cssProps({ width: `${Math.min(100, this.audioLevel * 300)}%` })}></span>
      <span class="label" part="name" ?hidden=${!peer || this.videoMuted}>${peer?.name ?? ''}</span>
    `;
  }

  protected override updated(changed: PropertyValues): void {
    const video = this._video;
    if (video.srcObject && video.paused && (changed.has('_peerId') || changed.has('_room'))) {
      // Muted video may always autoplay; AbortError only means a newer srcObject replaced this one.
      video.play().catch(() => {});
    }
    if (changed.has('_peerId') || changed.has('muted')) this.applyMute();
  }

  /** The room plays the sound; tell it whether the member shown here is muted. */
  private applyMute(): void {
    const room = this._room?.room;
    const previous = this._mutedPeer;
    const next = this.muted && this._peerId ? this._peerId : null;
    if (previous === next) return;
    if (previous) room?.setPeerMuted(previous, false);
    if (next) room?.setPeerMuted(next, true);
    this._mutedPeer = next;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-remote-video': RtcRemoteVideoElement;
  }
}
