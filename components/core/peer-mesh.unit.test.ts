import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerInfo } from '../../protocol/index.js';
import type { RtcError } from './errors.js';
import { encodeMessage } from './messages.js';
import { AWAY_DOWN_MS, CONNECT_TIMEOUT_MS, MAX_ICE_RESTARTS, RESTART_TIMEOUT_MS } from './peer-health.js';
import { HALF_SIZE_FROM_PEERS, PeerMesh } from './peer-mesh.js';
import type { PeerLinkOptions } from './peer-link.js';
import { FakeClock, flush } from './testing/fake-clock.js';
import { FakePeerLink } from './testing/fake-peer-link.js';
import { FakeSignaling } from './testing/fake-signaling.js';

function setup() {
  const clock = new FakeClock();
  const links = new Map<string, FakePeerLink>();
  const signaling = new FakeSignaling();
  signaling.connected = true;
  const env = { joined: true, signaling: signaling as FakeSignaling | null };
  const left: PeerInfo[] = [];
  const errors: RtcError[] = [];
  const messages: unknown[] = [];
  const restarts: string[] = [];
  let changes = 0;
  const mesh = new PeerMesh(
    {
      iceServers: () => [{ urls: 'stun:x' }],
      freshIceServers: async () => [{ urls: 'stun:fresh' }],
      sends: (kind) => kind === 'audio',
      localStream: () => null,
      signaling: () => env.signaling,
      joined: () => env.joined,
      restartIce: (id) => restarts.push(id),
      changed: () => changes++,
      message: (peer, data) => messages.push({ peer, data }),
      left: (peer) => left.push(peer),
      error: (error) => errors.push(error),
    },
    {
      clock,
      createPeerLink: (options: PeerLinkOptions) => {
        const link = new FakePeerLink(options);
        links.set(options.peerId, link);
        return link;
      },
    },
  );
  return { clock, links, signaling, env, left, errors, messages, restarts, mesh, changes: () => changes };
}

