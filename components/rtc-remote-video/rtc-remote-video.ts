import { consume } from '@lit/context';
import { LitElement, html, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { RemoteSlot, RemoteSlots } from '../internal/remote-slots.js';
import { stringsFor } from '../internal/strings.js';
import { resumeMedia } from '../internal/resume-media.js';
import { roomContext, type RoomState } from '../internal/room-context.js';
import type { RemotePeer } from '../internal/room-session.js';
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
 *
 * @csspart video - The `<video>` element.
 * @csspart placeholder - The box around the placeholder slot.
 * @csspart name - The member's display name over the video.
 *
 * @cssproperty [--rtc-video-fit=cover] - `object-fit` of the video (`cover` crops, `contain` letterboxes).
 * @cssproperty [--rtc-video-aspect-ratio=16 / 9] - The element's aspect ratio.
 * @cssproperty [--rtc-video-background=#202124] - Background behind the video and placeholder.
 * @cssproperty [--rtc-video-radius=0] - Corner radius.
 * @cssproperty [--rtc-video-color=#e8eaed] - Text colour of the placeholder and name.
 */
export class RtcRemoteVideoElement extends LitElement implements RemoteSlot {
  static override styles = [placeholderStyles, videoStyles];

  /** Show this member (an id from `rtc-peer-joined` or `room.peers`). Empty: the first one nobody else shows. */
  @property() peer = '';

  /** Do not play this member's sound (the `<rtc-room>` plays every member's sound). */
  @property({ type: Boolean, reflect: true }) muted = false;

  /** Present while a member is shown and its connection is up. Read-only. */
  @property({ type: Boolean, reflect: true }) connected = false;

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
        ?hidden=${!peer}
        autoplay
        playsinline
      ></video>
      <div class="placeholder" part="placeholder" ?hidden=${!!peer}>
        <slot name="placeholder">${stringsFor(this).waitingForOne}</slot>
      </div>
      <span class="label" part="name" ?hidden=${!peer}>${peer?.name ?? ''}</span>
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
