// The Janus client and the server's SFU side against a real Janus (Debian's /usr/bin/janus, started
// by the test on 127.0.0.1), and against a WebSocket server that never answers. No browser: media is
// in server/sfu.browser.test.ts.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { nextEvent, startServer, type TestClient } from '../test-support/harness.js';
import { janusUnavailableReason, startJanus, type Janus } from '../test-support/janus.js';
import { JanusError, openJanusSession } from './janus-connection.js';
import { VIDEOROOM_PLUGIN } from './videoroom.js';

const skip = janusUnavailableReason() ?? false;

describe('the Janus client against a WebSocket server that never answers', () => {
  it('times a transaction out, and a session that cannot be created fails to open', async () => {
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'janus-protocol' });
    await once(silent, 'listening');
    const seen: string[] = [];
    silent.on('connection', (ws) => ws.on('message', (data) => seen.push(JSON.parse(String(data)).janus)));
    try {
      const { port } = silent.address() as { port: number };
      const started = Date.now();
      await assert.rejects(openJanusSession(`ws://127.0.0.1:${port}`, { transactionTimeoutMs: 300 }), (error: unknown) => {
        assert.ok(error instanceof JanusError, String(error));
        assert.match(error.message, /did not answer 'create' within 300 ms/);
        return true;
      });
      assert.ok(Date.now() - started < 2_000, 'bounded by the timeout');
      assert.deepEqual(seen, ['create']);
    } finally {
      for (const client of silent.clients) client.terminate();
      silent.close();
    }
  });

  it('ends a session whose keepalive goes unanswered, and one that Janus times out', async () => {
    // Answers `create` (and `attach`), and nothing else.
    const mute = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'janus-protocol' });
    await once(mute, 'listening');
    const sockets: import('ws').WebSocket[] = [];
    mute.on('connection', (ws) => {
      sockets.push(ws);
      ws.on('message', (data) => {
        const { janus, transaction } = JSON.parse(String(data));
        if (janus === 'create') ws.send(JSON.stringify({ janus: 'success', transaction, data: { id: 77 } }));
      });
    });
    try {
      const { port } = mute.address() as { port: number };
      const quiet = await openJanusSession(`ws://127.0.0.1:${port}`, { keepaliveMs: 100, transactionTimeoutMs: 200 });
      assert.equal(quiet.id, 77);
      assert.match((await quiet.closed).message, /did not answer 'keepalive' within 200 ms/);
      const timedOut = await openJanusSession(`ws://127.0.0.1:${port}`);
      sockets.at(-1)!.send(JSON.stringify({ janus: 'timeout', session_id: 77 }));
      assert.match((await timedOut.closed).message, /timed the session out/);
    } finally {
      for (const client of mute.clients) client.terminate();
      mute.close();
    }
  });

  it('fails to open when nothing listens', async () => {
    const nobody = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(nobody, 'listening');
    const { port } = nobody.address() as { port: number };
    nobody.close();
    await assert.rejects(openJanusSession(`ws://127.0.0.1:${port}`), /ECONNREFUSED/);
  });
});

describe('against a real Janus', { skip }, () => {
  let janus: Janus;
  before(async () => {
    janus = await startJanus();
  });
  after(async () => {
    await janus?.stop();
  });

  it('opens a session, attaches VideoRoom handles, creates and destroys a room, and ends when closed', async () => {
    const session = await openJanusSession(janus.url);
    assert.ok(session.id > 0);
    const handle = await session.attach(VIDEOROOM_PLUGIN);
    const room = 424_242;
    const created = await handle.request({ request: 'create', room, publishers: 10, secret: 's3cret', permanent: false });
    assert.equal(created.data.videoroom, 'created');
    await assert.rejects(
      handle.request({ request: 'create', room }),
      (error: unknown) => error instanceof JanusError && error.code === 427,
    );
    const publisher = await session.attach(VIDEOROOM_PLUGIN);
    const joined = await publisher.request({ request: 'join', ptype: 'publisher', room, display: 'member-a' });
    assert.equal(joined.data.videoroom, 'joined');
    assert.equal(typeof joined.data.id, 'number');
    await publisher.detach();
    // The secret guards the room: a wrong one is refused.
    await assert.rejects(handle.request({ request: 'destroy', room, secret: 'wrong' }), (error: unknown) => error instanceof JanusError);
    assert.equal((await handle.request({ request: 'destroy', room, secret: 's3cret' })).data.videoroom, 'destroyed');
    session.close();
    assert.equal((await session.closed).message, 'closed');
    await assert.rejects(session.attach(VIDEOROOM_PLUGIN), /closed/);
  });

  it('ends the session when Janus goes away', async () => {
    const own = await startJanus();
    const session = await openJanusSession(own.url);
    await own.stop();
    assert.match((await session.closed).message, /closed/);
  });
});

