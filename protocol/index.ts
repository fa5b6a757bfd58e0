/**
 * rtc-room wire protocol, version 1: the one place where both ends' message shapes are defined.
 *
 * The browser core imports this module with `import type` only, so zod never reaches the bundle.
 * The server parses every inbound payload with the schemas in schemas.ts before it looks at it.
 * PROTOCOL.md is the prose version of this file; keep them in step.
 */
export const PROTOCOL_VERSION = 1;

export * from './errors.js';
export * from './events.js';
export * from './messages.js';
