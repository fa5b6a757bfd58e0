import { mediaError, RtcError } from './errors.js';
import { gatherCandidates } from './ice-gather.js';
import { SignalingClient } from './signaling-client.js';

export type CheckStatus = 'ok' | 'warning' | 'failed' | 'skipped';

export interface CheckResult {
  status: CheckStatus;
  /** One sentence for people. */
  detail: string;
  /** A typed code when it did not work: `media_denied`, `no_device`, `connect_failed`, … */
  code?: string;
}

export interface PreflightResult {
  /** `ok`: a call will work; `warning`: it will work here, perhaps not across firewalls or without a device; `failed`: it will not. */
  verdict: 'ok' | 'warning' | 'failed';
  /** Why, in one sentence: the most serious finding. */
  reason: string;
  camera: CheckResult;
  microphone: CheckResult;
  /** The signaling server: reachable, and how long connecting and asking took. */
  signaling: CheckResult & { ms?: number };
  /** Candidate gathering with the room's ICE servers. */
  network: CheckResult & {
    /** The kinds of candidate gathered: host (this machine), srflx (STUN: the public address), relay (TURN) by transport to the TURN server. */
    candidates: { host: number; srflx: number; relay: { udp: number; tcp: number; tls: number } };
    /** The servers handed out: how many STUN and TURN URLs. */
    servers: { stun: number; turn: number };
    /** `icecandidateerror`s: e.g. 401 from a TURN server refusing the credentials, 701 unreachable. */
    errors: Array<{ errorCode: number; url: string }>;
  };
}

export interface PreflightOptions {
  /** Signaling server URL; undefined: the page's origin. */
  server?: string;
  /** The room whose ICE servers are checked. */
  room: string;
  /** Check the camera. @default true */
  video?: boolean;
  /** Check the microphone. @default true */
  audio?: boolean;
  /** Bound of each network step, in ms. @default 8000 */
  timeout?: number;
}

/** Opens one kind of device and closes it at once. */
async function checkDevice(kind: 'video' | 'audio', wanted: boolean): Promise<CheckResult> {
  const what = kind === 'video' ? 'camera' : 'microphone';
  if (!wanted) return { status: 'skipped', detail: `The ${what} was not checked.` };
  if (!navigator.mediaDevices?.getUserMedia) {
    return { status: 'failed', code: 'media_failed', detail: 'This page cannot use a camera or microphone (it needs https:// or localhost).' };
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: true });
    const track = stream.getTracks()[0];
    const label = track?.label ? ` (${track.label})` : '';
    for (const t of stream.getTracks()) t.stop();
    return { status: 'ok', detail: `The ${what} works${label}.` };
  } catch (cause) {
    const error = mediaError(cause);
    const detail =
      error.code === 'media_denied'
        ? `The ${what} is blocked: allow it in the browser's address bar.`
        : error.code === 'no_device'
          ? `No ${what} was found.`
          : `The ${what} could not be started: ${error.message}`;
    return { status: 'warning', code: error.code, detail };
  }
}

function countCandidates(candidates: RTCIceCandidate[]): PreflightResult['network']['candidates'] {
  const counts = { host: 0, srflx: 0, relay: { udp: 0, tcp: 0, tls: 0 } };
  for (const c of candidates) {
    if (c.type === 'host') counts.host++;
    else if (c.type === 'srflx' || c.type === 'prflx') counts.srflx++;
    else if (c.type === 'relay') {
      // relayProtocol: how this browser reaches the TURN server (Chromium; read from the URL otherwise)
      const via = ((c as RTCIceCandidate & { relayProtocol?: string }).relayProtocol ?? 'udp') as 'udp' | 'tcp' | 'tls';
      counts.relay[via in counts.relay ? via : 'udp']++;
    }
  }
  return counts;
}

function countServers(iceServers: { urls: string | string[] }[]): { stun: number; turn: number } {
  const urls = iceServers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  return { stun: urls.filter((u) => /^stuns?:/.test(u)).length, turn: urls.filter((u) => /^turns?:/.test(u)).length };
}

/**
 * Checks, before joining, what a call needs: the camera and microphone, the signaling server, and
 * the network paths ICE can use with the room's STUN/TURN servers. Never joins; never throws.
 */
export async function runPreflight(options: PreflightOptions): Promise<PreflightResult> {
  const timeout = options.timeout ?? 8_000;
  const devices = Promise.all([checkDevice('video', options.video ?? true), checkDevice('audio', options.audio ?? true)]);

  let signaling: PreflightResult['signaling'];
  let network: PreflightResult['network'] = {
    status: 'skipped',
    detail: 'Not checked: the signaling server could not be asked for the ICE servers.',
    candidates: { host: 0, srflx: 0, relay: { udp: 0, tcp: 0, tls: 0 } },
    servers: { stun: 0, turn: 0 },
    errors: [],
  };
  const client = new SignalingClient({ server: options.server, requestTimeout: timeout });
  const t0 = performance.now();
  try {
    const connected = client.connect();
    const failed = new Promise<never>((_, reject) => {
      client.socket.once('connect_error', (err) => reject(new RtcError('connect_failed', err.message)));
      setTimeout(() => reject(new RtcError('connect_failed', 'no answer in time')), timeout);
    });
    await Promise.race([connected, failed]);
    const grant = await client.preflight(options.room);
    const ms = Math.round(performance.now() - t0);
    signaling = { status: 'ok', detail: `The call server answers (${ms} ms).`, ms };
    const servers = countServers(grant.iceServers);
    const gathered = await gatherCandidates(grant.iceServers, { timeout });
    const candidates = countCandidates(gathered.candidates);
    const relays = candidates.relay.udp + candidates.relay.tcp + candidates.relay.tls;
    const errors = gathered.errors.map(({ errorCode, url }) => ({ errorCode, url }));
    const base = { candidates, servers, errors };
    if (!gathered.candidates.length) {
      network = { ...base, status: 'failed', code: 'no_candidates', detail: 'No network path was found: is this device offline?' };
    } else if (servers.turn > 0 && relays === 0) {
      const refused = errors.some((e) => e.errorCode === 401);
      network = {
        ...base,
        status: 'warning',
        code: refused ? 'turn_refused' : 'turn_unreachable',
        detail: refused
          ? 'The TURN server refused the credentials: calls through strict firewalls will fail.'
          : 'The TURN server could not be reached: calls through strict firewalls will fail.',
      };
    } else {
      const kinds = [candidates.host && 'direct', candidates.srflx && 'STUN', relays && 'TURN'].filter(Boolean).join(', ');
      const note = servers.turn === 0 ? ' No TURN server is configured: calls across strict firewalls may fail.' : '';
      network = { ...base, status: 'ok', detail: `Network paths: ${kinds}.${note}` };
    }
  } catch (cause) {
    const error = cause instanceof RtcError ? cause : new RtcError('internal', String(cause));
    signaling = { status: 'failed', code: error.code, detail: `The call server cannot be reached (${error.message}).` };
  } finally {
    client.close();
  }

  const [camera, microphone] = await devices;
  const checks: Array<[string, CheckResult]> = [
    ['signaling', signaling],
    ['network', network],
    ['camera', camera],
    ['microphone', microphone],
  ];
  const failed = checks.find(([, c]) => c.status === 'failed');
  const warned = checks.find(([, c]) => c.status === 'warning');
  const verdict = failed ? 'failed' : warned ? 'warning' : 'ok';
  const reason = failed?.[1].detail ?? warned?.[1].detail ?? 'Everything a call needs works.';
  return { verdict, reason, camera, microphone, signaling, network };
}
