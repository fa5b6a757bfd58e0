import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has defaults that work on a laptop', () => {
    assert.deepEqual({ ...loadConfig({}) }, { port: 3000, host: '127.0.0.1', roomCapacity: 2, iceServers: [], logLevel: 'info' });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      ROOM_CAPACITY: '4',
      ICE_SERVERS: '[{"urls":["stun:a.test:3478"]},{"urls":"turn:b.test","username":"u","credential":"p"}]',
      LOG_LEVEL: 'warn',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.roomCapacity, 4);
    assert.deepEqual(config.iceServers, [{ urls: ['stun:a.test:3478'] }, { urls: 'turn:b.test', username: 'u', credential: 'p' }]);
    assert.equal(config.logLevel, 'warn');
    assert.ok(Object.isFrozen(config));
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT/],
    [{ PORT: '70000' }, /^PORT/],
    [{ ROOM_CAPACITY: '1' }, /^ROOM_CAPACITY/],
    [{ ROOM_CAPACITY: '9' }, /^ROOM_CAPACITY/],
    [{ ROOM_CAPACITY: '2.5' }, /^ROOM_CAPACITY/],
    [{ ICE_SERVERS: 'not json' }, /^ICE_SERVERS/],
    [{ ICE_SERVERS: '{"urls":"stun:x"}' }, /^ICE_SERVERS/],
    [{ ICE_SERVERS: '[{"url":"stun:x"}]' }, /use 'urls'/],
    [{ ICE_SERVERS: '[{"urls":"http://x"}]' }, /^ICE_SERVERS\[0\.urls\]/],
    [{ ICE_SERVERS: '[{"urls":[]}]' }, /^ICE_SERVERS/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with a ConfigError naming the variable`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }
});
