import { mark } from './marks.js';
import { SignalingClient, type SignalingClientOptions } from './signaling-client.js';

/** How long a connection opened early waits for its session before it is closed, in ms. */
export const EARLY_SIGNALING_TTL_MS = 10_000;

const waiting = new Map<string, SignalingClient>();
const keyOf = (options: SignalingClientOptions) =>
  JSON.stringify([options.server ?? '', options.requestTimeout ?? null, !!options.websocketOnly]);

/**
 * Opens a signaling connection ahead of the session that will use it: `/rtc-room.js` does, for a
 * `<rtc-room room>` already in the page, before the elements' code has run, so the socket's
 * handshake overlaps their evaluation and first render. The next session made with the same
 * options takes it ({@link takeEarlySignaling}); unused, it is closed after
 * {@link EARLY_SIGNALING_TTL_MS}.
 */
export function openEarlySignaling(options: SignalingClientOptions): void {
  const key = keyOf(options);
  if (waiting.has(key)) return;
  const client = new SignalingClient(options);
  waiting.set(key, client);
  client.connect().then(
    () => mark('socket-open'),
    () => {},
  ); // rejects only when closed unused
  setTimeout(() => {
    if (waiting.get(key) !== client) return;
    waiting.delete(key);
    client.close();
  }, EARLY_SIGNALING_TTL_MS);
}

/** The connection opened early for these options, once; null when there is none. */
export function takeEarlySignaling(options: SignalingClientOptions): SignalingClient | null {
  const key = keyOf(options);
  const client = waiting.get(key) ?? null;
  waiting.delete(key);
  return client;
}