describe('PeerMesh', () => {
  it('creates one link per member with our send choices and ICE servers', () => {
    const { mesh, links } = setup();
    mesh.add('m', { id: 'p', name: 'P' }, true);
    const options = links.get('p')!.options;
    assert.equal(options.initiator, true);
    assert.equal(options.sendAudio, true);
    assert.equal(options.sendVideo, false);
    assert.deepEqual(options.iceServers, [{ urls: 'stun:x' }]);
  });

  it('makes the side with the lower id the polite one', () => {
    const { mesh, links } = setup();
    mesh.add('b', { id: 'a', name: '' }, false);
    mesh.add('b', { id: 'c', name: '' }, false);
    assert.equal(links.get('a')!.options.polite, false);
    assert.equal(links.get('c')!.options.polite, true);
  });

  it('keeps the first link when a member is added twice', () => {
    const { mesh, links } = setup();
    assert.equal(mesh.add('m', { id: 'p', name: '' }, true), true);
    const first = links.get('p');
    assert.equal(mesh.add('m', { id: 'p', name: '' }, true), false);
    assert.equal(mesh.members.get('p')!.link, first);
  });

  it('sends the camera at half size from the fourth member on, and full size again below', () => {
    const { mesh, links } = setup();
    for (let i = 0; i < HALF_SIZE_FROM_PEERS; i++) mesh.add('m', { id: `p${i}`, name: '' }, true);
    assert.ok([...links.values()].every((l) => l.videoScale === 2));
    mesh.remove('p0');
    assert.ok([...links.values()].filter((l) => !l.closed).every((l) => l.videoScale === 1));
  });

  it('closes the link and says who left', () => {
    const { mesh, links, left } = setup();
    mesh.add('m', { id: 'p', name: 'P' }, true);
    mesh.remove('p');
    assert.equal(links.get('p')!.closed, true);
    assert.deepEqual(left, [{ id: 'p', name: 'P' }]);
    assert.equal(mesh.members.size, 0);
  });

  it('closes everyone silently on clear(false)', () => {
    const { mesh, links, left } = setup();
    mesh.add('m', { id: 'a', name: '' }, true);
    mesh.add('m', { id: 'b', name: '' }, true);
    mesh.clear(false);
    assert.ok([...links.values()].every((l) => l.closed));
    assert.deepEqual(left, []);
  });

  it('says each member left on clear(true)', () => {
    const { mesh, left } = setup();
    mesh.add('m', { id: 'a', name: '' }, true);
    mesh.add('m', { id: 'b', name: '' }, true);
    mesh.clear(true);
    assert.deepEqual(
      left.map((p) => p.id),
      ['a', 'b'],
    );
  });

  it('relays a link’s signals through the server to its member', () => {
    const { mesh, links, signaling } = setup();
    mesh.add('m', { id: 'p', name: '' }, true);
    links.get('p')!.options.send({ candidate: { candidate: 'c' } } as never);
    assert.deepEqual(signaling.signals, [{ to: 'p', candidate: { candidate: 'c' } }]);
  });

  it('sends no signals while the session is not joined', () => {
    const { mesh, links, signaling, env } = setup();
    mesh.add('m', { id: 'p', name: '' }, true);
    env.joined = false;
    links.get('p')!.options.send({ candidate: { candidate: 'c' } } as never);
    assert.deepEqual(signaling.signals, []);
  });

  it('keeps quiet about a signal refused because the member just left or is away', async () => {
    const { mesh, links, signaling, errors } = setup();
    mesh.add('m', { id: 'p', name: '' }, true);
    for (const code of ['unknown_peer', 'peer_away']) {
      signaling.onSignal = () => Promise.reject({ code });
      links.get('p')!.options.send({ candidate: { candidate: 'c' } } as never);
    }
    await flush();
    assert.deepEqual(errors, []);
  });

  it('reports a signal refused for another reason', async () => {
    const { mesh, links, signaling, errors } = setup();
    mesh.add('m', { id: 'p', name: '' }, true);
    signaling.onSignal = () => Promise.reject({ code: 'bad_request' });
    links.get('p')!.options.send({ candidate: { candidate: 'c' } } as never);
    await flush();
    assert.equal(errors.length, 1);
  });

  it('reports a negotiation failure as peer_failed naming the member', () => {
    const { mesh, links, errors } = setup();
    mesh.add('m', { id: 'p', name: 'Pia' }, true);
    links.get('p')!.options.onError(new Error('bad sdp'));
    assert.equal(errors[0]!.code, 'peer_failed');
    assert.match(errors[0]!.message, /Pia/);
  });

  it('hands on data-channel messages with who sent them, and drops foreign text', () => {
    const { mesh, links, messages } = setup();
    mesh.add('m', { id: 'p', name: 'P' }, true);
    links.get('p')!.receive('{"data":{"hi":1}}');
    links.get('p')!.receive('garbage');
    assert.deepEqual(messages, [{ peer: { id: 'p', name: 'P' }, data: { hi: 1 } }]);
  });

  it('sends a message to every member, or to one', () => {
    const { mesh, links } = setup();
    mesh.add('m', { id: 'a', name: '' }, true);
    mesh.add('m', { id: 'b', name: '' }, true);
    assert.deepEqual(mesh.send(encodeMessage(1)), ['a', 'b']);
    assert.deepEqual(mesh.send(encodeMessage(2), 'b'), ['b']);
    assert.deepEqual(links.get('b')!.sent, ['{"data":1}', '{"data":2}']);
  });

  it('leaves out members whose link could not take the message', () => {
    const { mesh, links } = setup();
    mesh.add('m', { id: 'a', name: '' }, true);
    mesh.add('m', { id: 'b', name: '' }, true);
    links.get('a')!.sendOutcome = 'full';
    assert.deepEqual(mesh.send(encodeMessage(1)), ['b']);
  });

  it('throws unknown_peer, sending nothing, for a member not in the room', () => {
    const { mesh, links } = setup();
    mesh.add('m', { id: 'a', name: '' }, true);
    assert.throws(() => mesh.send(encodeMessage(1), 'zz'), { code: 'unknown_peer' });
    assert.deepEqual(links.get('a')!.sent, []);
  });

  it('resyncs a member that comes back with a connection that is not stable', async () => {
    const { mesh, links } = setup();
    mesh.add('m', { id: 'p', name: '' }, true);
    links.get('p')!.connectionState = 'connecting';
    mesh.back({ id: 'p', name: '' });
    await flush();
    assert.deepEqual(links.get('p')!.resyncs, [[{ urls: 'stun:fresh' }]]);
  });

  it('removes members missing after a rejoin once the grace runs out', () => {
    const { mesh, clock, left } = setup();
    mesh.add('m', { id: 'a', name: '' }, true);
    mesh.awaitReturn(['a'], 5_000);
    clock.tick(4_999);
    assert.equal(left.length, 0);
    clock.tick(1);
    assert.deepEqual(
      left.map((p) => p.id),
      ['a'],
    );
  });

  it('keeps a missing member that came back within the grace', () => {
    const { mesh, clock, left, links } = setup();
    mesh.add('m', { id: 'a', name: '' }, true);
    links.get('a')!.connectionState = 'connected';
    mesh.awaitReturn(['a'], 5_000);
    mesh.back({ id: 'a', name: '' });
    clock.tick(5_000);
    assert.equal(left.length, 0);
  });

  it('removes an away member whose connection then goes down', () => {
    const { mesh, clock, left, links } = setup();
    mesh.add('m', { id: 'a', name: '' }, true);
    mesh.away('a');
    links.get('a')!.setState('disconnected');
    clock.tick(AWAY_DOWN_MS);
    assert.equal(left.length, 1);
  });

  it('reports peer_unreachable when ICE restarts did not help', () => {
    const { mesh, clock, errors, links, env } = setup();
    env.signaling!.connected = false; // no peer-check: restarts go ahead at once
    mesh.add('m', { id: 'a', name: 'Al' }, true);
    links.get('a')!.setState('failed');
    clock.tick(60_000);
    assert.equal(errors.at(-1)!.code, 'peer_unreachable');
    assert.equal(mesh.members.size, 0);
  });

  it('runs no timers after clear', () => {
    const { mesh, clock, links } = setup();
    mesh.add('m', { id: 'a', name: '' }, true);
    links.get('a')!.setState('disconnected');
    mesh.awaitReturn(['a'], 5_000);
    mesh.clear(false);
    assert.equal(clock.pending, 0);
  });

  it('gives up a member whose connection never leaves new, after a check and the restarts, and tells it', async () => {
    const { mesh, clock, signaling, restarts, errors, left } = setup();
    mesh.add('m', { id: 'a', name: 'Al' }, false); // its offer never comes
    await clock.tickAsync(CONNECT_TIMEOUT_MS);
    assert.deepEqual(signaling.peerChecks, ['a']);
    assert.deepEqual(restarts, ['a']);
    for (let i = 0; i < MAX_ICE_RESTARTS; i++) await clock.tickAsync(RESTART_TIMEOUT_MS);
    assert.equal(errors.at(-1)!.code, 'peer_unreachable');
    assert.deepEqual(
      left.map((p) => p.id),
      ['a'],
    );
    assert.deepEqual(signaling.unreachables, ['a'], 'the member is told, so that it closes its side too');
  });

  it('does not tell a member whose page is gone (the server removes it)', async () => {
    const { mesh, clock, signaling, left } = setup();
    signaling.onPeerCheck = async () => false;
    mesh.add('m', { id: 'a', name: '' }, true);
    await clock.tickAsync(CONNECT_TIMEOUT_MS);
    assert.equal(left.length, 1);
    assert.deepEqual(signaling.unreachables, []);
  });

  it('closes the connection to a member that gave this one up, says why, and does not answer back', () => {
    const { mesh, links, signaling, errors, left } = setup();
    mesh.add('m', { id: 'a', name: 'Al' }, true);
    links.get('a')!.setState('connecting');
    mesh.unreachableFrom('a');
    assert.equal(links.get('a')!.closed, true);
    assert.equal(errors.at(-1)!.code, 'peer_unreachable');
    assert.match(errors.at(-1)!.message, /Al/);
    assert.deepEqual(
      left.map((p) => p.id),
      ['a'],
    );
    assert.equal(mesh.members.size, 0);
    assert.deepEqual(signaling.unreachables, []);
  });

  it('ignores a give-up notice from a member it has no connection to', () => {
    const { mesh, errors, left } = setup();
    mesh.unreachableFrom('zz');
    assert.deepEqual(errors, []);
    assert.deepEqual(left, []);
  });

  it('takes the new name of a member that comes back, and uses it from then on', () => {
    const { mesh, links, messages, changes } = setup();
    mesh.add('m', { id: 'a', name: 'Old' }, true);
    links.get('a')!.connectionState = 'connected';
    const before = changes();
    mesh.back({ id: 'a', name: 'New' });
    assert.equal(mesh.members.peers.get('a')!.name, 'New');
    assert.equal(mesh.members.get('a')!.info.name, 'New');
    assert.equal(changes(), before + 1);
    links.get('a')!.receive('{"data":"hi"}');
    assert.deepEqual(messages.at(-1), { peer: { id: 'a', name: 'New' }, data: 'hi' });
  });

  it('keeps the snapshot when a member comes back unchanged', () => {
    const { mesh, links, changes } = setup();
    mesh.add('m', { id: 'a', name: 'Same' }, true);
    links.get('a')!.connectionState = 'connected';
    const snapshot = mesh.members.peers.get('a');
    const before = changes();
    mesh.back({ id: 'a', name: 'Same' });
    assert.equal(mesh.members.peers.get('a'), snapshot);
    assert.equal(changes(), before);
  });
});