describe('SFU rooms on the server, with a real Janus (no media)', { skip }, () => {
  let janus: Janus;
  let h: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    janus = await startJanus();
    h = await startServer({ janusUrl: janus.url, roomCapacity: 12, meshMax: 4 });
  });
  after(async () => {
    await h?.close();
    await janus?.stop();
  });

  const health = async () => (await fetch(`${h.url}/healthz`)).json();
  const join = async (client: TestClient, room: string, capacity?: number) => {
    const answer = await client.emitWithAck('join', { room, ...(capacity ? { capacity } : {}) });
    assert.equal(answer.ok, true, JSON.stringify(answer));
    return answer as Extract<typeof answer, { ok: true }>;
  };

  it('makes rooms above meshMax SFU rooms, and the others mesh rooms', async () => {
    const a = await h.client();
    const big = await join(a, 'big');
    assert.equal(big.mode, 'sfu');
    assert.equal(big.capacity, 12);
    const b = await h.client();
    const small = await join(b, 'small', 4);
    assert.equal(small.mode, 'mesh');
    const refused = await b.emitWithAck('sfu-signal', { link: 'publish', candidate: { candidate: '' } });
    assert.equal(!refused.ok && refused.error.code, 'bad_request');
    // An SFU room's subscribe answer with no offer to answer is the client's mistake.
    const early = await a.emitWithAck('sfu-signal', { link: 'subscribe', description: { type: 'answer', sdp: 'v=0\r\n' } });
    assert.equal(!early.ok && early.error.code, 'bad_request');
    const wrongWay = await a.emitWithAck('sfu-signal', { link: 'publish', description: { type: 'answer', sdp: 'v=0\r\n' } });
    assert.equal(!wrongWay.ok && wrongWay.error.code, 'bad_request');
    assert.deepEqual((await health()).sfu, { janus: 'up', rooms: 1 });
    a.disconnect();
    b.disconnect();
  });

  it('relays room-message to the other members of an SFU room, stamped with the sender', async () => {
    const [a, b, c] = [await h.client(), await h.client(), await h.client()];
    const ja = await join(a, 'chat', 6);
    await join(b, 'chat');
    await join(c, 'chat');
    const heard = [nextEvent(b, 'room-message'), nextEvent(c, 'room-message')];
    assert.deepEqual(await a.emitWithAck('room-message', { text: 'hello' }), { ok: true });
    for (const message of await Promise.all(heard)) assert.deepEqual(message, { from: ja.id, text: 'hello' });
    const tooLong = await a.emitWithAck('room-message', { text: 'x'.repeat(40_000) });
    assert.equal(!tooLong.ok && tooLong.error.code, 'bad_request');
    for (const client of [a, b, c]) client.disconnect();
  });

  it('tells SFU members when Janus goes and comes back; /healthz says so and stays 200', async () => {
    const a = await h.client();
    await join(a, 'restart', 8);
    const lost = nextEvent(a, 'sfu-state', 5_000);
    const port = janus.port;
    await janus.stop();
    assert.deepEqual(await lost, { ready: false });
    const down = await fetch(`${h.url}/healthz`);
    assert.equal(down.status, 200);
    assert.equal((await down.json()).sfu.janus, 'down');
    const refused = await a.emitWithAck('sfu-signal', { link: 'publish', candidate: { candidate: '' } });
    assert.equal(!refused.ok && refused.error.code, 'unavailable');
    // A member joining meanwhile hears it right after its join answer.
    const b = await h.client();
    const bLost = nextEvent(b, 'sfu-state');
    await join(b, 'restart');
    assert.deepEqual(await bLost, { ready: false });

    const back = [nextEvent(a, 'sfu-state', 15_000), nextEvent(b, 'sfu-state', 15_000)];
    janus = await startJanus({ port });
    assert.deepEqual(await Promise.all(back), [{ ready: true }, { ready: true }]);
    assert.equal((await health()).sfu.janus, 'up');
    a.disconnect();
    b.disconnect();
  });
});
