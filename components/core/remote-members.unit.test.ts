import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerHealth } from './peer-health.js';
import { RemoteMembers, snapshot } from './remote-members.js';
import { FakeClock } from './testing/fake-clock.js';
import { FakePeerLink } from './testing/fake-peer-link.js';

function member(
  id: string,
  extra: Partial<{ name: string; sub: string; publish: false; media: { audio: boolean; video: boolean; screen: boolean } }> = {},
) {
  const link = new FakePeerLink({ peerId: id } as never);
  const health = new PeerHealth({} as never, new FakeClock());
  return { info: { id, name: extra.name ?? id.toUpperCase(), ...extra }, link, health };
}

describe('RemoteMembers', () => {
  it('keeps one record per member with its link and health', () => {
    const members = new RemoteMembers();
    const a = member('a');
    members.add(a.info, a.link, a.health);
    const record = members.get('a')!;
    assert.equal(record.link, a.link);
    assert.equal(record.health, a.health);
    assert.equal(record.info, a.info);
  });

  it('takes a known member’s new name into a new snapshot, keeping its media state', () => {
    const members = new RemoteMembers();
    const a = member('a', { name: 'Ann', media: { audio: true, video: false, screen: false } });
    members.add(a.info, a.link, a.health);
    const before = members.peers;
    assert.equal(members.update({ id: 'a', name: 'Anna' }), true);
    assert.notEqual(members.peers, before);
    assert.equal(members.peers.get('a')!.name, 'Anna');
    assert.deepEqual(members.peers.get('a')!.media, { audio: true, video: false, screen: false });
    assert.equal(members.update({ id: 'a', name: 'Anna' }), false, 'no change, no new snapshot');
    assert.equal(members.update({ id: 'zz', name: 'Z' }), false, 'an unknown member is not added');
    assert.equal(members.has('zz'), false);
  });

  it('refuses a second record for the same member', () => {
    const members = new RemoteMembers();
    const a = member('a');
    assert.equal(members.add(a.info, a.link, a.health), true);
    assert.equal(members.add(a.info, new FakePeerLink({ peerId: 'a' } as never), a.health), false);
    assert.equal(members.get('a')!.link, a.link);
  });

  it('puts a new member into the snapshot', () => {
    const members = new RemoteMembers();
    const a = member('a');
    members.add(a.info, a.link, a.health);
    assert.deepEqual([...members.peers.keys()], ['a']);
    assert.equal(members.peers.get('a')!.name, 'A');
  });

  it('replaces the snapshot map on every change, never mutating the old one', () => {
    const members = new RemoteMembers();
    const a = member('a');
    const before = members.peers;
    members.add(a.info, a.link, a.health);
    assert.notEqual(members.peers, before);
    assert.equal(before.size, 0);
  });

  it('takes the media a member announced in its info', () => {
    const members = new RemoteMembers();
    const a = member('a', { media: { audio: true, video: false, screen: false } });
    members.add(a.info, a.link, a.health);
    assert.deepEqual(members.peers.get('a')!.media, { audio: true, video: false, screen: false });
  });

  it('records a media-state and makes a new snapshot of that member', () => {
    const members = new RemoteMembers();
    const a = member('a');
    members.add(a.info, a.link, a.health);
    const old = members.peers.get('a');
    assert.equal(old!.media, null);
    assert.equal(members.setMedia('a', { audio: false, video: true, screen: true }), true);
    assert.notEqual(members.peers.get('a'), old);
    assert.deepEqual(members.peers.get('a')!.media, { audio: false, video: true, screen: true });
  });

  it('ignores a media-state of an unknown member', () => {
    const members = new RemoteMembers();
    assert.equal(members.setMedia('x', { audio: true, video: true, screen: false }), false);
    assert.equal(members.peers.size, 0);
  });

  it('shows the link’s state after refresh', () => {
    const members = new RemoteMembers();
    const a = member('a');
    members.add(a.info, a.link, a.health);
    a.link.connectionState = 'connected';
    members.refresh('a');
    assert.equal(members.peers.get('a')!.connectionState, 'connected');
  });

  it('removes the record and the snapshot entry together', () => {
    const members = new RemoteMembers();
    const a = member('a');
    const b = member('b');
    members.add(a.info, a.link, a.health);
    members.add(b.info, b.link, b.health);
    assert.equal(members.delete('a')!.info.id, 'a');
    assert.deepEqual(members.ids(), ['b']);
    assert.deepEqual([...members.peers.keys()], ['b']);
  });

  it('returns nothing when deleting an unknown member', () => {
    assert.equal(new RemoteMembers().delete('x'), undefined);
  });

  it('clears everyone and returns their records', () => {
    const members = new RemoteMembers();
    for (const id of ['a', 'b', 'c']) {
      const m = member(id);
      members.add(m.info, m.link, m.health);
    }
    assert.deepEqual(
      members.clear().map((m) => m.info.id),
      ['a', 'b', 'c'],
    );
    assert.equal(members.size, 0);
    assert.equal(members.peers.size, 0);
  });
});

describe('snapshot', () => {
  it('shows sub and publish only when the member has them', () => {
    const plain = member('a');
    const tokened = member('b', { sub: 'user-7', publish: false });
    const p = snapshot({ ...plain, media: null });
    const t = snapshot({ ...tokened, media: null });
    assert.equal('sub' in p, false);
    assert.equal('publish' in p, false);
    assert.equal(t.sub, 'user-7');
    assert.equal(t.publish, false);
  });

  it('uses the link’s remote stream', () => {
    const a = member('a');
    assert.equal(snapshot({ ...a, media: null }).stream, a.link.remoteStream);
  });
});
