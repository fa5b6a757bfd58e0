import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectFailureMessage, serverTarget } from './server-url.js';

const PAGE = 'http://localhost:5173/call/?room=x';

describe('serverTarget', () => {
  it('takes the page’s own origin and /socket.io/ without a server', () => {
    assert.deepEqual(serverTarget(undefined, PAGE), { origin: undefined, path: '/socket.io/', url: 'http://localhost:5173/socket.io/' });
    assert.deepEqual(serverTarget('  ', PAGE), { origin: undefined, path: '/socket.io/', url: 'http://localhost:5173/socket.io/' });
    assert.deepEqual(serverTarget(undefined), { origin: undefined, path: '/socket.io/', url: '/socket.io/' });
  });

  it('reads a URL without a path as /socket.io/ on that origin', () => {
    for (const server of ['https://signal.example.com', 'https://signal.example.com/', 'https://signal.example.com//']) {
      assert.deepEqual(
        serverTarget(server, PAGE),
        { origin: 'https://signal.example.com', path: '/socket.io/', url: 'https://signal.example.com/socket.io/' },
        server,
      );
    }
    assert.equal(serverTarget('http://127.0.0.1:3000').origin, 'http://127.0.0.1:3000');
  });

  it('takes a URL’s path as a prefix, never as a Socket.IO namespace', () => {
    for (const server of ['https://host.example/rtc', 'https://host.example/rtc/', 'https://host.example/rtc?x=1#y']) {
      assert.deepEqual(
        serverTarget(server, PAGE),
        { origin: 'https://host.example', path: '/rtc/socket.io/', url: 'https://host.example/rtc/socket.io/' },
        server,
      );
    }
    assert.equal(serverTarget('https://host.example/a/b').path, '/a/b/socket.io/');
  });

  it('resolves a relative server against the page', () => {
    assert.deepEqual(serverTarget('/rtc', PAGE), {
      origin: 'http://localhost:5173',
      path: '/rtc/socket.io/',
      url: 'http://localhost:5173/rtc/socket.io/',
    });
  });

  it('takes a path ending in /socket.io as Socket.IO’s path itself', () => {
    assert.equal(serverTarget('https://host.example/socket.io').path, '/socket.io/');
    assert.equal(serverTarget('https://host.example/rtc/socket.io/').path, '/rtc/socket.io/');
  });

  it('passes a value that is no URL on as the origin, for the failure to name', () => {
    assert.deepEqual(serverTarget('not a url'), { origin: 'not a url', path: '/socket.io/', url: 'not a url' });
  });
});

describe('connectFailureMessage', () => {
  const own = serverTarget(undefined, PAGE);

  it('names the URL tried and the fixes when nothing answered', () => {
    const message = connectFailureMessage(own, 'xhr poll error');
    assert.match(message, /^No rtc-room server answered at http:\/\/localhost:5173\/socket\.io\/ \(xhr poll error\)/);
    assert.match(message, /npx rtc-room-server/);
    assert.match(message, /set server=/);
    assert.match(message, /proxy \/socket\.io to it \(with ws: true/);
    assert.match(connectFailureMessage(own, 'websocket error'), /^No rtc-room server answered/);
  });

  it('says something else answered (a dev server’s page) on Socket.IO’s “server error”', () => {
    const message = connectFailureMessage(own, 'server error');
    assert.match(message, /^Something other than an rtc-room server answered at http:\/\/localhost:5173\/socket\.io\//);
    assert.match(message, /set server=.*proxy \/socket\.io/);
  });

  it('names the prefix to proxy under a prefix, and a server’s refusal as one', () => {
    const prefixed = serverTarget('https://host.example/rtc');
    assert.match(
      connectFailureMessage(prefixed, 'timeout'),
      /at https:\/\/host\.example\/rtc\/socket\.io\/ .*proxy \/rtc\/socket\.io to it/,
    );
    assert.equal(
      connectFailureMessage(prefixed, 'origin_not_allowed'),
      'The rtc-room server at https://host.example/rtc/socket.io/ refused the connection (origin_not_allowed); trying again',
    );
  });
});
