// Attacks on the shutdown: clients that complete a WebSocket upgrade and then never read again
// (nor answer the close frame) may not hold a SIGTERM or close() past its bounds.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { startServer } from './test-support/harness.js';
import { startServerProcess } from './test-support/server-process.js';

/** A client frame (clients mask theirs) with one text payload. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const masked = payload.map((byte, i) => byte ^ mask[i % 4]!);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/**
 * A raw TCP client that upgrades `path` to a WebSocket, sends `frames`, then stops reading for
 * good: whatever the server writes (the closing notice, the close frame) stays unread.
 */
async function neverReading(url: string, path: string, frames: string[] = []): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
      );
    });
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(head));
    };
    socket.on('data', onData);
  });
  for (const frame of frames) socket.write(maskedTextFrame(frame));
  socket.pause();
  return socket;
}

/** A polling session (no Origin) whose sid a WebSocket upgrade can then name. */
async function pollingSid(url: string): Promise<string> {
  const open = await (await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).text();
  return JSON.parse(open.slice(1)).sid as string;
}

describe('shutdown with clients that never read', () => {
  it('SIGTERM: the CLI exits 0 well within its 5 s timeout', { timeout: 30_000 }, async () => {
    const server = await startServerProcess();
    // A Socket.IO client on a WebSocket (the `40` connect: it gets the closing notice), then silence.
    const idle = await neverReading(server.url, '/socket.io/?EIO=4&transport=websocket', ['40']);
    try {
      const { code, ms } = await server.stop('SIGTERM');
      assert.equal(code, 0, server.output());
      assert.ok(ms < 4_000, `exited after ${ms} ms`);
    } finally {
      idle.destroy();
    }
  });

  it('close() ends within two seconds with a WebSocket and an upgrade under way that never read', { timeout: 10_000 }, async () => {
    const h = await startServer();
    const direct = await neverReading(h.url, '/socket.io/?EIO=4&transport=websocket', ['40']);
    const sid = await pollingSid(h.url);
    const probe = await neverReading(h.url, `/socket.io/?EIO=4&transport=websocket&sid=${sid}`);
    try {
      const t0 = performance.now();
      await h.server.close();
      const ms = performance.now() - t0;
      // close() resolves once the HTTP server has closed, that is, once its last connection has.
      assert.ok(ms < 2_000, `close() took ${Math.round(ms)} ms`);
    } finally {
      direct.destroy();
      probe.destroy();
    }
  });
});
