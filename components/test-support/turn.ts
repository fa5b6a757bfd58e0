// Helpers for the TURN tests: the setup web-test-runner.config.js serves (a real coturn and a
// second rtc-room server handing out TURN REST credentials for it), and small getStats readers.
import type { IceServer } from '../../protocol/index.js';
import { gatherCandidates, type GatherResult } from '../core/ice-gather.js';

export type { GatherResult };

/** A TURN REST username and its credential. */
export interface TurnCredential {
  username: string;
  credential: string;
}

export type TurnTestSetup =
  | {
      status: 'ready';
      /** The second rtc-room server (its ICE provider is TURN REST for the coturn below). */
      server: string;
      /** coturn's `turn:` URLs (UDP and TCP) on 127.0.0.1. */
      urls: string[];
      realm: string;
      /** How long coturn took to listen, in ms. */
      startupMs: number;
      /** Correctly signed, expired a minute ago. */
      expired: TurnCredential;
      /** Fresh, signed with a secret coturn does not know. */
      wrongSecret: TurnCredential;
      /** Fresh, signed with coturn's second `static-auth-secret` (a rotation in progress). */
      previousSecret: TurnCredential;
    }
  /** coturn is not installed: the TURN tests skip. */
  | { status: 'unavailable'; reason: string }
  /** coturn is installed but did not start: the TURN tests fail. */
  | { status: 'failed'; reason: string };

/** The TURN setup from the test runner (coturn starts on the first call). */
export async function turnTestSetup(): Promise<TurnTestSetup> {
  const response = await fetch('/__rtc-test/turn');
  if (!response.ok) throw new Error(`GET /__rtc-test/turn: HTTP ${response.status}`);
  return (await response.json()) as TurnTestSetup;
}

/** The fields of a `local-candidate`/`remote-candidate` stats entry the tests read (not in lib.dom). */
export interface CandidateStats extends RTCStats {
  candidateType?: RTCIceCandidateType;
  address?: string;
  port?: number;
  protocol?: string;
  /** For relay candidates: how the browser talks to the TURN server (`udp`, `tcp`, `tls`). */
  relayProtocol?: string;
}

/** The candidate pair ICE chose: the transport's selected pair, else the nominated succeeded one. */
export function selectedCandidates(report: RTCStatsReport): { local: CandidateStats; remote: CandidateStats } | null {
  let pair: RTCIceCandidatePairStats | undefined;
  report.forEach((s: RTCStats) => {
    const id = s.type === 'transport' ? (s as RTCTransportStats).selectedCandidatePairId : undefined;
    if (id) pair ??= report.get(id) as RTCIceCandidatePairStats | undefined;
  });
  report.forEach((s: RTCStats) => {
    const candidate = s as RTCIceCandidatePairStats;
    if (s.type === 'candidate-pair' && candidate.nominated && candidate.state === 'succeeded') pair ??= candidate;
  });
  const local = pair && (report.get(pair.localCandidateId) as CandidateStats | undefined);
  const remote = pair && (report.get(pair.remoteCandidateId) as CandidateStats | undefined);
  return local && remote ? { local, remote } : null;
}

/** `relay/udp 127.0.0.1:50123` for messages. */
export function describeCandidate(c: CandidateStats): string {
  return `${c.candidateType}/${c.relayProtocol ?? c.protocol} ${c.address}:${c.port}`;
}

/**
 * Gathers ICE candidates with one TURN server and `iceTransportPolicy: 'relay'`, as a page would
 * (a data channel so that there is something to gather for), until gathering completes or `timeout`.
 */
export async function gatherRelay(iceServer: RTCIceServer, timeout = 10_000): Promise<GatherResult> {
  return gatherCandidates([iceServer as IceServer], { policy: 'relay', timeout });
}
