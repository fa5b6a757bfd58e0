import { css } from 'lit';

export const roomStyles = css`
  :host {
    display: block;
  }
  :host([hidden]) {
    display: none;
  }
  .audio {
    display: none;
  }
  .prompt {
    display: flex;
    justify-content: center;
    padding: 0.5em;
  }
  .prompt[hidden] {
    display: none;
  }
  .prompt button {
    font: inherit;
    padding: 0.5em 1em;
    cursor: pointer;
  }
`;
