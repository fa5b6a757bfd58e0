import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IceCandidate } from '../../protocol/index.js';
import { addRemoteCandidate, iceUfrags, isStaleCandidate, type CandidateTarget } from './remote-candidates.js';

const sdp = (...ufrags: string[]) =>
  [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    ...ufrags.flatMap((u) => ['m=audio 9 UDP/TLS/RTP/SAVPF 111', `a=ice-ufrag:${u}`]),
    '',
  ].join('\r\n');

const candidate = (usernameFragment: string | null, text = 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host'): IceCandidate => ({
  candidate: text,
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment,
});

/**
 * A connection that behaves like Firefox: a candidate whose ufrag is not the remote description's
 * is refused with `Unknown ufrag`; `refuse` makes it refuse every other candidate too (a real error).
 */
function firefoxLike(remoteUfrag: string, refuse?: Error) {
  const added: IceCandidate[] = [];
  const pc: CandidateTarget & { added: IceCandidate[] } = {
    added,
    remoteDescription: { type: 'offer', sdp: sdp(remoteUfrag) } as RTCSessionDescription,
    async addIceCandidate(c?: RTCIceCandidateInit | null) {
      if (c?.usernameFragment && c.usernameFragment !== remoteUfrag) {
        throw new DOMException(`Unknown ufrag (${c.usernameFragment})`, 'OperationError');
      }
      if (refuse) throw refuse;
      added.push(c as IceCandidate);
    },
  };
  return pc;
}

describe('remote candidates', () => {
  it('reads the ufrags of every section of a description', () => {
    assert.deepEqual([...iceUfrags(sdp('aaaa', 'bbbb', 'aaaa'))], ['aaaa', 'bbbb']);
    assert.deepEqual([...iceUfrags('v=0\r\n')], []);
  });

  it('drops, quietly, a late candidate of an ICE generation a restart replaced (Firefox: Unknown ufrag)', async () => {
    const pc = firefoxLike('new1');
    assert.equal(await addRemoteCandidate(pc, candidate('old1'), false), 'dropped');
    assert.deepEqual(pc.added, []);
  });

  it('drops, quietly, a late end-of-candidates of an old generation', async () => {
    const pc = firefoxLike('new1');
    assert.equal(await addRemoteCandidate(pc, candidate('old1', ''), false), 'dropped');
  });

  it('adds a candidate of the remote description now', async () => {
    const pc = firefoxLike('new1');
    assert.equal(await addRemoteCandidate(pc, candidate('new1'), false), 'added');
    assert.equal(pc.added.length, 1);
  });

  it('still throws a real failure: a candidate of the current description that the browser refuses', async () => {
    const pc = firefoxLike('new1', new DOMException('Invalid candidate', 'OperationError'));
    await assert.rejects(addRemoteCandidate(pc, candidate('new1', 'candidate:garbage'), false), { message: 'Invalid candidate' });
  });

  it('still throws a failure of a candidate that names no ufrag', async () => {
    const pc = firefoxLike('new1', new DOMException('Invalid candidate', 'OperationError'));
    await assert.rejects(addRemoteCandidate(pc, candidate(null), false), { message: 'Invalid candidate' });
  });

  it("drops a failing candidate while the peer's last offer is ignored (glare)", async () => {
    const pc = firefoxLike('new1', new DOMException('Invalid candidate', 'OperationError'));
    assert.equal(await addRemoteCandidate(pc, candidate(null), true), 'dropped');
  });

  it('calls a candidate stale only when it names a ufrag and there is a description to compare with', () => {
    const remote = { type: 'answer', sdp: sdp('cur') } as const;
    assert.equal(isStaleCandidate(candidate('old'), remote), true);
    assert.equal(isStaleCandidate(candidate('cur'), remote), false);
    assert.equal(isStaleCandidate(candidate(null), remote), false);
    assert.equal(isStaleCandidate(candidate('old'), null), false);
  });
});
