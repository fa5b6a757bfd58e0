// JANUS_URL / MESH_MAX and the capacity they allow: options, environment, join mode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config.js';
import { parseOptions } from '../options.js';
import { roomMode } from '../signaling/join.js';
import type { Sfu } from './service.js';

function refusal(options: object): string {
  try {
    parseOptions(options);
  } catch (error) {
    assert.ok(error instanceof TypeError);
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(options)}`);
}

describe('SFU options', () => {
  it('lets roomCapacity go up to 50 only with janusUrl', () => {
    assert.equal(parseOptions({ janusUrl: 'ws://127.0.0.1:8188', roomCapacity: 50 }).roomCapacity, 50);
    assert.equal(
      refusal({ janusUrl: 'ws://127.0.0.1:8188', roomCapacity: 51 }),
      'createRtcServer: roomCapacity must be an integer from 2 to 50',
    );
    assert.equal(refusal({ roomCapacity: 9 }), 'createRtcServer: roomCapacity must be an integer from 2 to 8');
    assert.equal(
      refusal({ janusUrl: 'ws://127.0.0.1:8188', roomCapacity: 12.5 }),
      'createRtcServer: roomCapacity must be an integer from 2 to 50',
    );
  });

  it('takes ws:// and wss:// Janus URLs and a meshMax of 2 to 8 (default 4)', () => {
    assert.equal(parseOptions({ janusUrl: 'wss://janus.internal/ws' }).janusUrl, 'wss://janus.internal/ws');
    assert.equal(parseOptions({}).meshMax, 4);
    assert.equal(parseOptions({}).janusUrl, undefined);
    assert.match(refusal({ janusUrl: 'http://127.0.0.1:8088/janus' }), /janusUrl must be a ws:\/\/ or wss:\/\/ URL/);
    assert.equal(refusal({ meshMax: 9 }), 'createRtcServer: meshMax must be an integer from 2 to 8');
  });

  it('reads JANUS_URL and MESH_MAX from the environment', () => {
    const config = loadConfig({ JANUS_URL: 'ws://127.0.0.1:8188', MESH_MAX: '6', ROOM_CAPACITY: '20' });
    assert.equal(config.janusUrl, 'ws://127.0.0.1:8188');
    assert.equal(config.meshMax, 6);
    assert.equal(config.roomCapacity, 20);
    assert.throws(
      () => loadConfig({ ROOM_CAPACITY: '20' }),
      (e: unknown) => e instanceof ConfigError && /ROOM_CAPACITY must be an integer from 2 to 8/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ JANUS_URL: 'janus:8188' }),
      (e: unknown) => e instanceof ConfigError && /^JANUS_URL must be a ws:/.test(e.message),
    );
  });

  it("derives a room's mode from its capacity: SFU above meshMax, with an SFU only", () => {
    const sfu = { service: {} as Sfu, meshMax: 4 };
    assert.equal(roomMode(4, sfu), 'mesh');
    assert.equal(roomMode(5, sfu), 'sfu');
    assert.equal(roomMode(8, undefined), 'mesh');
  });
});
