import { css } from 'lit';

export const chatStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    gap: 0.5em;
    font: inherit;
  }
  :host([hidden]) {
    display: none;
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 0.5em;
    height: var(--rtc-chat-height, 16em);
    overflow-y: auto;
    background: var(--rtc-chat-background, #fff);
    border: 1px solid #c4c7c5;
    border-radius: 0.5em;
  }
  li {
    margin: 0.25em 0;
    overflow-wrap: anywhere;
  }
  .sender {
    font-weight: 600;
    margin-inline-end: 0.5em;
  }
  li.notice {
    font-style: italic;
    color: #5f6368;
  }
  li.own .sender {
    color: var(--rtc-chat-own-color, #1a73e8);
  }
  form {
    display: flex;
    gap: 0.5em;
  }
  input {
    flex: 1;
    min-width: 0;
    font: inherit;
    padding: 0.4em 0.6em;
  }
  button {
    font: inherit;
    padding: 0.4em 1em;
  }
  input:focus-visible,
  button:focus-visible {
    outline: 2px solid #1a73e8;
    outline-offset: 2px;
  }
`;
