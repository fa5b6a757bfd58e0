import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createBackpressure, cutOff, queuedBytes, type SendQueue } from './backpressure.js';

/** An Engine.IO connection as backpressure sees it: a write buffer, maybe a WebSocket, events, and what was done to it. */
function fakeConn({ packets = [] as unknown[], bufferedAmount = undefined as number | undefined, readyState = 'open' } = {}) {
  const calls: string[] = [];
  const conn = Object.assign(new EventEmitter(), {
    readyState,
    writeBuffer: packets.map((data) => ({ data })),
    transport:
      bufferedAmount === undefined
        ? { socket: undefined } // polling: no WebSocket
        : { socket: { bufferedAmount, terminate: () => void calls.push('terminate') } },
    close(discard?: boolean) {
      calls.push(discard ? 'close(discard)' : 'close');
      conn.readyState = 'closed';
    },
  }) satisfies SendQueue;
  return { conn, calls };
}

const KB = 1024;

describe('queuedBytes', () => {
  it("adds the WebSocket's buffered amount and the write buffer's packets", () => {
    const { conn } = fakeConn({ packets: ['x'.repeat(100), Buffer.alloc(50), undefined], bufferedAmount: 1_000 });
    assert.equal(queuedBytes(conn), 1_150);
  });

  it('counts the write buffer alone on polling (no WebSocket)', () => {
    const { conn } = fakeConn({ packets: ['x'.repeat(300)] });
    assert.equal(queuedBytes(conn), 300);
  });

  it('stops counting once past the limit (a long buffer is not walked to its end)', () => {
    const { conn } = fakeConn({ packets: Array.from({ length: 10_000 }, () => 'x'.repeat(KB)) });
    assert.equal(queuedBytes(conn, 10 * KB), 11 * KB);
  });
});

describe('cutOff', () => {
  it("closes the connection discarding its buffer, then drops the WebSocket's at once", () => {
    const { conn, calls } = fakeConn({ packets: ['x'], bufferedAmount: 10 });
    cutOff(conn);
    assert.deepEqual(calls, ['close(discard)', 'terminate']);
  });
});

describe('createBackpressure', () => {
  it('lets a socket with room in its queue be sent to, and leaves it open', () => {
    const { conn, calls } = fakeConn({ packets: ['x'.repeat(500 * KB)], bufferedAmount: 500 * KB });
    let cut = 0;
    const backpressure = createBackpressure(1024 * KB, () => cut++);
    assert.equal(backpressure.overflowing({ conn }), false);
    assert.deepEqual(calls, []);
    assert.equal(cut, 0);
  });

  it('cuts off a socket with more than the bound waiting for it, and says so', () => {
    const { conn, calls } = fakeConn({ packets: Array.from({ length: 30 }, () => 'x'.repeat(48 * KB)) });
    const seen: unknown[] = [];
    const socket = { conn, data: { ip: '192.0.2.1' } };
    const backpressure = createBackpressure(1024 * KB, (s) => seen.push(s));
    assert.equal(backpressure.overflowing(socket), true);
    assert.deepEqual(calls, ['close(discard)']);
    assert.deepEqual(seen, [socket]);
  });

  it('counts what the WebSocket holds: a member whose network stalled with a full socket buffer is cut off', () => {
    const { conn, calls } = fakeConn({ bufferedAmount: 2 * 1024 * KB });
    assert.equal(createBackpressure(1024 * KB).overflowing({ conn }), true);
    assert.deepEqual(calls, ['close(discard)', 'terminate']);
  });

  it('does nothing to a connection that is already closing, nor to a socket without one', () => {
    const { conn, calls } = fakeConn({ packets: ['x'.repeat(2 * 1024 * KB)], readyState: 'closing' });
    let cut = 0;
    const backpressure = createBackpressure(1024 * KB, () => cut++);
    assert.equal(backpressure.overflowing({ conn }), false);
    assert.equal(backpressure.overflowing({}), false);
    assert.deepEqual(calls, []);
    assert.equal(cut, 0);
  });

  it('cuts a socket off once: afterwards it is closed and nothing more is done', () => {
    const { conn, calls } = fakeConn({ packets: ['x'.repeat(2 * 1024 * KB)] });
    let cut = 0;
    const backpressure = createBackpressure(1024 * KB, () => cut++);
    assert.equal(backpressure.overflowing({ conn }), true);
    backpressure.overflowing({ conn });
    assert.equal(cut, 1);
    assert.deepEqual(calls, ['close(discard)']);
  });

  it('watches a socket: each packet queued for it, from whatever sender, checks it, and one over the bound cuts it off', () => {
    const { conn, calls } = fakeConn({ bufferedAmount: 0 });
    let cut = 0;
    const backpressure = createBackpressure(100 * KB, () => cut++);
    backpressure.watch({ conn });
    for (let i = 0; i < 2; i++) {
      conn.emit('packetCreate');
      conn.writeBuffer.push({ data: 'x'.repeat(48 * KB) });
    }
    assert.equal(cut, 0, '96 KB: under the bound');
    conn.emit('packetCreate');
    conn.writeBuffer.push({ data: 'x'.repeat(48 * KB) });
    conn.emit('packetCreate');
    assert.equal(cut, 1, '144 KB: over it');
    conn.emit('packetCreate');
    assert.equal(cut, 1, 'once cut off, nothing more is done');
    assert.deepEqual(calls, ['close(discard)', 'terminate']);
  });
});
