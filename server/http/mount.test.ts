// createRtcServer mounted in someone's Express app: its routes only (the app's own, added before or
// after the mount, still answer), metrics opt-in and on their own port, Socket.IO under a prefix.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { pino } from 'pino';
import { io as connect } from 'socket.io-client';
import { createRtcServer, type RtcServerOptions } from '../app.js';

const quiet = { logger: pino({ level: 'silent' }), rateLimits: false as const };

/** An app with a route before the mount, `rtc.app` at `prefix`, then a route and the app's own 404. */
async function mounted(options: RtcServerOptions, prefix = '') {
  const app = express();
  const httpServer = createServer(app);
  const rtc = createRtcServer({ ...quiet, httpServer, ...options });
  app.get('/before', (_req, res) => res.send('before'));
  if (prefix) app.use(prefix, rtc.app);
  else app.use(rtc.app);
  app.get('/after', (_req, res) => res.send('after'));
  app.get('/', (_req, res) => res.send('home'));
  app.use((_req, res) => res.status(404).send('the app says 404'));
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  // rtc.close() leaves the app's server alone (it is the app's): the app closes it.
  const close = async () => {
    await rtc.close();
    assert.equal(httpServer.listening, true, "rtc.close() leaves the app's server open");
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  };
  return { rtc, url, close };
}

describe('mounted in an Express app', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rtc-mount-'));
    await writeFile(join(dir, 'rtc-room.js'), 'export {}');
    await writeFile(join(dir, 'rtc-room-chunk1.js'), 'export const x = 1');
  });
  after(() => rm(dir, { recursive: true }));

  it('answers its own routes and passes every other request on: routes added after the mount answer, the 404 is the app’s', async () => {
    const m = await mounted({ bundleDir: dir, allowedOrigins: ['https://app.example.com'] });
    try {
      assert.equal((await fetch(`${m.url}/healthz`)).status, 200);
      assert.equal(await (await fetch(`${m.url}/rtc-room.js`)).text(), 'export {}');
      assert.equal(await (await fetch(`${m.url}/rtc-room-chunk1.js`)).text(), 'export const x = 1', 'a chunk of the bundle');
      for (const [path, body] of [
        ['/before', 'before'],
        ['/after', 'after'],
        ['/', 'home'],
      ]) {
        // Another origin's page: refused on rtc-room's routes, none of rtc-room's business on the app's.
        const res = await fetch(`${m.url}${path}`, { headers: { Origin: 'https://evil.example' } });
        assert.equal(await res.text(), body, path);
        assert.equal(res.headers.get('content-security-policy'), null, `no rtc-room headers on the app's ${path}`);
      }
      assert.equal((await fetch(`${m.url}/healthz`, { headers: { Origin: 'https://evil.example' } })).status, 403);
      for (const path of ['/nothing', '/custom-elements.json', '/rtc-room-missing.js']) {
        const res = await fetch(`${m.url}${path}`);
        assert.deepEqual([res.status, await res.text()], [404, 'the app says 404'], path);
      }
      assert.equal((await fetch(`${m.url}/metrics`)).status, 404, 'metrics are opt-in when mounted');
      assert.equal(m.rtc.metrics, null);
    } finally {
      await m.close();
    }
  });

  it('serves /metrics when asked (metrics: true), or on its own port only (metricsPort)', async () => {
    const on = await mounted({ metrics: true });
    try {
      assert.match(await (await fetch(`${on.url}/metrics`)).text(), /rtc_room_connected_sockets/);
    } finally {
      await on.close();
    }
    const own = await mounted({ metricsPort: 0 });
    let metricsUrl: string | undefined;
    try {
      assert.equal((await fetch(`${own.url}/metrics`)).status, 404, 'not on the app');
      const metricsServer = own.rtc.metricsServer!;
      if (!metricsServer.listening) await once(metricsServer, 'listening');
      metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`;
      const res = await fetch(metricsUrl!);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /rtc_room_connected_sockets/);
    } finally {
      await own.close();
    }
    await assert.rejects(fetch(metricsUrl!), 'closed with the server');
  });

  it('takes Socket.IO under a prefix (path), next to its routes under the same prefix', async () => {
    const m = await mounted({ path: '/rtc/socket.io', bundleDir: dir }, '/rtc');
    try {
      assert.equal((await fetch(`${m.url}/rtc/healthz`)).status, 200);
      assert.equal((await fetch(`${m.url}/rtc/rtc-room.js`)).status, 200);
      assert.equal(await (await fetch(`${m.url}/after`)).text(), 'after');
      const socket = connect(m.url, { path: '/rtc/socket.io', transports: ['websocket'], reconnection: false, forceNew: true });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        const ack = await socket.timeout(2_000).emitWithAck('preflight', { room: 'prefixed' });
        assert.equal(ack.ok, true);
      } finally {
        socket.disconnect();
      }
      // Nothing at the default path any more: the app's 404.
      assert.equal((await fetch(`${m.url}/socket.io/?EIO=4&transport=polling`)).status, 404);
    } finally {
      await m.close();
    }
  });
});
