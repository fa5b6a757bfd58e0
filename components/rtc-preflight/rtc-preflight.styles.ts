import { css } from 'lit';

export const preflightStyles = css`
  :host {
    display: block;
  }
  :host([hidden]) {
    display: none;
  }
  ul {
    list-style: none;
    padding: 0;
    margin: 0.75em 0;
  }
  li {
    margin: 0.25em 0;
  }
  .name {
    font-weight: 600;
    margin-inline-end: 0.5em;
  }
  .ok {
    color: var(--rtc-preflight-ok, #188038);
  }
  .warning {
    color: var(--rtc-preflight-warning, #b06000);
  }
  .failed {
    color: var(--rtc-preflight-failed, #c5221f);
  }
  button {
    font: inherit;
    padding: 0.4em 1em;
  }
  button:focus-visible {
    outline: 2px solid #1a73e8;
    outline-offset: 2px;
  }
`;
