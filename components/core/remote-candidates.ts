import type { IceCandidate } from '../../protocol/index.js';

/** What {@link addRemoteCandidate} uses of an `RTCPeerConnection`. */
export type CandidateTarget = Pick<RTCPeerConnection, 'addIceCandidate' | 'remoteDescription'>;

/** The ICE username fragments (`a=ice-ufrag:`) of a session description, at session and media level. */
export function iceUfrags(sdp: string): Set<string> {
  const ufrags = new Set<string>();
  for (const [, ufrag] of sdp.matchAll(/^a=ice-ufrag:(\S+)/gm)) ufrags.add(ufrag!);
  return ufrags;
}

/**
 * A candidate that belongs to another description than the remote one now: its ufrag is in none of
 * that description's sections. It was gathered for an ICE generation that a restart replaced, or
 * for an offer this side ignored (glare) or the peer rolled back; it can never be used.
 */
export function isStaleCandidate(candidate: IceCandidate, remote: RTCSessionDescriptionInit | null): boolean {
  const ufrag = candidate.usernameFragment;
  if (!ufrag || !remote?.sdp) return false;
  return !iceUfrags(remote.sdp).has(ufrag);
}

/**
 * Adds a candidate from the peer to `pc` (which has a remote description). A stale one (see
 * {@link isStaleCandidate}) is dropped quietly, before the browser sees it (Firefox rejects it
 * with `Unknown ufrag`); so is one that fails while the peer's last offer was ignored (`ignoring`).
 * Every other failure (a malformed candidate, a closed connection) is thrown.
 * @returns `added`, or `dropped` for a candidate that was left out on purpose.
 */
export async function addRemoteCandidate(pc: CandidateTarget, candidate: IceCandidate, ignoring: boolean): Promise<'added' | 'dropped'> {
  if (isStaleCandidate(candidate, pc.remoteDescription)) return 'dropped';
  try {
    await pc.addIceCandidate(candidate);
    return 'added';
  } catch (error) {
    if (ignoring) return 'dropped';
    throw error;
  }
}
