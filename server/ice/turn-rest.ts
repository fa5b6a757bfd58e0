import { createHmac } from 'node:crypto';
import type { IceServer } from '../../protocol/index.js';
import type { IceServerProvider } from './provider.js';

/** Credential lifetime when none is given: one hour. */
export const DEFAULT_TURN_REST_TTL_SECONDS = 3600;

/** A `turn:` or `turns:` URL (one; lists are split on commas before this test). */
export const TURN_URL_PATTERN = /^turns?:[^\s,]+$/;

export interface TurnRestIceProviderOptions {
  /** `turn:`/`turns:` URLs handed out with the credentials (at least one). */
  urls: string[];
  /**
   * Shared secrets, as in coturn's `static-auth-secret`. The first signs; the others only matter
   * to the TURN server, which accepts any of them while a secret is being rotated.
   */
  secrets: string[];
  /**
   * How long a credential works, in seconds.
   * @default 3600
   */
  ttlSeconds?: number | undefined;
  /** Static entries (e.g. STUN) served before the TURN entry. @default [] */
  extra?: readonly IceServer[] | undefined;
  /** The clock, in Unix ms (for tests). @default Date.now */
  now?: (() => number) | undefined;
}

/** The TURN REST username: `<expiry-unix-seconds>:<user-id>`. */
export function turnRestUsername(expiryUnixSeconds: number, userId: string): string {
  return `${expiryUnixSeconds}:${userId}`;
}

/** The TURN REST password: base64(HMAC-SHA1(secret, username)), as coturn's `use-auth-secret` checks it. */
export function turnRestCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/**
 * Short-lived TURN credentials for coturn's `use-auth-secret` mode (the "TURN REST API"):
 * each member gets a username naming its peer id and an expiry (the earlier of `ttlSeconds` from
 * now and the request's `notAfter`), signed with the first secret.
 * Throws when the options are unusable (programmer or configuration error).
 */
export function createTurnRestIceProvider(options: TurnRestIceProviderOptions): IceServerProvider {
  const urls = [...(options.urls ?? [])];
  if (urls.length === 0) throw new Error('createTurnRestIceProvider: `urls` must name at least one turn: or turns: URL');
  const bad = urls.find((url) => typeof url !== 'string' || !TURN_URL_PATTERN.test(url));
  if (bad !== undefined) throw new Error(`createTurnRestIceProvider: '${String(bad)}' is not a turn: or turns: URL`);
  const secrets = [...(options.secrets ?? [])];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new Error('createTurnRestIceProvider: `secrets` must hold at least one non-empty secret');
  }
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TURN_REST_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new Error('createTurnRestIceProvider: `ttlSeconds` must be a positive integer');
  }
  const extra = (options.extra ?? []).map((s) => ({ ...s }));
  const now = options.now ?? Date.now;
  const signingSecret = secrets[0]!;

  return {
    name: 'turn-rest',
    async getIceServers({ peerId, notAfter }) {
      // The earlier of the TTL and the member's access token: credentials never outlive the token.
      const ttlExpiry = Math.floor(now() / 1000) + ttlSeconds;
      const expiry = notAfter === undefined ? ttlExpiry : Math.min(ttlExpiry, Math.floor(notAfter / 1000));
      const username = turnRestUsername(expiry, peerId);
      const turn: IceServer = { urls: [...urls], username, credential: turnRestCredential(signingSecret, username) };
      const copies = extra.map((s) => ({ ...s, urls: Array.isArray(s.urls) ? [...s.urls] : s.urls }));
      return { iceServers: [...copies, turn], expiresAt: expiry * 1000 };
    },
    health() {
      return { ok: true };
    },
  };
}
