import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it, mock } from 'node:test';
import { DEFAULT_PACKET_BUDGET, DEFAULT_RATE_LIMITS, LIMITED_EVENTS, packetBudgetPerIp } from '../limits.js';
import { createAddressBudgets, createPacketBudget, meterPackets } from './budget.js';

/** A clock the test moves by hand (milliseconds). */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** How many of `n` packets sent at once the budget lets through. */
function spendMany(budget: { spend(): boolean }, n: number): number {
  let passed = 0;
  for (let i = 0; i < n; i++) if (budget.spend()) passed++;
  return passed;
}

describe('createPacketBudget', () => {
  it('lets a burst of `points` packets through at once and refuses the next', () => {
    const t = clock();
    const budget = createPacketBudget({ points: 100, duration: 10 }, t.now);
    assert.equal(spendMany(budget, 100), 100);
    assert.equal(budget.spend(), false);
  });

  it('refills at points per duration: a tenth of the duration gives back a tenth of the points', () => {
    const t = clock();
    const budget = createPacketBudget({ points: 100, duration: 10 }, t.now);
    spendMany(budget, 100);
    t.advance(1_000);
    assert.equal(spendMany(budget, 50), 10);
  });

  it('never holds more than `points`, however long the connection was quiet', () => {
    const t = clock();
    const budget = createPacketBudget({ points: 100, duration: 10 }, t.now);
    t.advance(3_600_000);
    assert.equal(spendMany(budget, 1_000), 100);
  });

  it('lets a steady flow at the budget rate through forever', () => {
    const t = clock();
    const budget = createPacketBudget({ points: 100, duration: 10 }, t.now);
    let refused = 0;
    for (let i = 0; i < 10_000; i++) {
      if (!budget.spend()) refused++;
      t.advance(100); // 10 per second = 100 per 10 s
    }
    assert.equal(refused, 0);
  });

  it('is not fooled by a clock that goes back', () => {
    const t = clock();
    const budget = createPacketBudget({ points: 10, duration: 10 }, t.now);
    spendMany(budget, 10);
    t.advance(-60_000);
    assert.equal(budget.spend(), false);
  });

  it('by default sits above every per-socket limit together, so a client that keeps to them never reaches it', () => {
    // Each limit at its worst within one budget duration: every window that overlaps it, full
    // (one that ends just inside it, the ones within, one that starts just before it ends).
    const D = DEFAULT_PACKET_BUDGET.duration;
    const worst = (event: (typeof LIMITED_EVENTS)[number]) => {
      const { points, duration } = DEFAULT_RATE_LIMITS[event].perSocket;
      return points * (Math.ceil(D / duration) + 1);
    };
    // A member of a mesh room sends `signal`s; one of an SFU room `sfu-signal`s and `room-message`s.
    const inMode = (others: string[]) =>
      LIMITED_EVENTS.filter((event) => !others.includes(event))
        .map(worst)
        .reduce((a, b) => a + b);
    const limited = Math.max(inMode(['sfu-signal', 'room-message']), inMode(['signal']));
    // `leave` (one per join), answers to the server's peer checks (7 peers at their limit), heartbeats.
    const unlimited = DEFAULT_RATE_LIMITS.join.perSocket.points * 2 + 7 * DEFAULT_RATE_LIMITS['peer-check'].perSocket.points * 2 + D;
    assert.ok(
      limited + unlimited < DEFAULT_PACKET_BUDGET.points,
      `${limited} limited and ${unlimited} other packets vs a budget of ${DEFAULT_PACKET_BUDGET.points}`,
    );
  });
});

describe('meterPackets', () => {
  it('calls `over` once, for the first packet past the budget', () => {
    const t = clock();
    const conn = new EventEmitter();
    let over = 0;
    meterPackets(conn, { points: 3, duration: 1 }, () => over++, t.now);
    for (let i = 0; i < 3; i++) conn.emit('packet');
    assert.equal(over, 0);
    conn.emit('packet');
    conn.emit('packet');
    assert.equal(over, 1);
  });

  it('counts every packet, whatever it is', () => {
    const t = clock();
    const conn = new EventEmitter();
    let over = 0;
    meterPackets(conn, { points: 4, duration: 1 }, () => over++, t.now);
    for (const packet of [
      { type: 'message', data: '2["no-such-event"]' },
      { type: 'pong' },
      { type: 'noop' },
      { type: 'message', data: '2["leave"]' },
    ]) {
      conn.emit('packet', packet);
    }
    conn.emit('packet', { type: 'message', data: '3[]' });
    assert.equal(over, 1);
  });
});

describe('createAddressBudgets', () => {
  it('shares one budget among the connections of an address, not with other addresses', () => {
    const t = clock();
    const budgets = createAddressBudgets({ points: 10, duration: 10 }, t.now);
    const [a, b] = [budgets.acquire('192.0.2.1'), budgets.acquire('192.0.2.1')];
    assert.equal(spendMany(a, 6) + spendMany(b, 6), 10);
    assert.equal(spendMany(budgets.acquire('192.0.2.2'), 10), 10);
    budgets.clear();
  });

  it('is not refilled by closing a connection and opening another', () => {
    const t = clock();
    const budgets = createAddressBudgets({ points: 10, duration: 10 }, t.now);
    const first = budgets.acquire('192.0.2.1');
    spendMany(first, 10);
    first.release();
    assert.equal(budgets.acquire('192.0.2.1').spend(), false);
    budgets.clear();
  });

  it('forgets an address a duration after its last connection closed', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const t = clock();
      const budgets = createAddressBudgets({ points: 10, duration: 10 }, t.now);
      const first = budgets.acquire('192.0.2.1');
      spendMany(first, 10);
      first.release();
      first.release(); // twice is once
      mock.timers.tick(9_999);
      assert.equal(budgets.acquire('192.0.2.1').spend(), false, 'back within the duration: the same budget');
      budgets.clear();
      const again = createAddressBudgets({ points: 10, duration: 10 }, t.now);
      const c = again.acquire('192.0.2.3');
      spendMany(c, 10);
      c.release();
      mock.timers.tick(10_000);
      assert.equal(spendMany(again.acquire('192.0.2.3'), 10), 10, 'a fresh budget');
    } finally {
      mock.timers.reset();
    }
  });

  it('by default holds ten connections’ budgets', () => {
    assert.deepEqual(packetBudgetPerIp(DEFAULT_PACKET_BUDGET), { points: 20_000, duration: 10 });
  });
});

describe('meterPackets with an address budget', () => {
  it('calls `over` when the address budget runs out, even with the connection’s own left', () => {
    const t = clock();
    const conn = new EventEmitter();
    const shared = createPacketBudget({ points: 2, duration: 10 }, t.now);
    let over = 0;
    meterPackets(conn, { points: 100, duration: 10 }, () => over++, t.now, shared);
    for (let i = 0; i < 3; i++) conn.emit('packet');
    assert.equal(over, 1);
  });
});
