import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { SignalingError } from './errors.js';

/** The client events that cost something and are rate limited. */
export const LIMITED_EVENTS = [
  'join',
  'signal',
  'ice-servers',
  'refresh-token',
  'preflight',
  'media-state',
  'peer-check',
  'sfu-signal',
  'room-message',
] as const;
export type LimitedEvent = (typeof LIMITED_EVENTS)[number];

/** `points` requests per `duration` seconds. */
export interface RateLimit {
  readonly points: number;
  readonly duration: number;
}

const count = z
  .number({ error: '{} must be a positive integer' })
  .int('{} must be a positive integer')
  .min(1, '{} must be a positive integer');
/** One limit, as options take it (server/options.ts) and as `RATE_LIMIT_*` variables give it. */
export const rateLimitSchema = z.object({ points: count, duration: count }, { error: '{} must be { points, duration }' });

/** Per event: a limit for each socket and one shared by every socket of an IP address. */
export type RateLimits = { readonly [E in LimitedEvent]: { readonly perSocket: RateLimit; readonly perIp: RateLimit } };

/**
 * Generous enough for real calls. Measured (scripts/bench-signals.ts, demo pages in Chromium, host
 * candidates only): at most 5 signals per member socket in a call of 2, 23 in a mesh of 4, 45 in a
 * mesh of 6, all within about one second. With STUN and TURN a member gathers ~20 candidates per
 * peer (srflx, relay over UDP/TCP/TLS), so a newcomer to a mesh of 8 sends ~150 at once, and ICE
 * restarts send them again. Per IP, many members may sit behind one NAT (an office).
 */
export const DEFAULT_RATE_LIMITS: RateLimits = Object.freeze({
  join: { perSocket: { points: 10, duration: 60 }, perIp: { points: 60, duration: 60 } },
  signal: { perSocket: { points: 500, duration: 10 }, perIp: { points: 5_000, duration: 10 } },
  'ice-servers': { perSocket: { points: 10, duration: 60 }, perIp: { points: 120, duration: 60 } },
  // A page hands over a fresh token once per token lifetime (minutes); a few retries pass.
  'refresh-token': { perSocket: { points: 5, duration: 60 }, perIp: { points: 120, duration: 60 } },
  // A setup check asks once per click; a person toggles mute or camera a few times a minute.
  preflight: { perSocket: { points: 10, duration: 60 }, perIp: { points: 120, duration: 60 } },
  'media-state': { perSocket: { points: 60, duration: 10 }, perIp: { points: 600, duration: 10 } },
  // A member asks once per peer whose connection went quiet: a few in a mesh of 8, and again later.
  'peer-check': { perSocket: { points: 20, duration: 10 }, perIp: { points: 200, duration: 10 } },
  // An SFU room's member signals two links to the server instead of one per other member.
  'sfu-signal': { perSocket: { points: 500, duration: 10 }, perIp: { points: 5_000, duration: 10 } },
  // Chat in an SFU room: a person types a few lines a second at most; bursts of pasted lines pass.
  'room-message': { perSocket: { points: 50, duration: 10 }, perIp: { points: 500, duration: 10 } },
});
/** `500/10`, the form the `RATE_LIMIT_*` variables take. */
export function formatRateLimit(limit: RateLimit): string {
  return `${limit.points}/${limit.duration}`;
}

/** Socket.IO connections one IP address may hold at once. */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 50;

/**
 * Packets one connection may send, whatever they are: events known or not, with or without an
 * acknowledgement, refused ones, `leave` (which has no limit of its own), answers to the server's
 * peer checks, heartbeats. Past it the connection is closed instead of answered. It sits above the
 * per-socket limits together, each at its worst (a window's worth at the end of one window and
 * another at the start of the next: 1,000 signals (or SFU signals: a member sends one or the
 * other), 120 media states, 40 peer checks, 20 joins, 20 ICE, 10 token refreshes and 20 preflight
 * requests within 10 s, 1,230 in all), so a client that keeps to those never
 * reaches it. Refilled at 200 a second, ten times what a call needs.
 */
export const DEFAULT_PACKET_BUDGET: RateLimit = Object.freeze({ points: 2_000, duration: 10 });

/**
 * Packets all connections of one IP address may send together: ten connections' budgets, refilled
 * at ten times the rate. A client that closes its connection and opens another keeps spending it
 * (a connection's own budget starts full). It sits above what the per-IP rate limits let through
 * together (about 7,000 requests a 10 s window, twice that across two windows), so members behind
 * one NAT that keep to those never reach it.
 */
export function packetBudgetPerIp(perConnection: RateLimit): RateLimit {
  return Object.freeze({ points: perConnection.points * 10, duration: perConnection.duration });
}

/**
 * Bytes that may wait to be sent to one connection (what its WebSocket has not yet handed to the
 * network, and what Engine.IO holds for it): about twenty 48 KB descriptions. A client that reads
 * never comes near it on any network that can carry a call; one that stops reading reaches it, and
 * is closed rather than sent more.
 */
export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;

export interface RateLimiter {
  /** Counts one `event` for this socket and IP; rejects with `rate_limited` (and `retryAfterMs`) when over. */
  consume(event: LimitedEvent, socketId: string, ip: string): Promise<void>;
  /** Forgets a closed socket's counters. */
  forget(socketId: string): void;
}

/** Merges partial limits over the defaults and checks them (a RangeError names the bad one). */
export function resolveRateLimits(partial: { [E in LimitedEvent]?: { perSocket?: RateLimit; perIp?: RateLimit } } = {}): RateLimits {
  const out = {} as { -readonly [E in LimitedEvent]: RateLimits[E] };
  for (const event of LIMITED_EVENTS) {
    const limits = { ...DEFAULT_RATE_LIMITS[event], ...partial[event] };
    for (const [scope, limit] of Object.entries(limits)) {
      if (!rateLimitSchema.safeParse(limit).success) {
        throw new RangeError(`rate limit ${event} ${scope}: points and duration must be positive integers`);
      }
    }
    out[event] = Object.freeze(limits);
  }
  return Object.freeze(out);
}

/** In-memory rate limiting (one server instance) with rate-limiter-flexible. */
export function createRateLimiter(limits: RateLimits): RateLimiter {
  const limiters = new Map(
    LIMITED_EVENTS.map((event) => {
      const { perSocket, perIp } = limits[event];
      return [
        event,
        {
          socket: new RateLimiterMemory({ ...perSocket, keyPrefix: `s:${event}` }),
          ip: new RateLimiterMemory({ ...perIp, keyPrefix: `i:${event}` }),
        },
      ];
    }),
  );
  const refuse = (event: LimitedEvent, result: unknown) => {
    if (!(result instanceof RateLimiterRes)) throw result;
    const retryAfterMs = Math.max(1, Math.ceil(result.msBeforeNext));
    return new SignalingError('rate_limited', `Too many '${event}' requests; try again in ${retryAfterMs} ms`, { retryAfterMs });
  };
  return {
    async consume(event, socketId, ip) {
      const { socket, ip: perIp } = limiters.get(event)!;
      await socket.consume(socketId).catch((result) => Promise.reject(refuse(event, result)));
      await perIp.consume(ip).catch((result) => Promise.reject(refuse(event, result)));
    },
    forget(socketId) {
      for (const { socket } of limiters.values()) void socket.delete(socketId);
    },
  };
}
