import { consume } from '@lit/context';
import { ResizeController } from '@lit-labs/observers/resize-controller.js';
import { LitElement, html, nothing } from 'lit';
import { query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { ActivityController } from '../internal/activity-controller.js';
import { gridLayout, type GridLayout } from '../internal/grid-layout.js';
import { LocalizeController } from '../internal/localize.js';
import { resumeMedia } from '../internal/resume-media.js';
import { cssProps } from '../internal/css-props.js';
import { roomContext, type RoomState } from '../internal/room-context.js';
import type { RemotePeer } from '../core/room-session.js';
import { tileFlags, tileOverlay } from '../internal/tile-overlay.js';
import { remoteVideosStyles } from './rtc-remote-videos.styles.js';

/**
 * Every other member of the enclosing `<rtc-room>`, one video tile each, in a grid that keeps the
 * 16:9 tiles as large as the element allows (for 1 to 8 members it tries every column count and
 * keeps the largest tile) and rearranges itself as members come and go and as
 * the element is resized; a tile keeps its `<video>` as long as its member stays. The videos are
 * muted: the room plays every member's sound. No attributes: it shows the room's `peers` in join
 * order.
 *
 * The element fills its container's width and height (`width: 100%; height: 100%`); where the
 * container's height is not definite (the usual `height: auto`), it is 16:9 instead. Set `height`
 * or `aspect-ratio` on it to choose another box.
 *
 * @tagname rtc-remote-videos
 * @summary Shows every other member of the call in a self-arranging grid.
 *
 * @slot placeholder - Shown while nobody else is there. Default: "Waiting for others to join…".
 *
 * @csspart tile - One member's box, with `data-peer-id` and, while its connection is up, the `connected` attribute; also
 *   `audio-muted` (microphone muted), `video-muted` (camera off) and `screen-sharing` from the member's media state;
 *   `speaking`, `active-speaker` (the loudest, or last, speaker) and `quality="good|fair|poor"` from the connection's statistics.
 * @csspart connected - Also on a tile while its member's connection is up: style it with `::part(tile connected)` (CSS allows no attribute selector after `::part()`).
 * @csspart audio-level - A bar along a tile's bottom whose width follows its member's audio level.
 * @csspart muted-indicator - The badge on a tile while its member's microphone is muted.
 * @csspart video-off - The box with the member's name shown in place of the video while its camera is off.
 * @csspart video - The `<video>` in a tile.
 * @csspart name - The member's display name over the video.
 * @csspart placeholder - The box around the placeholder slot.
 *
 * @cssproperty [--rtc-grid-gap=8px] - Space between tiles (a length).
 * @cssproperty [--rtc-tile-radius=8px] - Corner radius of the tiles and placeholder.
 * @cssproperty [--rtc-tile-background=#202124] - Background of the tiles and placeholder.
 * @cssproperty [--rtc-video-fit=cover] - `object-fit` of the videos (`cover` crops, `contain` letterboxes).
 * @cssproperty [--rtc-video-color=#e8eaed] - Text colour of the placeholder and names.
 * @cssproperty [--rtc-video-off-background=#3c4043] - Background of the camera-off box.
 * @cssproperty [--rtc-muted-indicator-background=#d93025] - Background of the muted-microphone badge.
 * @cssproperty [--rtc-speaking-color=#34a853] - Colour of the audio-level bar and the speaking outline.
 */
export class RtcRemoteVideosElement extends LitElement {
  static override styles = remoteVideosStyles;

  @consume({ context: roomContext, subscribe: true })
  @state()
  private _room?: RoomState;

  @query('.grid') private _grid!: HTMLElement | null;

  /** The content-box size of `.box`, the space the grid may fill. */
  private readonly _size = new ResizeController(this, {
    target: null,
    skipInitial: true,
    callback: (entries) => {
      const { width, height } = entries[entries.length - 1]!.contentRect;
      return { width, height };
    },
  });

  private readonly _activity = new ActivityController(this);

  private readonly _localize = new LocalizeController(this);

  private _layout: GridLayout = { columns: 0, rows: 0, tileWidth: 0, tileHeight: 0 };

  protected override willUpdate(): void {
    this._activity.follow(this.isConnected ? (this._room?.session?.activity ?? null) : null);
    // --rtc-grid-gap resolved to pixels, re-read on every update (before the first render: the default).
    const gap = this._grid ? parseFloat(getComputedStyle(this._grid).columnGap) || 0 : 8;
    this._layout = gridLayout({
      count: this._room?.peers.size ?? 0,
      width: this._size.value?.width ?? 0,
      height: this._size.value?.height ?? 0,
      gap,
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Put back after a move (the room's call goes on): the video the removal paused plays again.
    if (this.hasUpdated) resumeMedia(this.renderRoot);
  }

  protected override render() {
    const peers = [...(this._room?.peers.values() ?? [])];
    return html`
      <div class="box" ${this._size.target()}>
        <div class="grid">
          ${repeat(
            peers,
            (peer) => peer.id,
            (peer) => this._renderTile(peer),
          )}
        </div>
        ${
          peers.length
            ? nothing
            : html`<div class="placeholder" part="placeholder">
                <slot name="placeholder">${this._localize.words.waitingForOthers}</slot>
              </div>`
        }
      </div>
    `;
  }

  private _renderTile(peer: RemotePeer) {
    const connected = peer.connectionState === 'connected';
    // live(): Lit re-sets object-valued properties on every render, and assigning srcObject, even the same
    // stream, reloads the video (a black flash, then a restart).
    const flags = tileFlags(peer);
    const activity = this._activity.of(peer.id);
    return html`
      <div
        class="tile"
        part=${connected ? 'tile connected' : 'tile'}
        data-peer-id=${peer.id}
        ?connected=${connected}
        ?audio-muted=${flags.audioMuted}
        ?video-muted=${flags.videoMuted}
        ?screen-sharing=${flags.screen}
        ?speaking=${activity.speaking}
        ?active-speaker=${activity.activeSpeaker}
        quality=${activity.quality ?? nothing}
      >
        <video part="video" autoplay playsinline muted .muted=${true} .srcObject=${live(peer.stream)} ?hidden=${flags.videoMuted}></video>
        ${tileOverlay(peer, flags, this._localize.words)}
        <span class="audio-level" part="audio-level" ${cssProps({ width: `${Math.min(100, activity.level * 300)}%` })}></span>
        <span class="name" part="name" ?hidden=${!peer.name || flags.videoMuted}>${peer.name}</span>
      </div>
    `;
  }

  protected override updated(): void {
    // Through the CSSOM, not a style attribute (styleMap writes one on first render), so pages whose
    // content security policy forbids inline styles (no 'unsafe-inline') lay the grid out too.
    const { columns, tileWidth, tileHeight } = this._layout;
    const grid = this._grid?.style;
    grid?.setProperty('--_columns', String(columns));
    grid?.setProperty('--_tile-width', `${tileWidth}px`);
    grid?.setProperty('--_tile-height', `${tileHeight}px`);
    for (const video of this.renderRoot.querySelectorAll('video')) {
      if (!video.srcObject || !video.paused) continue;
      // Muted video may always autoplay; AbortError only means a reload or removal interrupted it.
      video.play().catch((error: unknown) => {
        if (!(error instanceof DOMException && error.name === 'AbortError')) console.warn('<rtc-remote-videos>: play() failed', error);
      });
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-remote-videos': RtcRemoteVideosElement;
  }
}
