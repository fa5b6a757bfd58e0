// Attacks on ALLOWED_ORIGINS through Engine.IO: JSONP polling, polling and upgrades that carry a
// `sid` (after a handshake made without Origin), and answers a <script> tag could run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../test-support/harness.js';

const ALLOWED = 'http://allowed.test:8080';
const EVIL = 'http://evil.test';
const ENGINE = '/socket.io/?EIO=4&transport=polling';

/** An Engine.IO polling session opened without Origin (as a non-browser client may): its sid. */
async function session(url: string): Promise<string> {
  const open = await (await fetch(`${url}${ENGINE}`)).text();
  return JSON.parse(open.slice(1)).sid as string;
}

/** A WebSocket upgrade request: 101, or the status and body of the answer that refused it. */
function upgrade(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: hostname,
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.once('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('Engine.IO requests with ALLOWED_ORIGINS', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    h = await startServer({ allowedOrigins: [ALLOWED] });
  });
  after(() => h.close());

  it('refuses a JSONP handshake (a <script> GET without Origin) with a 403 that names it, and no script', async () => {
    const before = h.server.counters.refusedConnections;
    const res = await fetch(`${h.url}${ENGINE}&j=0`);
    const body = await res.text();
    assert.equal(res.status, 403);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(JSON.parse(body).message, 'jsonp_not_allowed');
    assert.doesNotMatch(body, /___eio|sid/, 'nothing a page could read through a script tag');
    assert.equal(h.server.counters.refusedConnections, before + 1);
    for (const j of ['', '1', 'x']) assert.equal((await fetch(`${h.url}${ENGINE}&j=${j}`)).status, 403, `j=${j}`);
  });

  it('refuses JSONP on a session that exists, from an allowed origin too', async () => {
    const sid = await session(h.url);
    const res = await fetch(`${h.url}${ENGINE}&sid=${sid}&j=0`, { headers: { Origin: ALLOWED } });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).message, 'jsonp_not_allowed');
  });

  it('checks Origin on polling requests that carry a sid, not only at the handshake', async () => {
    const sid = await session(h.url);
    const poll = `${h.url}${ENGINE}&sid=${sid}`;
    // Another site's page posts into the session: refused, and nothing reaches Socket.IO.
    const posted = await fetch(poll, { method: 'POST', body: '40', headers: { Origin: EVIL } });
    assert.equal(posted.status, 403);
    assert.equal((await posted.json()).message, 'origin_not_allowed');
    assert.equal((await fetch(poll, { method: 'POST', body: '40' })).status, 200, 'the session itself goes on');
    // The connect answer (40{"sid":...}) now waits in the session: another origin may not read it.
    const read = await fetch(poll, { headers: { Origin: EVIL } });
    assert.equal(read.status, 403);
    assert.doesNotMatch(await read.text(), /^40/);
    const own = await fetch(poll, { headers: { Origin: ALLOWED } });
    assert.equal(own.status, 200);
    assert.match(await own.text(), /^40/, 'an allowed origin reads it');
  });

  it('checks Origin on the WebSocket upgrade of a polling session', async () => {
    const sid = await session(h.url);
    const path = `/socket.io/?EIO=4&transport=websocket&sid=${sid}`;
    const refused = await upgrade(h.url, path, { Origin: EVIL });
    assert.equal(refused.status, 403);
    assert.equal(JSON.parse(refused.body).message, 'origin_not_allowed');
    assert.equal((await upgrade(h.url, path, { Origin: ALLOWED })).status, 101, 'an allowed origin upgrades');
  });

  it('refuses a WebSocket handshake from another origin, or with a j parameter, with a 403 that names it', async () => {
    const refused = await upgrade(h.url, '/socket.io/?EIO=4&transport=websocket', { Origin: EVIL });
    assert.deepEqual([refused.status, JSON.parse(refused.body).message], [403, 'origin_not_allowed']);
    const jsonp = await upgrade(h.url, '/socket.io/?EIO=4&transport=websocket&j=0');
    assert.deepEqual([jsonp.status, JSON.parse(jsonp.body).message], [403, 'jsonp_not_allowed']);
  });

  it('sends nosniff on every Engine.IO answer: handshake, polling, refusals and errors', async () => {
    const handshake = await fetch(`${h.url}${ENGINE}`);
    const sid = JSON.parse((await handshake.text()).slice(1)).sid as string;
    const posted = await fetch(`${h.url}${ENGINE}&sid=${sid}`, { method: 'POST', body: '40' });
    const polled = await fetch(`${h.url}${ENGINE}&sid=${sid}`);
    const unknown = await fetch(`${h.url}${ENGINE}&sid=nobody`);
    const refused = await fetch(`${h.url}${ENGINE}`, { headers: { Origin: EVIL } });
    const answers = { handshake, posted, polled, unknown, refused };
    for (const [name, res] of Object.entries(answers)) {
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
      await res.arrayBuffer().catch(() => {});
    }
    assert.match(handshake.headers.get('content-type') ?? '', /^text\/plain/, 'the answers a <script> would get');
  });
});

describe('Engine.IO requests without ALLOWED_ORIGINS', () => {
  it('refuses JSONP all the same, and lets any origin poll', async () => {
    const h = await startServer();
    try {
      const res = await fetch(`${h.url}${ENGINE}&j=0`);
      assert.equal(res.status, 403);
      assert.equal((await res.json()).message, 'jsonp_not_allowed');
      const sid = await session(h.url);
      assert.equal((await fetch(`${h.url}${ENGINE}&sid=${sid}`, { method: 'POST', body: '40', headers: { Origin: EVIL } })).status, 200);
    } finally {
      await h.close();
    }
  });
});
