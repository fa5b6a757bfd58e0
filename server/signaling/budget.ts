// A budget per connection: every packet it sends costs one point, whatever it is (an event known or
// not, refused, without an acknowledgement, an acknowledgement, a heartbeat). Counted where
// Engine.IO hands the packet on, before Socket.IO decodes it: a connection past its budget is
// closed, and the packet that went over is never handled nor answered.
import type { RateLimit } from '../limits.js';

/** One connection's budget. */
export interface PacketBudget {
  /** Spends a point for one packet; false when none is left (the connection is over its budget). */
  spend(): boolean;
}

/**
 * A token bucket: `points` to start with, refilled at `points` per `duration` seconds and never
 * above `points`. So a burst of `points` packets passes at once (a join's ICE candidates), and a
 * steady flow of `points / duration` per second passes forever.
 * @param now milliseconds (injected in tests)
 */
export function createPacketBudget({ points, duration }: RateLimit, now: () => number = Date.now): PacketBudget {
  const perMs = points / (duration * 1_000);
  let tokens = points;
  let last = now();
  return {
    spend() {
      const at = now();
      tokens = Math.min(points, tokens + Math.max(0, at - last) * perMs);
      last = at;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/** The part of a Socket.IO socket's Engine.IO connection that reports each packet it receives. */
export interface PacketSource {
  on(event: 'packet', listener: () => void): unknown;
}

/**
 * Charges every packet `conn` receives to a fresh budget; `over` is called once, for the first
 * packet past it (the caller closes the connection, so that packet goes no further).
 */
export function meterPackets(conn: PacketSource, limit: RateLimit, over: () => void, now?: () => number): void {
  const budget = createPacketBudget(limit, now);
  let spent = false;
  conn.on('packet', () => {
    if (spent || budget.spend()) return;
    spent = true;
    over();
  });
}
