import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { coturnUnavailableReason, startCoturn, turnAllocate, type Coturn } from '../test-support/coturn.js';
import { createTurnRestIceProvider, turnRestCredential, turnRestUsername } from './turn-rest.js';

const URLS = ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'];
const NOW = 1_700_000_000_000; // 2023-11-14T22:13:20Z
const context = { room: 'lobby', peerId: 'peer-abc' };

describe('turnRestCredential', () => {
  it('is base64(HMAC-SHA1(secret, username)) (known answer)', () => {
    // printf '%s' '1700003600:peer-abc' | openssl dgst -sha1 -hmac 'north-secret' -binary | base64
    assert.equal(turnRestCredential('north-secret', '1700003600:peer-abc'), 'FFPPXLA8S0i2AmWN++26PzhHEiU=');
    // printf '%s' '1700003600:peer-abc' | openssl dgst -sha1 -hmac 'south-secret' -binary | base64
    assert.equal(turnRestCredential('south-secret', '1700003600:peer-abc'), 'FZ1oaEJ/3hsvX8kkPj6glvas1F4=');
  });
});

describe('turnRestUsername', () => {
  it('is <expiry-unix-seconds>:<user-id>', () => {
    assert.equal(turnRestUsername(1_700_003_600, 'peer-abc'), '1700003600:peer-abc');
  });
});

describe('createTurnRestIceProvider', () => {
  it('signs a username that expires ttlSeconds from now, with the first secret', async () => {
    const provider = createTurnRestIceProvider({ urls: URLS, secrets: ['north-secret', 'south-secret'], now: () => NOW + 999 });
    assert.equal(provider.name, 'turn-rest');
    const result = await provider.getIceServers(context);
    assert.deepEqual(result, {
      iceServers: [{ urls: URLS, username: '1700003600:peer-abc', credential: 'FFPPXLA8S0i2AmWN++26PzhHEiU=' }],
      expiresAt: 1_700_003_600_000,
    });
  });

  it('honours ttlSeconds and the member in the username', async () => {
    const provider = createTurnRestIceProvider({ urls: URLS, secrets: ['s'], ttlSeconds: 60, now: () => NOW });
    const { iceServers, expiresAt } = await provider.getIceServers({ room: 'r', peerId: 'Zx9' });
    assert.equal(iceServers[0]!.username, '1700000060:Zx9');
    assert.equal(iceServers[0]!.credential, turnRestCredential('s', '1700000060:Zx9'));
    assert.equal(expiresAt, 1_700_000_060_000);
  });

  it('expires at the earlier of ttlSeconds and notAfter (the access token): the username carries it', async () => {
    const provider = createTurnRestIceProvider({ urls: URLS, secrets: ['s'], ttlSeconds: 86_400, now: () => NOW });
    const capped = await provider.getIceServers({ room: 'r', peerId: 'Zx9', notAfter: NOW + 60_500 });
    assert.equal(capped.iceServers[0]!.username, '1700000060:Zx9');
    assert.equal(capped.expiresAt, 1_700_000_060_000);
    const later = await provider.getIceServers({ room: 'r', peerId: 'Zx9', notAfter: NOW + 10 * 86_400_000 });
    assert.equal(later.iceServers[0]!.username, '1700086400:Zx9');
  });

  it('uses the clock on each request', async () => {
    let now = NOW;
    const provider = createTurnRestIceProvider({ urls: URLS, secrets: ['s'], ttlSeconds: 10, now: () => now });
    const first = await provider.getIceServers(context);
    now += 5_000;
    const second = await provider.getIceServers(context);
    assert.equal(second.expiresAt! - first.expiresAt!, 5_000);
  });

  it('defaults to an hour and Date.now', async () => {
    const before = Math.floor(Date.now() / 1000);
    const provider = createTurnRestIceProvider({ urls: URLS, secrets: ['s'] });
    const { iceServers, expiresAt } = await provider.getIceServers(context);
    const expiry = Number(iceServers[0]!.username!.split(':')[0]);
    assert.ok(expiry >= before + 3600 && expiry <= Math.floor(Date.now() / 1000) + 3600, `expiry ${expiry}`);
    assert.equal(expiresAt, expiry * 1000);
  });

  it('serves the extra entries first, as copies, and only ever `urls`', async () => {
    const stun = { urls: ['stun:stun.test:3478'] };
    const provider = createTurnRestIceProvider({ urls: URLS, secrets: ['s'], extra: [stun], now: () => NOW });
    const { iceServers } = await provider.getIceServers(context);
    assert.equal(iceServers.length, 2);
    assert.deepEqual(iceServers[0], stun);
    assert.deepEqual(iceServers[1]!.urls, URLS);
    for (const server of iceServers) assert.ok(!('url' in server), 'no deprecated `url`');
    (iceServers[0]!.urls as string[]).push('stun:evil.test');
    (iceServers[1]!.urls as string[]).length = 0;
    const again = await provider.getIceServers(context);
    assert.deepEqual(again.iceServers[0], stun);
    assert.deepEqual(again.iceServers[1]!.urls, URLS);
  });

  it('is healthy', () => {
    const provider = createTurnRestIceProvider({ urls: URLS, secrets: ['s'] });
    assert.deepEqual(provider.health?.(), { ok: true });
  });

  it('rejects missing or non-TURN urls', () => {
    assert.throws(() => createTurnRestIceProvider({ urls: [], secrets: ['s'] }), /`urls` must name at least one/);
    assert.throws(() => createTurnRestIceProvider({ urls: ['stun:a.test'], secrets: ['s'] }), /'stun:a.test' is not a turn: or turns: URL/);
    assert.throws(() => createTurnRestIceProvider({ urls: ['https://a.test'], secrets: ['s'] }), /not a turn: or turns: URL/);
    assert.throws(() => createTurnRestIceProvider({ urls: ['turn:'], secrets: ['s'] }), /not a turn: or turns: URL/);
    assert.doesNotThrow(() => createTurnRestIceProvider({ urls: ['turns:a.test:5349?transport=tcp'], secrets: ['s'] }));
  });

  it('rejects missing or empty secrets and a bad ttl', () => {
    assert.throws(() => createTurnRestIceProvider({ urls: URLS, secrets: [] }), /`secrets` must hold at least one/);
    assert.throws(() => createTurnRestIceProvider({ urls: URLS, secrets: ['a', ''] }), /`secrets`/);
    assert.throws(() => createTurnRestIceProvider({ urls: URLS, secrets: ['s'], ttlSeconds: 0 }), /`ttlSeconds`/);
    assert.throws(() => createTurnRestIceProvider({ urls: URLS, secrets: ['s'], ttlSeconds: 1.5 }), /`ttlSeconds`/);
  });
});

