// Candidates between our protocol (RTCIceCandidate.toJSON(), "" for the end) and Janus' trickle.
import type { IceCandidate } from '../../protocol/index.js';
import type { JanusCandidate } from './janus-types.js';

/** A browser's candidate for Janus; null: end of candidates. */
export function toJanusCandidate(candidate: IceCandidate): JanusCandidate | null {
  if (!candidate.candidate) return null;
  return { candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? null, sdpMLineIndex: candidate.sdpMLineIndex ?? null };
}

/** Janus' candidate for a browser; null (Janus' `completed`) is the end-of-candidates `""`. */
export function fromJanusCandidate(candidate: JanusCandidate | null): IceCandidate {
  if (!candidate) return { candidate: '' };
  return {
    candidate: candidate.candidate.startsWith('candidate:') ? candidate.candidate : `candidate:${candidate.candidate}`,
    ...(candidate.sdpMid != null ? { sdpMid: candidate.sdpMid } : {}),
    ...(candidate.sdpMLineIndex != null ? { sdpMLineIndex: candidate.sdpMLineIndex } : {}),
  };
}
