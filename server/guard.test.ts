import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io as connect } from 'socket.io-client';
import { createRtcServer } from './app.js';
import { rawRequest, startServer } from './test-support/harness.js';

const ALLOWED = 'http://allowed.test:8080';
const EVIL = 'http://evil.test';

/** Connects with one transport and an Origin header; resolves 'connected' or the connect_error message. */
function attempt(url: string, transport: 'polling' | 'websocket', headers: Record<string, string> = {}): Promise<string> {
  const socket = connect(url, {
    transports: [transport],
    forceNew: true,
    reconnection: false,
    timeout: 3_000,
    extraHeaders: headers,
    // the node WebSocket client (ws) sends transportOptions.websocket.extraHeaders with the upgrade
    transportOptions: { websocket: { extraHeaders: headers }, polling: { extraHeaders: headers } },
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.once('connect_error', (error: Error & { context?: { responseText?: string } }) => {
      socket.disconnect();
      resolve(error.context?.responseText ?? error.message);
    });
  });
}

describe('origin allow-list (ALLOWED_ORIGINS)', () => {
  let h: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    h = await startServer({ allowedOrigins: [ALLOWED, 'https://also.example.com/'] });
  });
  after(() => h.close());

  for (const transport of ['polling', 'websocket'] as const) {
    it(`refuses a disallowed origin on ${transport}, admits an allowed one and a client without Origin`, async () => {
      const before = h.server.counters.refusedConnections;
      const refused = await attempt(h.url, transport, { Origin: EVIL });
      assert.notEqual(refused, 'connected');
      if (transport === 'polling') assert.match(refused, /origin_not_allowed/, 'the 403 body names the reason');
      assert.equal(h.server.counters.refusedConnections, before + 1);
      assert.equal(await attempt(h.url, transport, { Origin: ALLOWED }), 'connected');
      assert.equal(
        await attempt(h.url, transport, { Origin: 'https://also.example.com' }),
        'connected',
        'configured with a trailing slash',
      );
      assert.equal(await attempt(h.url, transport), 'connected');
      assert.equal(
        await attempt(h.url, transport, { Origin: `${ALLOWED}.evil.test` }),
        await attempt(h.url, transport, { Origin: EVIL }),
        'no prefix match',
      );
    });
  }

  it('answers HTTP from a disallowed origin with 403 JSON, and CORS headers for allowed ones', async () => {
    const evil = await fetch(`${h.url}/healthz`, { headers: { Origin: EVIL } });
    assert.equal(evil.status, 403);
    assert.deepEqual((await evil.json()).error.code, 'origin_not_allowed');
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const ok = await fetch(`${h.url}/healthz`, { headers: { Origin: ALLOWED } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(ok.headers.get('vary') ?? '', /Origin/);
    assert.equal((await fetch(`${h.url}/healthz`)).status, 200, 'no Origin: a navigation or a non-browser client');
    const preflight = await fetch(`${h.url}/socket.io/?EIO=4&transport=polling`, {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'GET' },
    });
    assert.notEqual(preflight.headers.get('access-control-allow-origin'), EVIL, 'Socket.IO CORS does not name a disallowed origin');
  });
});

describe('allowedOrigins is the only origin option', () => {
  it('refuses corsOrigin (never read) with a TypeError that names allowedOrigins', () => {
    for (const corsOrigin of ['https://app.example.com', ['https://app.example.com'], true, undefined]) {
      assert.throws(
        () => createRtcServer({ corsOrigin } as never),
        (error: unknown) => error instanceof TypeError && /corsOrigin.*allowedOrigins/.test(error.message),
      );
    }
  });
});

describe('without ALLOWED_ORIGINS', () => {
  it('admits every origin on both transports and over HTTP', async () => {
    const h = await startServer();
    try {
      for (const transport of ['polling', 'websocket'] as const)
        assert.equal(await attempt(h.url, transport, { Origin: EVIL }), 'connected');
      const res = await fetch(`${h.url}/healthz`, { headers: { Origin: EVIL } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
    } finally {
      await h.close();
    }
  });
});

describe('connections per IP (MAX_CONNECTIONS_PER_IP)', () => {
  it('refuses a handshake over the cap, on both transports, and admits again once one closes', async () => {
    const h = await startServer({ maxConnectionsPerIp: 3 });
    try {
      const held = [await h.client(), await h.client(), await h.client()];
      assert.match(await attempt(h.url, 'polling'), /too_many_connections/);
      assert.notEqual(await attempt(h.url, 'websocket'), 'connected');
      held[0]!.disconnect();
      const deadline = Date.now() + 3_000;
      let result = '';
      while (Date.now() < deadline && (result = await attempt(h.url, 'websocket')) !== 'connected')
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(result, 'connected');
      assert.equal((await rawRequest(held[1]!, 'leave')).error.code, 'not_joined', 'the others were not affected');
    } finally {
      await h.close();
    }
  });

  it('with trustProxy, counts the X-Forwarded-For address, not the proxy', async () => {
    const h = await startServer({ maxConnectionsPerIp: 1, trustProxy: true });
    try {
      const first = await h.client({ transportOptions: { websocket: { extraHeaders: { 'X-Forwarded-For': '203.0.113.1' } } } });
      assert.match(
        await attempt(h.url, 'polling', { 'X-Forwarded-For': '198.51.100.9, 203.0.113.1' }),
        /too_many_connections/,
        'the last hop is the client',
      );
      assert.equal(await attempt(h.url, 'websocket', { 'X-Forwarded-For': '203.0.113.2' }), 'connected');
      first.disconnect();
    } finally {
      await h.close();
    }
  });
});
