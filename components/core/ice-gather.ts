import type { IceServer } from '../../protocol/index.js';

export interface GatherResult {
  /** The candidates gathered (end-of-candidates excluded). */
  candidates: RTCIceCandidate[];
  /** How this browser reaches the TURN server, for each relay candidate gathered (in order). */
  relayProtocols: Array<'udp' | 'tcp' | 'tls'>;
  /** `icecandidateerror` events: a STUN/TURN server that did not answer, or refused (401). */
  errors: Array<{ errorCode: number; errorText: string; url: string }>;
  /** Whether gathering finished before the bound. */
  complete: boolean;
}

/**
 * How a relay candidate reaches its TURN server: the candidate's `relayProtocol` (Chromium), else
 * what the URL it came from says (`turns:` is TLS, `?transport=tcp` is TCP, otherwise UDP).
 */
export function relayProtocolOf(candidate: { relayProtocol?: string | null }, url?: string | null): 'udp' | 'tcp' | 'tls' {
  const given = candidate.relayProtocol;
  if (given === 'udp' || given === 'tcp' || given === 'tls') return given;
  if (!url) return 'udp';
  if (/^turns:/i.test(url)) return 'tls';
  return /[?&]transport=tcp\b/i.test(url) ? 'tcp' : 'udp';
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
  const result: GatherResult = { candidates: [], relayProtocols: [], errors: [], complete: false };
  try {
    pc.createDataChannel('probe');
    pc.addEventListener('icecandidateerror', (e) => {
      const { errorCode, errorText, url } = e as RTCPeerConnectionIceErrorEvent;
      result.errors.push({ errorCode, errorText, url: url ?? '' });
    });
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), options.timeout ?? 10_000);
      pc.addEventListener('icecandidate', (e) => {
        if (e.candidate?.candidate) {
          result.candidates.push(e.candidate);
          // `url` (the STUN/TURN server it came from) is on the event, not the candidate.
          const url = (e as RTCPeerConnectionIceEvent & { url?: string | null }).url;
          if (e.candidate.type === 'relay') result.relayProtocols.push(relayProtocolOf(e.candidate as { relayProtocol?: string }, url));
        }
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
