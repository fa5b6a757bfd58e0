import { css, html, nothing } from 'lit';
import { icons } from './icons.js';
import { fillIn, type RtcStrings } from '../core/strings.js';
import type { RemotePeer } from '../core/room-session.js';

/** What a tile shows of a member's own media state (its `media-state`). Unknown counts as on. */
export interface TileFlags {
  /** The member muted its microphone (or sends none). */
  audioMuted: boolean;
  /** The member sends no picture: camera off (or none) and no screen share. */
  videoMuted: boolean;
  /** The member shares a screen in place of its camera. */
  screen: boolean;
}

export function tileFlags(peer: RemotePeer | null): TileFlags {
  const media = peer?.media;
  if (!media) return { audioMuted: false, videoMuted: false, screen: false };
  return { audioMuted: !media.audio, videoMuted: !media.video && !media.screen, screen: media.screen };
}

/**
 * The muted-microphone badge and the camera-off box (the member's name, or `videoOff` content)
 * shared by `<rtc-remote-video>` and the tiles of `<rtc-remote-videos>`, in the language of `words`.
 */
export function tileOverlay(peer: RemotePeer, flags: TileFlags, words: RtcStrings, videoOff: unknown = peer.name) {
  return html`${
    flags.videoMuted ? html`<div class="video-off" part="video-off"><span class="video-off-name">${videoOff}</span></div>` : nothing
  }${
    flags.audioMuted
      ? html`<span
          class="muted-indicator"
          part="muted-indicator"
          role="img"
          aria-label=${fillIn(words.microphoneMuted, { name: peer.name || words.member })}
          >${icons.micOff}</span
        >`
      : nothing
  }`;
}

export const tileOverlayStyles = css`
  .audio-level {
    position: absolute;
    left: 0;
    bottom: 0;
    height: 3px;
    background: var(--rtc-speaking-color, #34a853);
    transition: width 0.15s linear;
  }
  .video-off {
    position: absolute;
    inset: 0;
    display: flex;
    align-items: center;
    justify-content: center;
    background: var(--rtc-video-off-background, #3c4043);
    font-size: 1.25em;
  }
  .muted-indicator {
    position: absolute;
    top: 0.5em;
    right: 0.5em;
    display: inline-flex;
    padding: 0.3em;
    border-radius: 50%;
    background: var(--rtc-muted-indicator-background, #d93025);
    color: #fff;
  }
`;
