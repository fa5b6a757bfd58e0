import { css } from 'lit';

/** The centred box over the whole element that holds a placeholder slot. */
export const placeholderStyles = css`
  .placeholder {
    position: absolute;
    inset: 0;
    display: flex;
    align-items: center;
    justify-content: center;
    text-align: center;
    padding: 1em;
  }
`;

/** Shared by the video elements: the public custom properties and the placeholder layout. */
export const videoStyles = css`
  :host {
    display: block;
    position: relative;
    overflow: hidden;
    aspect-ratio: var(--rtc-video-aspect-ratio, 16 / 9);
    background: var(--rtc-video-background, #202124);
    border-radius: var(--rtc-video-radius, 0);
    color: var(--rtc-video-color, #e8eaed);
  }
  :host([hidden]) {
    display: none;
  }
  video {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: var(--rtc-video-fit, cover);
  }
  /* The classes below set display, which would otherwise beat the UA's [hidden] rule. */
  [hidden] {
    display: none !important;
  }
  .label {
    position: absolute;
    left: 0.5em;
    bottom: 0.5em;
    padding: 0.15em 0.5em;
    border-radius: 0.25em;
    background: rgb(0 0 0 / 0.5);
    font-size: 0.875em;
  }
  .label:empty {
    display: none;
  }
`;
