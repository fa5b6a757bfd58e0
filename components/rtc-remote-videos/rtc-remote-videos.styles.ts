import { css } from 'lit';
import { tileOverlayStyles } from '../internal/tile-overlay.js';
import { placeholderStyles } from '../internal/video-styles.js';

export const remoteVideosStyles = [
  placeholderStyles,
  tileOverlayStyles,
  css`
    :host {
      display: block;
      position: relative;
      overflow: hidden;
      width: 100%;
      height: 100%;
      /* Used only when the height above is auto (a container without a definite height). */
      aspect-ratio: 16 / 9;
      color: var(--rtc-video-color, #e8eaed);
    }
    :host([hidden]) {
      display: none;
    }
    /* The classes below set display, which would otherwise beat the UA's [hidden] rule. */
    [hidden] {
      display: none !important;
    }
    /* Out of flow, so the tiles never size the element they are measured against. */
    .box {
      position: absolute;
      inset: 0;
      display: flex;
      align-items: center;
      justify-content: center;
    }
    .grid {
      flex: none;
      display: flex;
      flex-wrap: wrap;
      justify-content: center;
      align-content: center;
      gap: var(--rtc-grid-gap, 8px);
      /* Exactly --_columns tiles per row; a short last row is centred. */
      width: calc(var(--_columns) * var(--_tile-width) + (var(--_columns) - 1) * var(--rtc-grid-gap, 8px));
    }
    .tile,
    .placeholder {
      border-radius: var(--rtc-tile-radius, 8px);
      background: var(--rtc-tile-background, #202124);
      overflow: hidden;
    }
    .tile[speaking] {
      box-shadow: inset 0 0 0 3px var(--rtc-speaking-color, #34a853);
    }
    .tile {
      position: relative;
      flex: none;
      box-sizing: border-box;
      width: var(--_tile-width);
      height: var(--_tile-height);
    }
    video {
      display: block;
      width: 100%;
      height: 100%;
      object-fit: var(--rtc-video-fit, cover);
    }
    .name {
      position: absolute;
      left: 0.5em;
      bottom: 0.5em;
      max-width: calc(100% - 1em);
      box-sizing: border-box;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      padding: 0.15em 0.5em;
      border-radius: 0.25em;
      background: rgb(0 0 0 / 0.5);
      font-size: 0.875em;
    }
  `,
];
