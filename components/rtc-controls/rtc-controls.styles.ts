import { css } from 'lit';

export const controlsStyles = css`
  :host {
    display: block;
    position: relative;
    color: var(--rtc-controls-color, #e8eaed);
  }
  :host([hidden]),
  [hidden] {
    display: none !important;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: var(--rtc-controls-gap, 8px);
    padding: 8px;
    border-radius: 12px;
    background: var(--rtc-controls-background, #202124);
  }
  button {
    display: inline-flex;
    flex-direction: column;
    align-items: center;
    gap: 2px;
    min-width: 4.5em;
    padding: 0.5em 0.75em;
    border: 0;
    border-radius: 8px;
    background: var(--rtc-controls-button-background, #3c4043);
    color: inherit;
    font: inherit;
    font-size: 0.8125em;
    cursor: pointer;
  }
  button svg {
    font-size: 1.75em;
  }
  button[aria-pressed='true'] {
    background: var(--rtc-controls-pressed-background, #d93025);
    color: #fff;
  }
  button.leave {
    background: var(--rtc-controls-leave-background, #b3261e);
    color: #fff;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button:focus-visible,
  select:focus-visible {
    outline: 3px solid var(--rtc-controls-focus-color, #8ab4f8);
    outline-offset: 2px;
  }
  .menu {
    display: grid;
    gap: 8px;
    margin-top: 8px;
    padding: 12px;
    border-radius: 12px;
    background: var(--rtc-controls-background, #202124);
  }
  label {
    display: grid;
    gap: 4px;
    font-size: 0.875em;
  }
  select {
    font: inherit;
    padding: 0.25em;
    border-radius: 4px;
  }
`;
