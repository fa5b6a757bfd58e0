/**
 * Access tokens: a JWT that a back-end hands a browser so that it may join one room (or the rooms
 * under a prefix). Verified with `jose`: HS256 with a shared secret, or ES256 with a public key.
 *
 * Claims: `room` (a room name, or a prefix ending in `*`), `sub` (who), `name` (display name,
 * optional), `exp` (required) and optional `publish: false` (a receive-only member).
 */
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import { SignalingError } from '../errors.js';
import { cleanName, MAX_NAME_LENGTH, MAX_TOKEN_LENGTH, ROOM_NAME_PATTERN } from '../../protocol/index.js';

/** Shortest HS256 secret accepted: 32 bytes, the size of the HMAC-SHA256 output (RFC 7518 §3.2). */
export const MIN_SECRET_LENGTH = 32;
/** The one answer to every refused token: which check failed is never said. */
export const UNAUTHORIZED_MESSAGE = 'A valid access token for this room is required';
/** Allowed clock skew between the minting back-end and this server, in seconds. */
const CLOCK_TOLERANCE_S = 5;

export interface AccessTokenKeys {
  /** HS256 shared secret (`ACCESS_TOKEN_SECRET`), at least 32 characters. */
  secret?: string;
  /** ES256 public key, PEM (`ACCESS_TOKEN_PUBLIC_KEY`). */
  publicKey?: string;
}

/** What a verified token grants one member. */
export interface AccessGrant {
  /** The token's `sub`: the back-end's id for this person. */
  sub: string;
  /** The token's `name`, cleaned like any display name; undefined when the token has none. */
  name?: string;
  /** False for a receive-only member. */
  publish: boolean;
  /** Unix time in ms from which this server counts the token as expired (`exp` plus the allowed clock skew). */
  expiresAt: number;
}

export interface AccessTokenVerifier {
  /** `hs256`, `es256` or `hs256+es256`. */
  readonly algorithms: string;
  /** Resolves with the grant, or rejects with `unauthorized` (always the same message). */
  verify(token: unknown, room: string): Promise<AccessGrant>;
}

const roomClaim = z
  .string()
  .refine(
    (room) => ROOM_NAME_PATTERN.test(room) || (room.endsWith('*') && (room === '*' || ROOM_NAME_PATTERN.test(room.slice(0, -1)))),
    'a room name, or a prefix ending in *',
  );

/** Who a token names: shown to the other members, so no control, format (bidi, zero-width), separator or private-use characters. */
const SUB_PATTERN = /^[^\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]{1,256}$/u;

const claimsSchema = z.object({
  room: roomClaim,
  sub: z.string().max(256).regex(SUB_PATTERN),
  name: z
    .string()
    .max(MAX_NAME_LENGTH * 4)
    .optional(),
  exp: z.number(),
  publish: z.boolean().optional(),
});

/** Whether a token's `room` claim covers `room`: equal, or a prefix ending in `*`. */
export function roomGranted(claim: string, room: string): boolean {
  return claim.endsWith('*') ? room.startsWith(claim.slice(0, -1)) : claim === room;
}

/** Turns a PEM from an environment variable (often with literal `\n`) into a key. */
function pem(text: string): string {
  return text.includes('\\n') ? text.replace(/\\n/g, '\n') : text;
}

/** Checks the keys and builds a verifier; throws a TypeError for a short secret or a non-EC key. */
export function createAccessTokenVerifier(keys: AccessTokenKeys): AccessTokenVerifier {
  const { secret, publicKey } = keys;
  if (!secret && !publicKey) throw new TypeError('createAccessTokenVerifier: give a secret or a public key');
  let hs: KeyObject | undefined;
  let es: KeyObject | undefined;
  if (secret) {
    if (secret.length < MIN_SECRET_LENGTH) throw new TypeError(`the access token secret must be at least ${MIN_SECRET_LENGTH} characters`);
    hs = createSecretKey(Buffer.from(secret, 'utf8'));
  }
  if (publicKey) {
    try {
      es = createPublicKey(pem(publicKey));
    } catch (cause) {
      throw new TypeError('the access token public key is not a PEM public key', { cause });
    }
    if (es.asymmetricKeyType !== 'ec' || es.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new TypeError('the access token public key must be an EC P-256 key (ES256)');
    }
  }
  const algorithms = [...(hs ? ['HS256'] : []), ...(es ? ['ES256'] : [])];
  const refuse = (cause?: unknown) => new SignalingError('unauthorized', UNAUTHORIZED_MESSAGE, { cause });

  return {
    algorithms: algorithms.join('+').toLowerCase(),
    async verify(token, room) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw refuse();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, (header) => (header.alg === 'ES256' ? es : hs) as KeyObject, {
          algorithms,
          clockTolerance: CLOCK_TOLERANCE_S,
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (error) {
        if (error instanceof joseErrors.JOSEError || error instanceof TypeError) throw refuse(error);
        throw error;
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success || !roomGranted(claims.data.room, room)) throw refuse(claims.error);
      const name = claims.data.name === undefined ? undefined : cleanName(claims.data.name);
      return {
        sub: claims.data.sub,
        ...(name !== undefined ? { name } : {}),
        publish: claims.data.publish !== false,
        expiresAt: (claims.data.exp + CLOCK_TOLERANCE_S) * 1000,
      };
    },
  };
}

export interface MintAccessTokenOptions {
  /** A room name, or a prefix ending in `*` (`team-42-*`). */
  room: string;
  /** Who this is (your user id); other members see it as the member's `sub`. */
  sub: string;
  /** Display name shown to the others; it wins over the name the page sends. */
  name?: string;
  /** `false`: a receive-only member (joins without camera and microphone). @default true */
  publish?: boolean;
  /** Lifetime in seconds. @default 3600 */
  ttl?: number;
  /** HS256 shared secret (the server's `ACCESS_TOKEN_SECRET`). */
  secret?: string;
  /** ES256 private key, PEM (its public key is the server's `ACCESS_TOKEN_PUBLIC_KEY`). */
  privateKey?: string;
}

/** Mints an access token for `<rtc-room token>`: call it from your back-end, once per person and room. */
export async function mintAccessToken(options: MintAccessTokenOptions): Promise<string> {
  const { room, sub, name, publish, ttl = 3600, secret, privateKey } = options;
  if (!roomClaim.safeParse(room).success) throw new TypeError('mintAccessToken: room must be a room name or a prefix ending in *');
  if (!sub) throw new TypeError('mintAccessToken: sub is required');
  if (!SUB_PATTERN.test(sub))
    throw new TypeError('mintAccessToken: sub must be at most 256 characters, without control or format characters');
  if (!Number.isInteger(ttl) || ttl < 1) throw new TypeError('mintAccessToken: ttl must be a positive number of seconds');
  if (Boolean(secret) === Boolean(privateKey)) throw new TypeError('mintAccessToken: give either secret or privateKey');
  if (secret && secret.length < MIN_SECRET_LENGTH)
    throw new TypeError(`mintAccessToken: the secret must be at least ${MIN_SECRET_LENGTH} characters`);
  const jwt = new SignJWT({ room, ...(name !== undefined ? { name } : {}), ...(publish === false ? { publish: false } : {}) })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttl);
  if (secret) return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(createSecretKey(Buffer.from(secret, 'utf8')));
  return jwt.setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(createPrivateKey(pem(privateKey!)));
}
