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
 * Charges every packet `conn` receives to a fresh budget, and to `shared` (its address's) too; `over`
 * is called once, for the first packet past either (the caller closes the connection, so that
 * packet goes no further).
 */
export function meterPackets(conn: PacketSource, limit: RateLimit, over: () => void, now?: () => number, shared?: PacketBudget): void {
  const budget = createPacketBudget(limit, now);
  let spent = false;
  conn.on('packet', () => {
    if (spent || (budget.spend() && (shared?.spend() ?? true))) return;
    spent = true;
    over();
  });
}

/** The budgets of addresses: one per IP, shared by its connections. */
export interface AddressBudgets {
  /** The budget of `ip` for one more connection; `release()` when that connection closes. */
  acquire(ip: string): PacketBudget & { release(): void };
  /** Forgets every address (the server is closing). */
  clear(): void;
}

/**
 * One budget per IP address, shared by all its connections, so that closing a connection and
 * opening another does not start afresh. An address is forgotten `duration` seconds after its
 * last connection closed (its bucket is full again by then: nothing is lost).
 */
export function createAddressBudgets(limit: RateLimit, now: () => number = Date.now): AddressBudgets {
  const byIp = new Map<string, { budget: PacketBudget; connections: number; idle?: ReturnType<typeof setTimeout> }>();
  return {
    acquire(ip) {
      let entry = byIp.get(ip);
      if (!entry) byIp.set(ip, (entry = { budget: createPacketBudget(limit, now), connections: 0 }));
      const held = entry;
      clearTimeout(held.idle);
      held.connections++;
      let released = false;
      return {
        spend: () => held.budget.spend(),
        release() {
          if (released) return;
          released = true;
          if (--held.connections > 0) return;
          held.idle = setTimeout(() => {
            if (held.connections === 0 && byIp.get(ip) === held) byIp.delete(ip);
          }, limit.duration * 1_000);
          held.idle.unref?.();
        },
      };
    },
    clear() {
      for (const { idle } of byIp.values()) clearTimeout(idle);
      byIp.clear();
    },
  };
}
