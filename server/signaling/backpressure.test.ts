// Attacks on the server's memory by clients that do not read (issue 17, finding 1): a socket that
// floods `leave` and unknown events without reading the answers, and a member that stops reading
// while the others send it 48 KB signals. The server runs in this process: its heap and external
// memory are this process's (the clients' share is kept small: they send in bounded batches).
import assert from 'node:assert/strict';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { MAX_SDP_LENGTH } from '../../protocol/index.js';
import { rawRequest, startServer, type TestClient } from '../test-support/harness.js';

/** Heap + external memory may grow at most this much while the attack runs (held at its end, after a collection). */
const GROWTH_LIMIT_MB = 32;
/** How long the senders keep at it (the flood stops sooner once every attacker is disconnected). */
const ATTACK_MS = 3_000;
const FLOOD_MS = 6_000;

/** A full collection, when the runtime lets us ask for one (then what is measured is what is held, not garbage). */
const collect: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
})();

const MB = 1024 * 1024;
/** The server's memory (this process): heap in use plus external (buffers). */
function memory(): number {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** Measures the memory held before and after `attack`, and the peak sampled while it runs. */
async function measured(attack: () => Promise<void>): Promise<{ before: number; after: number; peak: number }> {
  collect();
  const before = memory();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, memory())), 20);
  try {
    await attack();
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, memory());
  collect();
  return { before, after: memory(), peak };
}

/** The client's WebSocket (the `ws` package under socket.io-client in Node). */
function webSocketOf(client: TestClient): { bufferedAmount: number; _socket: { pause(): void } } {
  const ws = (client.io.engine.transport as unknown as { ws?: { bufferedAmount: number; _socket: { pause(): void } } }).ws;
  assert.ok(ws?._socket, 'the client runs on the WebSocket transport of the ws package');
  return ws;
}

/** The client stops reading: whatever the server sends it waits in the server's buffers. */
function stopReading(client: TestClient): void {
  webSocketOf(client)._socket.pause();
}

describe('clients that do not read', () => {
  it('a socket flooding leave and unknown events without reading is disconnected, and memory stays bounded', async (t) => {
    const h = await startServer();
    try {
      const attackers = [await h.client(), await h.client(), await h.client()];
      const ids = attackers.map((a) => a.id!);
      for (const attacker of attackers) stopReading(attacker);
      // Raw Socket.IO packets: `leave` with an acknowledgement (id 1, the server answers every one)
      // and unknown events, with and without one. Sent through the client's Engine.IO socket, so the
      // client keeps no callbacks.
      const frames = ['21["leave"]', `2["no-such-event",{"junk":"${'x'.repeat(200)}"}]`, '21["leave"]', '22["JOIN",{}]'];
      let sent = 0;
      const connected = () => ids.filter((id) => h.server.io.sockets.sockets.has(id));
      const m = await measured(async () => {
        const deadline = Date.now() + FLOOD_MS;
        while (Date.now() < deadline && connected().length > 0) {
          for (const attacker of attackers) {
            if (!h.server.io.sockets.sockets.has(attacker.id ?? '')) continue;
            const engine = attacker.io.engine;
            for (let k = 0; k < 200; k++) engine.write(frames[k % frames.length]!);
            sent += 200;
            // bounded on this side too: wait while the frames are not yet taken in
            while (webSocketOf(attacker).bufferedAmount > MB && Date.now() < deadline) await sleep(1);
          }
          await yieldToLoop();
        }
      });
      const growth = (m.after - m.before) / MB;
      t.diagnostic(
        `${sent} packets from ${attackers.length} sockets; heap+external ${(m.before / MB).toFixed(1)} MB -> ${(m.after / MB).toFixed(1)} MB ` +
          `(held: +${growth.toFixed(1)} MB; peak +${((m.peak - m.before) / MB).toFixed(1)} MB); still connected: ${connected().length}; ` +
          `counters ${JSON.stringify(h.server.counters)}`,
      );
      assert.deepEqual(connected(), [], 'every attacker was disconnected');
      assert.ok(growth < GROWTH_LIMIT_MB, `heap+external grew ${growth.toFixed(1)} MB`);
    } finally {
      await h.close();
    }
  });

  it('a member that stops reading while others send it 48 KB signals is disconnected as away, and memory stays bounded', async (t) => {
    const h = await startServer({ roomCapacity: 4 });
    try {
      const room = `slow-reader-${process.pid}`;
      const reader = await h.client();
      const { id: readerId } = await rawRequest(reader, 'join', { room });
      const senders = [await h.client(), await h.client(), await h.client()];
      for (const sender of senders) assert.equal((await rawRequest(sender, 'join', { room })).ok, true);
      const heardAway: string[] = [];
      for (const sender of senders) sender.on('peer-away', ({ id }) => heardAway.push(id));
      stopReading(reader);
      const sdp = `v=0\r\n${'a'.repeat(MAX_SDP_LENGTH - 5)}`;
      const answers = new Map<string, number>();
      let sent = 0;
      const m = await measured(async () => {
        const deadline = Date.now() + ATTACK_MS;
        // Each sender keeps a few signals in flight and waits for their answers: its own side stays small.
        await Promise.all(
          senders.map(async (sender) => {
            while (Date.now() < deadline && sent < 6_000) {
              const batch = Array.from({ length: 4 }, () => {
                sent++;
                return sender
                  .timeout(5_000)
                  .emitWithAck('signal', { to: readerId, description: { type: 'offer', sdp } })
                  .then((answer) => {
                    const code = answer.ok ? 'ok' : answer.error.code;
                    answers.set(code, (answers.get(code) ?? 0) + 1);
                  });
              });
              await Promise.all(batch);
            }
          }),
        );
      });
      const growth = (m.after - m.before) / MB;
      t.diagnostic(
        `${sent} signals of ${MAX_SDP_LENGTH / 1024} KB to a member that does not read; answers ${JSON.stringify(Object.fromEntries(answers))}; ` +
          `heap+external ${(m.before / MB).toFixed(1)} MB -> ${(m.after / MB).toFixed(1)} MB (held: +${growth.toFixed(1)} MB; ` +
          `peak +${((m.peak - m.before) / MB).toFixed(1)} MB); counters ${JSON.stringify(h.server.counters)}`,
      );
      assert.equal(h.server.io.sockets.sockets.has(reader.id ?? ''), false, 'the member that does not read was disconnected');
      assert.ok(growth < GROWTH_LIMIT_MB, `heap+external grew ${growth.toFixed(1)} MB`);
      assert.ok((answers.get('peer_away') ?? 0) > 0, 'signals to it are then answered peer_away');
      for (let i = 0; i < 50 && heardAway.length < senders.length; i++) await sleep(20);
      assert.deepEqual(
        heardAway,
        [readerId, readerId, readerId],
        'the others hear it is away (the reconnect grace), as for any dropped connection',
      );
    } finally {
      await h.close();
    }
  });
});
