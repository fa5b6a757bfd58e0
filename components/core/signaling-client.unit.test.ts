import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropReason, SignalingClient } from './signaling-client.js';

describe('dropReason', () => {
  it('says nothing when this client closed the connection itself', () => {
    assert.equal(dropReason('io client disconnect'), null);
  });

  it('names a disconnect by the server server-disconnect', () => {
    assert.equal(dropReason('io server disconnect'), 'server-disconnect');
  });

  it('names every broken transport transport', () => {
    for (const why of ['transport close', 'transport error', 'ping timeout', 'parse error']) assert.equal(dropReason(why), 'transport');
  });
});

describe('SignalingClient', () => {
  it('connects under the server URL’s path prefix, and a failed attempt names the URL it tried', async () => {
    const client = new SignalingClient({ server: 'http://127.0.0.1:9/rtc' });
    const socket = client.socket as unknown as {
      io: { opts: { path: string } };
      emitReserved(event: string, ...args: unknown[]): void;
      connect(): void;
    };
    assert.equal(socket.io.opts.path, '/rtc/socket.io/');
    socket.connect = () => {}; // no network: the test plays the socket's events
    const failures: string[] = [];
    const connected = client.connect((error) => failures.push(`${error.code}: ${error.message}`));
    socket.emitReserved('connect_error', new Error('xhr poll error'));
    socket.emitReserved('connect');
    await connected;
    assert.equal(failures.length, 1);
    assert.match(
      failures[0]!,
      /^connect_failed: No rtc-room server answered at http:\/\/127\.0\.0\.1:9\/rtc\/socket\.io\/ .*npx rtc-room-server/,
    );
    client.close();
  });

  it('emits dropped once per outage and restored when the connection is back', () => {
    const client = new SignalingClient({ server: 'http://127.0.0.1:9' });
    const seen: string[] = [];
    client.addEventListener('dropped', (e) => seen.push(`dropped:${e.detail.reason}`));
    client.addEventListener('restored', () => seen.push('restored'));
    const socket = client.socket as unknown as { emitReserved(event: string, ...args: unknown[]): void; connect(): void };
    socket.connect = () => {}; // no network: the test plays the socket's events
    socket.emitReserved('connect');
    socket.emitReserved('disconnect', 'transport close');
    socket.emitReserved('disconnect', 'ping timeout');
    socket.emitReserved('connect');
    assert.deepEqual(seen, ['dropped:transport', 'restored']);
    client.close();
  });

  it('reports server closing before the server’s own disconnect, once', () => {
    const client = new SignalingClient({ server: 'http://127.0.0.1:9' });
    const reasons: string[] = [];
    client.addEventListener('dropped', (e) => reasons.push(e.detail.reason));
    const socket = client.socket as unknown as {
      emitReserved(event: string, ...args: unknown[]): void;
      connect(): void;
      listeners(e: string): ((...a: unknown[]) => void)[];
    };
    let reconnects = 0;
    socket.connect = () => void reconnects++;
    for (const listener of socket.listeners('server-closing')) listener({ reason: 'shutdown' });
    socket.emitReserved('disconnect', 'io server disconnect');
    assert.deepEqual(reasons, ['server closing']);
    assert.equal(reconnects, 1, 'reconnects by itself after the server disconnected it');
    client.close();
  });

  it('is not connected before connect()', () => {
    const client = new SignalingClient({ server: 'http://127.0.0.1:9' });
    assert.equal(client.connected, false);
    client.close();
  });

  it('sends no leave beacon while disconnected', () => {
    const client = new SignalingClient({ server: 'http://127.0.0.1:9' });
    const emitted: string[] = [];
    client.socket.emit = ((event: string) => emitted.push(event)) as never;
    client.leaveBeacon();
    assert.deepEqual(emitted, []);
    client.close();
  });

  it('passes on peer-unreachable with the sender the server stamped', () => {
    const client = new SignalingClient({ server: 'http://127.0.0.1:9' });
    const seen: string[] = [];
    client.addEventListener('peer-unreachable', (e) => seen.push(e.detail.from));
    const socket = client.socket as unknown as { listeners(e: string): ((...a: unknown[]) => void)[] };
    for (const listener of socket.listeners('peer-unreachable')) listener({ from: 'a' });
    assert.deepEqual(seen, ['a']);
    client.close();
  });

  it('says it gave a member up as a peer-check with unreachable: true', async () => {
    const client = new SignalingClient({ server: 'http://127.0.0.1:9' });
    const sent: unknown[][] = [];
    const socket = client.socket as unknown as { timeout(ms: number): { emitWithAck(...args: unknown[]): Promise<unknown> } };
    socket.timeout = () => ({ emitWithAck: async (...args) => (sent.push(args), { ok: true, alive: true }) });
    await client.peerUnreachable('a');
    assert.deepEqual(sent, [['peer-check', { id: 'a', unreachable: true }]]);
    client.close();
  });
});
