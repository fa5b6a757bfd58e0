import type { IceServer } from '../../server/protocol.js';

export interface GatherResult {
  /** The candidates gathered (end-of-candidates excluded). */
  candidates: RTCIceCandidate[];
  /** `icecandidateerror` events: a STUN/TURN server that did not answer, or refused (401). */
  errors: Array<{ errorCode: number; errorText: string; url: string }>;
  /** Whether gathering finished before the bound. */
  complete: boolean;
}

/**
 * Gathers ICE candidates with these servers, as a call would (a data channel gives ICE something to
 * gather for), until gathering completes or `timeout` ms pass. Nothing is sent to any peer.
 */
export async function gatherCandidates(
  iceServers: IceServer[],
  options: { policy?: RTCIceTransportPolicy; timeout?: number } = {},
): Promise<GatherResult> {
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: options.policy ?? 'all' });
  const result: GatherResult = { candidates: [], errors: [], complete: false };
  try {
    pc.createDataChannel('probe');
    pc.addEventListener('icecandidateerror', (e) => {
      const { errorCode, errorText, url } = e as RTCPeerConnectionIceErrorEvent;
      result.errors.push({ errorCode, errorText, url: url ?? '' });
    });
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), options.timeout ?? 10_000);
      pc.addEventListener('icecandidate', (e) => {
        if (e.candidate?.candidate) result.candidates.push(e.candidate);
        if (!e.candidate) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    await pc.setLocalDescription();
    result.complete = await done;
    return result;
  } finally {
    pc.close();
  }
}
