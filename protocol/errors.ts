// Error codes and acknowledgements: every request is answered once, `{ ok: true, ... }` or `{ ok: false, error }`.

/** Every error code a server answers with. Closed: clients may switch over it exhaustively. */
export const ERROR_CODES = [
  'bad_request',
  'room_full',
  'not_joined',
  'unknown_peer',
  'peer_away',
  /** `peer-check` for an id that is not a member of the sender's room. */
  'not_in_room',
  'already_joined',
  'unavailable',
  'unauthorized',
  'rate_limited',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** With `rate_limited`: how long to wait before the same request can succeed, in ms. */
  retryAfterMs?: number;
}

/** Every acknowledgement is either `{ ok: true, ...result }` or `{ ok: false, error }`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };
export type AckCallback<T extends object = object> = (response: Ack<T>) => void;
