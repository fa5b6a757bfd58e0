import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignalingClient } from './signaling-client.js';

type Listeners = { listeners(e: string): ((...a: unknown[]) => void)[] };
type Emits = { timeout(ms: number): { emitWithAck(...args: unknown[]): Promise<unknown> } };

describe('SignalingClient in SFU rooms', () => {
  it('passes on sfu-signal, sfu-state and room-message as typed events', () => {
    const client = new SignalingClient({ server: 'http://127.0.0.1:9' });
    const seen: unknown[] = [];
    for (const type of ['sfu-signal', 'sfu-state', 'room-message'] as const)
      client.addEventListener(type, (e) => seen.push([type, e.detail]));
    const socket = client.socket as unknown as Listeners;
    const offer = { link: 'subscribe', description: { type: 'offer', sdp: 'v=0' }, streams: [{ mid: '0', from: 'a', kind: 'audio' }] };
    for (const listener of socket.listeners('sfu-signal')) listener(offer);
    for (const listener of socket.listeners('sfu-state')) listener({ ready: false });
    for (const listener of socket.listeners('room-message')) listener({ from: 'a', text: '{"data":1}' });
    assert.deepEqual(seen, [
      ['sfu-signal', offer],
      ['sfu-state', { ready: false }],
      ['room-message', { from: 'a', text: '{"data":1}' }],
    ]);
    client.close();
  });

  it('sends sfu-signal and room-message and rejects with the server’s code', async () => {
    const client = new SignalingClient({ server: 'http://127.0.0.1:9' });
    const sent: unknown[][] = [];
    const socket = client.socket as unknown as Emits;
    socket.timeout = () => ({
      emitWithAck: async (...args) => (
        sent.push(args),
        args[0] === 'room-message' ? { ok: false, error: { code: 'bad_request', message: 'mesh room' } } : { ok: true }
      ),
    });
    await client.sfuSignal({ link: 'publish', candidate: { candidate: '' } });
    await assert.rejects(client.roomMessage('{"data":1}'), { code: 'bad_request' });
    assert.deepEqual(sent, [
      ['sfu-signal', { link: 'publish', candidate: { candidate: '' } }],
      ['room-message', { text: '{"data":1}' }],
    ]);
    client.close();
  });
});
