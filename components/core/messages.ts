import { utf8Length } from './peer-link.js';

/** The largest message `send()` takes: bytes of its JSON text as UTF-8 (what data channels count; 64 KiB is what every browser takes). */
export const MAX_MESSAGE_LENGTH = 65_536;

/** A message on the data channel, as text and its size in bytes. */
export interface EncodedMessage {
  text: string;
  bytes: number;
}

/**
 * Wraps `data` as a data-channel message (`{"data": ...}`).
 * @throws TypeError for data JSON cannot carry, RangeError when it is over {@link MAX_MESSAGE_LENGTH} bytes.
 */
export function encodeMessage(data: unknown): EncodedMessage {
  const text = data === undefined ? undefined : (JSON.stringify({ data }) as string | undefined);
  if (text === undefined) throw new TypeError('send(): data must be a JSON value');
  const bytes = utf8Length(text);
  if (bytes > MAX_MESSAGE_LENGTH) throw new RangeError(`send(): the message is ${bytes} bytes as JSON; at most ${MAX_MESSAGE_LENGTH}`);
  return { text, bytes };
}

/** The `data` of a data-channel message; null for text that is not one of ours. */
export function decodeMessage(text: string): { data: unknown } | null {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null; // not from an rtc-room peer
  }
  if (!message || typeof message !== 'object' || !('data' in message)) return null;
  return { data: message.data };
}