const noCoturn = coturnUnavailableReason();

describe('createTurnRestIceProvider against a real coturn', { skip: noCoturn ?? false }, () => {
  let coturn: Coturn;
  before(async () => {
    coturn = await startCoturn({ secrets: ['current-secret', 'previous-secret'] });
  });
  after(() => coturn?.stop());

  it('hands out credentials coturn accepts', async () => {
    const provider = createTurnRestIceProvider({ urls: coturn.urls, secrets: ['current-secret', 'previous-secret'] });
    const [turn] = (await provider.getIceServers(context)).iceServers;
    assert.deepEqual(turn!.urls, coturn.urls);
    const result = await turnAllocate(coturn.port, turn!.username!, turn!.credential!);
    assert.ok(result.ok, JSON.stringify(result));
    assert.match(result.relayed, /^127\.0\.0\.1:\d+$/);
    const relayPort = Number(result.relayed.split(':')[1]);
    assert.ok(relayPort >= coturn.minPort && relayPort <= coturn.maxPort, `relay port ${relayPort} in range`);
  });

  it('works with a coturn that lists several static-auth-secret lines, whichever of them signed (rotation)', async () => {
    const username = turnRestUsername(Math.floor(Date.now() / 1000) + 60, 'rotating');
    const previous = await turnAllocate(coturn.port, username, turnRestCredential('previous-secret', username));
    assert.ok(previous.ok, JSON.stringify(previous));
    const unknown = await turnAllocate(coturn.port, username, turnRestCredential('unknown-secret', username));
    assert.deepEqual(unknown, { ok: false, code: 401, reason: 'Unauthorized' });
  });

  it('is refused by coturn with 401 once expired', async () => {
    const username = turnRestUsername(Math.floor(Date.now() / 1000) - 10, 'late');
    const result = await turnAllocate(coturn.port, username, turnRestCredential('current-secret', username));
    assert.deepEqual(result, { ok: false, code: 401, reason: 'Unauthorized' });
  });
});

describe('startCoturn', { skip: noCoturn ?? false }, () => {
  it('stops coturn and removes its directory', async () => {
    const coturn = await startCoturn({ secrets: ['s'] });
    assert.ok(existsSync(coturn.dir));
    assert.doesNotThrow(() => process.kill(coturn.pid, 0));
    await coturn.stop();
    assert.throws(() => process.kill(coturn.pid, 0), { code: 'ESRCH' });
    assert.equal(existsSync(coturn.dir), false);
    await coturn.stop(); // twice is fine
  });

  it('fails fast, and cleans up, when its port is taken', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const { port } = busy.address() as AddressInfo;
    try {
      await assert.rejects(startCoturn({ secrets: ['s'], port, readyTimeoutMs: 3_000 }), /could not bind 127\.0\.0\.1:\d+/);
    } finally {
      busy.close();
    }
  });
});
