import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { io as connect } from 'socket.io-client';
import { memberIdFor } from './index.js';
import { dropConnection, nextEvent, rawRequest, recordAll, startServer, type TestClient } from '../test-support/harness.js';

const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
let roomSeq = 0;
const room = () => `resume-${process.pid}-${++roomSeq}`;
const join = (socket: TestClient, body: unknown) => rawRequest(socket, 'join', body);

/** A new Engine.IO handshake (polling): its HTTP status and body, or 'no connection' once the port is closed. */
const handshake = (url: string) =>
  fetch(`${url}/socket.io/?EIO=4&transport=polling`).then(
    async (res) => `${res.status} ${await res.text()}`,
    () => 'no connection',
  );

/**
 * A long-polling session that stops polling once in: whatever the server sends it waits in its
 * buffer, so a shutdown's flush takes its whole bound (a client on a bad network, made exact).
 */
async function idlePollingSession(url: string): Promise<void> {
  const base = `${url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = JSON.parse(open.slice(1)).sid as string;
  assert.equal(await (await fetch(`${base}&sid=${sid}`, { method: 'POST', body: '40' })).text(), 'ok');
  assert.match(await (await fetch(`${base}&sid=${sid}`)).text(), /^40/, 'in the namespace');
}

describe('reconnects: members come back as themselves', () => {
  const servers: { close(): Promise<void> }[] = [];
  const start = async (options: Parameters<typeof startServer>[0] = {}) => {
    const h = await startServer({ roomCapacity: 2, reconnectGrace: 5, ...options });
    servers.push(h);
    return h;
  };
  after(() => Promise.all(servers.map((s) => s.close())));

  it('a dropped member keeps its place; resuming gives its id back and the others hear peer-joined, never peer-left', async () => {
    const h = await start();
    const name = room();
    const a = await h.client();
    const b = await h.client();
    const ja = await join(a, { room: name, name: 'Ada' });
    const jb = await join(b, { room: name, name: 'Bob' });
    const seenByA = recordAll(a);
    const away = nextEvent(a, 'peer-away');
    dropConnection(b);
    assert.deepEqual(await away, { id: jb.id });
    // Signals to a member that is away are refused with a code, not dropped in silence.
    assert.equal((await rawRequest(a, 'signal', { to: jb.id, description: OFFER })).error.code, 'peer_away');
    // Its place is held: the room of two is still full.
    assert.equal((await join(await h.client(), { room: name })).error.code, 'room_full');

    const b2 = await h.client();
    const back = nextEvent(a, 'peer-joined');
    const again = await join(b2, { room: name, name: 'Bob', resume: jb.resumeToken });
    assert.equal(again.ok, true);
    assert.equal(again.id, jb.id);
    assert.equal(again.resumeToken, jb.resumeToken);
    assert.deepEqual(again.peers, [{ id: ja.id, name: 'Ada' }]);
    assert.deepEqual(await back, { id: jb.id, name: 'Bob' });
    const relayed = nextEvent(b2, 'signal');
    assert.deepEqual(await rawRequest(a, 'signal', { to: jb.id, description: OFFER }), { ok: true });
    assert.deepEqual(await relayed, { from: ja.id, description: OFFER });
    assert.ok(!seenByA.includes('peer-left'), `a saw ${seenByA.join(', ')}`);
  });

  it('the id is the hash of room and token: a member resumes on a restarted server with an empty memory', async () => {
    const first = await start();
    const name = room();
    const ja = await join(await first.client(), { room: name });
    assert.equal(ja.id, memberIdFor(name, undefined, ja.resumeToken));
    await first.close();
    const second = await start();
    const again = await join(await second.client(), { room: name, resume: ja.resumeToken });
    assert.equal(again.id, ja.id);
    // A token someone made up gives a fresh member, never somebody else's id.
    const other = await join(await second.client(), { room: name, resume: 'x'.repeat(43) });
    assert.notEqual(other.id, ja.id);
    assert.equal(other.id, memberIdFor(name, undefined, 'x'.repeat(43)));
  });

  it('resuming while the old connection lingers takes the place over and closes the old socket quietly', async () => {
    const h = await start();
    const name = room();
    const a = await h.client();
    const b = await h.client();
    await join(a, { room: name });
    const jb = await join(b, { room: name });
    const seenByA = recordAll(a);
    const closed = nextEvent<string>(b, 'disconnect');
    const b2 = await h.client();
    const again = await join(b2, { room: name, resume: jb.resumeToken });
    assert.equal(again.id, jb.id);
    assert.equal(await closed, 'io server disconnect');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seenByA, ['peer-joined'], 'the others hear the member is back, nothing else');
    assert.equal((await h.server.rooms.members(name)).length, 2);
  });

  it('after the grace the member is gone for everyone, and a late resume is a new arrival', async () => {
    const h = await start({ reconnectGrace: 0.2 });
    const name = room();
    const a = await h.client();
    const b = await h.client();
    await join(a, { room: name });
    const jb = await join(b, { room: name });
    const gone = nextEvent(a, 'peer-left');
    const t0 = Date.now();
    dropConnection(b);
    assert.deepEqual(await gone, { id: jb.id });
    assert.ok(Date.now() - t0 >= 150, 'not before the grace');
    const late = await join(await h.client(), { room: name, resume: jb.resumeToken });
    assert.equal(late.id, jb.id);
  });

  it('dead connections are noticed within 15 s: pings every 10 s, 5 s to answer', async () => {
    const h = await start();
    const c = await h.client();
    // what the server announced in the Engine.IO handshake
    const engine = (c.io as unknown as { engine: { _pingInterval: number; _pingTimeout: number } }).engine;
    assert.deepEqual([engine._pingInterval, engine._pingTimeout], [10_000, 5_000]);
  });

  it('refuses a malformed resume token', async () => {
    const h = await start();
    const res = await join(await h.client(), { room: room(), resume: 'short' });
    assert.equal(res.error.code, 'bad_request');
    assert.match(res.error.message, /resume/);
  });

  it('close() tells every client, which then reconnects by itself', async () => {
    const h = await start();
    const a: TestClient = connect(h.url, { transports: ['websocket'], forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    await nextEvent(a, 'connect');
    await rawRequest(a, 'join', { room: room() });
    const notice = nextEvent(a, 'server-closing');
    const dropped = nextEvent<string>(a, 'disconnect');
    const closing = h.server.close();
    assert.deepEqual(await notice, { reason: 'shutdown' });
    assert.equal(await dropped, 'transport close', 'a transport close, after which socket.io-client reconnects');
    await closing;
    a.close();
  });

  it('from the moment close() begins, new handshakes are refused and joins answer unavailable', async () => {
    const h = await start();
    const member = await h.client();
    await join(member, { room: room() });
    const connected = await h.client(); // connected before, joining only now
    await idlePollingSession(h.url);
    let closed = false;
    const notice = nextEvent(member, 'server-closing');
    const closing = h.server.close().then(() => (closed = true));
    await notice;
    // the idle session holds the flush open for its bound (500 ms): all of this happens within it
    const refusedBefore = h.server.counters.refusedConnections;
    assert.match(await handshake(h.url), /^403 .*server_closing/);
    await assert.rejects(h.client(), 'a WebSocket handshake too');
    assert.equal(h.server.counters.refusedConnections, refusedBefore + 2);
    const late = await join(connected, { room: room() });
    assert.equal(late.error?.code, 'unavailable', JSON.stringify(late));
    assert.equal(closed, false, 'checked while the notice was being flushed');
    await closing;
  });
});

describe('the CLI process on SIGTERM', () => {
  it('tells every client and exits 0 within five seconds', { timeout: 20_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (d) => (output += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line: ${output}`)), 15_000);
      child.stdout.on('data', (d) => {
        output += d;
        const found = /listening on (http:\/\/[^"\s]+)/.exec(output);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!.replace('localhost', '127.0.0.1'));
        }
      });
    });
    const clients = await Promise.all(
      [1, 2, 3].map(async () => {
        const c: TestClient = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false });
        await nextEvent(c, 'connect', 5_000);
        await rawRequest(c, 'join', { room: room() });
        return c;
      }),
    );
    const notices = clients.map((c) => nextEvent(c, 'server-closing', 5_000));
    const exited = once(child, 'exit');
    const t0 = Date.now();
    child.kill('SIGTERM');
    await notices[0];
    // the shutdown has begun: nobody new gets in (refused at the handshake, or the port is closed)
    assert.match(await handshake(url), /^403 .*server_closing|^no connection$/);
    const [code] = await exited;
    const elapsed = Date.now() - t0;
    for (const notice of notices) assert.deepEqual(await notice, { reason: 'shutdown' });
    assert.equal(code, 0, output);
    assert.ok(elapsed < 5_000, `exited after ${elapsed} ms`);
    assert.doesNotMatch(output, /unhandled/i);
    for (const c of clients) c.close();
  });
});
