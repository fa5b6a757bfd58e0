// Gaps around the per-connection budget and the send-queue bound (issue 17, finding 1), as attacks:
// over raw Engine.IO polling requests, which the WebSocket tests (backpressure.test.ts) do not
// reach (a polling client that floods `leave` and never fetches the answers is closed at its
// budget; a member on polling that never fetches what is sent to it is closed at the queue bound),
// and a client that reconnects to start each connection with a full budget (its address's budget
// is shared by its connections).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MAX_SDP_LENGTH } from '../../protocol/index.js';
import { DEFAULT_PACKET_BUDGET, packetBudgetPerIp } from '../limits.js';
import { rawRequest, startServer, type TestClient } from '../test-support/harness.js';

/** Engine.IO packets in one polling body are separated by the record separator. */
const SEPARATOR = '\x1e';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw Engine.IO polling session: only the requests the test makes, so answers are fetched only when it says. */
async function pollingSession(url: string) {
  const base = `${url}/socket.io/?EIO=4&transport=polling`;
  const open = await fetch(base);
  const handshake = await open.text();
  assert.equal(open.status, 200, handshake);
  const { sid } = JSON.parse(handshake.slice(1)) as { sid: string };
  const at = `${base}&sid=${encodeURIComponent(sid)}`;
  const post = async (packets: string[]) => {
    const res = await fetch(at, { method: 'POST', body: packets.join(SEPARATOR), headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
    return { status: res.status, body: await res.text() };
  };
  // Connect to the default namespace (Socket.IO CONNECT).
  assert.equal((await post(['40'])).status, 200);
  return { sid, post, get: () => fetch(at).then((res) => res.text()) };
}

describe('the budget and the queue bound on the polling transport', () => {
  const servers: { close(): Promise<void> }[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  it('a polling client flooding leave without fetching the answers is closed at its budget', async () => {
    const h = await startServer();
    servers.push(h);
    const session = await pollingSession(h.url);
    const socketIds = () =>
      [...h.server.io.sockets.sockets.values()].filter((s) => (s.conn as unknown as { id: string }).id === session.sid).map((s) => s.id);
    for (let i = 0; i < 20 && socketIds().length === 0; i++) await sleep(10);
    assert.equal(socketIds().length, 1, 'connected to the namespace');
    const packets = Array.from({ length: 1_000 }, (_, k) => `421${k}["leave"]`); // leave, with an ack each
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await session.post(packets)).status);
    // The budget (2000 a 10 s) takes two bodies; the packet past it closes the session.
    assert.ok(DEFAULT_PACKET_BUDGET.points === 2_000);
    assert.deepEqual(statuses.slice(0, 2), [200, 200]);
    assert.notEqual(statuses[3], 200, `the session is gone: ${statuses}`);
    assert.deepEqual(socketIds(), []);
    assert.ok(h.server.counters.overBudget >= 1);
  });

  it('a member on polling that never fetches what is sent to it is closed at the queue bound, as away', async () => {
    const h = await startServer({ roomCapacity: 4 });
    servers.push(h);
    const room = `polling-reader-${process.pid}`;
    const reader = await pollingSession(h.url);
    assert.equal((await reader.post([`421["join",{"room":"${room}"}]`])).status, 200);
    let members: { id: string; socketId: string }[] = [];
    for (let i = 0; i < 50 && members.length === 0; i++) {
      await sleep(10);
      members = await h.server.rooms.members(room);
    }
    assert.equal(members.length, 1, 'the polling member joined');
    const readerId = members[0]!.id;
    const sender = await h.client();
    assert.equal((await rawRequest(sender, 'join', { room })).ok, true);
    const away = new Promise<{ id: string }>((resolve) => sender.once('peer-away', resolve));
    const sdp = `v=0\r\n${'a'.repeat(MAX_SDP_LENGTH - 5)}`;
    const answers: string[] = [];
    // About 50 signals of 48 KB fill the 1 MB bound; the member never fetches them.
    for (let i = 0; i < 60 && !answers.includes('peer_away'); i++) {
      const answer = await rawRequest(sender, 'signal', { to: readerId, description: { type: 'offer', sdp } });
      answers.push(answer.ok ? 'ok' : answer.error.code);
    }
    assert.ok(answers.includes('peer_away'), `signals to it end in peer_away: ${answers.length} answers`);
    assert.ok(
      answers.filter((a) => a === 'ok').length <= 25,
      `at most ~1 MB was queued: ${answers.filter((a) => a === 'ok').length} signals`,
    );
    assert.deepEqual(await away, { id: readerId }, 'the others hear it is away');
    assert.equal(h.server.counters.slowReaders, 1);
  });
  it('a client that reconnects again and again to get a full budget each time is closed at its address budget', async () => {
    // A small budget (200 a connection, so 2,000 an address, per 10 s): the attack outruns the refill
    // even on a busy machine.
    const budget = { points: 200, duration: 10 };
    const h = await startServer({ packetBudget: budget });
    servers.push(h);
    const perIp = packetBudgetPerIp(budget).points;
    const PER_CONNECTION = budget.points - 10; // under each connection's own budget
    let sent = 0;
    const started = Date.now();
    // Bounded: twice the address budget, within one budget duration.
    while (sent < 2 * perIp && h.server.counters.overBudget === 0 && Date.now() - started < 8_000) {
      const client: TestClient = await h.client();
      for (let k = 0; k < PER_CONNECTION; k++) client.io.engine.write('2["no-such-event"]');
      sent += PER_CONNECTION;
      // Its packets are all taken in (an answer comes after them), then it goes and comes back.
      await rawRequest(client, 'leave').catch(() => {});
      client.disconnect();
    }
    const seconds = (Date.now() - started) / 1000;
    assert.ok(
      h.server.counters.overBudget >= 1,
      `${sent} packets in ${seconds.toFixed(1)} s over connections of ${PER_CONNECTION} each, none closed (address budget ${perIp})`,
    );
    assert.ok(sent <= perIp + budget.points * seconds + PER_CONNECTION, `closed only after ${sent} packets`);
  });
});
