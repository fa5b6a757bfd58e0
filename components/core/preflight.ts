import type { IceServer } from '../../protocol/index.js';
import { deviceStore } from './device-store.js';
import { mediaError, RtcError } from './errors.js';
import { gatherCandidates } from './ice-gather.js';
import { SignalingClient } from './signaling-client.js';
import { englishStrings, fillIn, type RtcStrings } from './strings.js';

export type CheckStatus = 'ok' | 'warning' | 'failed' | 'skipped';

/** The four checks of a preflight, in the order they are shown. */
export type PreflightCheck = 'signaling' | 'network' | 'camera' | 'microphone';

export interface CheckResult {
  status: CheckStatus;
  /** The finding in one plain English sentence, for scripts and logs (`describeCheck()` gives it in another language). */
  message: string;
  /**
   * A typed code when it did not work. Camera and microphone: `media_denied`, `no_device`,
   * `media_failed`, `insecure_context`. Signaling: `connect_failed`, `unauthorized`, `timeout`, or
   * another code of the server's. Network: `no_candidates`, `ice_servers_rejected`,
   * `turn_refused`, `turn_unreachable`, `stun_unreachable`.
   */
  code?: string;
  /** The browser's or the server's own words about what went wrong (English, as they give it). */
  error?: string;
  /** The camera's or microphone's name, when it works. */
  label?: string;
}

export interface DeviceCheck extends CheckResult {
  /** The id of the device that was opened, when it works. */
  deviceId?: string;
  /**
   * Which device was asked for: `given` (the `cameraId`/`microphoneId` option; one that does not
   * exist gives `no_device`, never the default), `remembered` (the one chosen earlier on this
   * origin, see `deviceStore`), or `default` (the browser's, when none was chosen or the remembered
   * one is gone, as a call would fall back to it too).
   */
  source?: 'given' | 'remembered' | 'default';
}

export interface PreflightResult {
  /** `ok`: a call will work; `warning`: it will work here, perhaps not across firewalls or without a device; `failed`: it will not. */
  verdict: 'ok' | 'warning' | 'failed';
  /** Why, in one plain English sentence: the `message` of the most serious finding. */
  reason: string;
  /** The check the verdict and `reason` come from; null when everything checked works (`reason` says when the camera and microphone were both skipped). */
  reasonFrom: PreflightCheck | null;
  camera: DeviceCheck;
  microphone: DeviceCheck;
  /** The signaling server: reachable, and how long connecting and asking took. */
  signaling: CheckResult & { ms?: number };
  /** Candidate gathering with the room's ICE servers. */
  network: NetworkCheck;
}

export interface NetworkCheck extends CheckResult {
  /** The kinds of candidate gathered: host (this machine), srflx (STUN: the public address), relay (TURN) by transport to the TURN server. */
  candidates: { host: number; srflx: number; relay: { udp: number; tcp: number; tls: number } };
  /** The servers handed out: how many STUN and TURN URLs. */
  servers: { stun: number; turn: number };
  /** `icecandidateerror`s: e.g. 401 from a TURN server refusing the credentials, 701 unreachable. */
  errors: Array<{ errorCode: number; url: string }>;
}

export interface PreflightOptions {
  /** Signaling server URL; undefined: the page's origin. */
  server?: string;
  /** The room whose ICE servers are checked. */
  room: string;
  /** The access token a join into `room` would need, on servers that require one. */
  token?: string;
  /** Check the camera. @default true */
  video?: boolean;
  /** Check the microphone. @default true */
  audio?: boolean;
  /** The camera to check, by device id. Undefined: the one remembered on this origin (`deviceStore`), else the default. */
  cameraId?: string;
  /** The microphone to check, by device id. Undefined: the one remembered on this origin (`deviceStore`), else the default. */
  microphoneId?: string;
  /** Bound of each network step, in ms. @default 8000 */
  timeout?: number;
}

type Finding = Omit<CheckResult, 'message'>;

/** `describeCheck()`'s word for each finding of a device check. */
const DEVICE_WORDS = {
  camera: {
    ok: 'preflightCameraOk',
    named: 'preflightCameraOkNamed',
    skipped: 'preflightCameraSkipped',
    media_denied: 'preflightCameraDenied',
    no_device: 'preflightCameraMissing',
    media_failed: 'preflightCameraFailed',
  },
  microphone: {
    ok: 'preflightMicrophoneOk',
    named: 'preflightMicrophoneOkNamed',
    skipped: 'preflightMicrophoneSkipped',
    media_denied: 'preflightMicrophoneDenied',
    no_device: 'preflightMicrophoneMissing',
    media_failed: 'preflightMicrophoneFailed',
  },
} as const satisfies Record<'camera' | 'microphone', Record<string, keyof RtcStrings>>;

const NETWORK_WORDS: Readonly<Record<string, keyof RtcStrings>> = {
  no_candidates: 'preflightNoPath',
  ice_servers_rejected: 'preflightIceServersRejected',
  turn_refused: 'preflightTurnRefused',
  turn_unreachable: 'preflightTurnUnreachable',
  stun_unreachable: 'preflightStunUnreachable',
};

/** One finding as a sentence in `words`' language (`englishStrings` gives the results' `message`). */
export function describeCheck(
  words: RtcStrings,
  check: PreflightCheck,
  result: Finding & Partial<Pick<NetworkCheck, 'candidates' | 'servers'>>,
): string {
  const error = result.error ?? result.code ?? '';
  if (check === 'camera' || check === 'microphone') {
    const w = DEVICE_WORDS[check];
    if (result.code === 'insecure_context') return words.preflightInsecureContext;
    if (result.status === 'skipped') return words[w.skipped];
    if (result.status === 'ok') return result.label ? fillIn(words[w.named], { label: result.label }) : words[w.ok];
    const key = result.code === 'media_denied' || result.code === 'no_device' ? w[result.code] : w.media_failed;
    return fillIn(words[key], { error });
  }
  if (check === 'signaling') {
    if (result.status === 'ok') return fillIn(words.preflightServerOk, { ms: (result as { ms?: number }).ms ?? 0 });
    if (result.code === 'connect_failed') return fillIn(words.preflightServerUnreachable, { error });
    if (result.code === 'unauthorized') return words.preflightServerUnauthorized;
    if (result.code === 'timeout') return words.preflightServerTimeout;
    return fillIn(words.preflightServerError, { error });
  }
  if (result.status === 'skipped') return words.preflightNetworkSkipped;
  if (result.code && NETWORK_WORDS[result.code]) return fillIn(words[NETWORK_WORDS[result.code]!], { error });
  const c = result.candidates ?? { host: 0, srflx: 0, relay: { udp: 0, tcp: 0, tls: 0 } };
  const relays = c.relay.udp + c.relay.tcp + c.relay.tls;
  const paths = [c.host && words.preflightPathDirect, c.srflx && 'STUN', relays && 'TURN'].filter(Boolean).join(', ');
  return fillIn(result.servers?.turn ? words.preflightNetworkOk : words.preflightNetworkOkNoTurn, { paths });
}

function finish<T extends Finding>(check: PreflightCheck, finding: T): T & { message: string } {
  return { ...finding, message: describeCheck(englishStrings, check, finding) };
}

/**
 * Opens one kind of device and closes it at once: the given id (exactly), else the remembered one
 * (the default when it is gone, as a call does), else the default.
 */
async function checkDevice(kind: 'video' | 'audio', wanted: boolean, given?: string): Promise<DeviceCheck> {
  const check = kind === 'video' ? 'camera' : 'microphone';
  if (!wanted) return finish(check, { status: 'skipped' });
  if (!navigator.mediaDevices?.getUserMedia) return finish(check, { status: 'failed', code: 'insecure_context' });
  const remembered = given ? null : deviceStore.load(kind === 'video' ? 'videoinput' : 'audioinput');
  const open = async (deviceId: string | null | undefined, source: NonNullable<DeviceCheck['source']>) => {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: deviceId ? { deviceId: { exact: deviceId } } : true });
    const track = stream.getTracks()[0];
    const label = track?.label;
    const opened = track?.getSettings().deviceId;
    for (const t of stream.getTracks()) t.stop();
    return finish(check, { status: 'ok', source, ...(opened ? { deviceId: opened } : {}), ...(label ? { label } : {}) });
  };
  try {
    return await open(given ?? remembered, given ? 'given' : remembered ? 'remembered' : 'default');
  } catch (first) {
    let cause = first;
    if (remembered && mediaError(first).code === 'no_device') {
      try {
        return await open(null, 'default');
      } catch (second) {
        cause = second;
      }
    }
    const error = mediaError(cause);
    const text = cause instanceof Error ? cause.message : String(cause);
    const source: DeviceCheck['source'] = given ? 'given' : remembered && cause === first ? 'remembered' : 'default';
    return finish(check, { status: 'warning', code: error.code, error: text, source });
  }
}

/** Connects and asks for the room's ICE servers, bounded by `timeout` ms. */
async function checkSignaling(options: PreflightOptions, timeout: number) {
  const client = new SignalingClient({ server: options.server, requestTimeout: timeout });
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    let fail: (error: RtcError) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
      timer = setTimeout(() => reject(new RtcError('connect_failed', 'no answer in time')), timeout);
    });
    // The first failed attempt ends the check (with the transport's own message).
    const connected = client.connect((error) =>
      fail(new RtcError('connect_failed', error.cause instanceof Error ? error.cause.message : error.message)),
    );
    await Promise.race([connected, failed]);
    clearTimeout(timer);
    const grant = await client.preflight(options.room, options.token);
    const ms = Math.round(performance.now() - t0);
    return { signaling: finish('signaling', { status: 'ok' as const, ms }), iceServers: grant.iceServers };
  } catch (cause) {
    const error = cause instanceof RtcError ? cause : new RtcError('internal', String(cause));
    return { signaling: finish('signaling', { status: 'failed' as const, code: error.code, error: error.message }), iceServers: null };
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

function countCandidates(candidates: RTCIceCandidate[], relayProtocols: ReadonlyArray<'udp' | 'tcp' | 'tls'>): NetworkCheck['candidates'] {
  const counts = { host: 0, srflx: 0, relay: { udp: 0, tcp: 0, tls: 0 } };
  for (const c of candidates) {
    if (c.type === 'host') counts.host++;
    else if (c.type === 'srflx' || c.type === 'prflx') counts.srflx++;
  }
  for (const via of relayProtocols) counts.relay[via]++;
  return counts;
}

function countServers(iceServers: { urls: string | string[] }[]): { stun: number; turn: number } {
  const urls = iceServers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  return { stun: urls.filter((u) => /^stuns?:/.test(u)).length, turn: urls.filter((u) => /^turns?:/.test(u)).length };
}

/**
 * Gathers candidates with these ICE servers, as a call would, and says which paths a call can take.
 * Never throws: servers the browser refuses (e.g. a malformed URL) give `ice_servers_rejected`.
 */
export async function checkNetwork(iceServers: IceServer[], options: { timeout?: number } = {}): Promise<NetworkCheck> {
  const servers = countServers(iceServers);
  const none = { host: 0, srflx: 0, relay: { udp: 0, tcp: 0, tls: 0 } };
  let gathered;
  try {
    gathered = await gatherCandidates(iceServers, { timeout: options.timeout ?? 8_000 });
  } catch (cause) {
    const error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return finish('network', { status: 'failed', code: 'ice_servers_rejected', error, candidates: none, servers, errors: [] });
  }
  const candidates = countCandidates(gathered.candidates, gathered.relayProtocols);
  const relays = candidates.relay.udp + candidates.relay.tcp + candidates.relay.tls;
  const errors = gathered.errors.map(({ errorCode, url }) => ({ errorCode, url }));
  const base = { candidates, servers, errors };
  if (!gathered.candidates.length) return finish('network', { ...base, status: 'failed', code: 'no_candidates' });
  if (servers.turn > 0 && relays === 0) {
    const refused = errors.some((e) => e.errorCode === 401 && /^turns?:/.test(e.url));
    return finish('network', { ...base, status: 'warning', code: refused ? 'turn_refused' : 'turn_unreachable' });
  }
  // Chromium drops a srflx candidate equal to a host one (no NAT), so no srflx alone proves
  // nothing: STUN is unreachable when a STUN URL errored, or gathering still waited for it.
  const stunErrored = errors.some((e) => /^stuns?:/.test(e.url));
  if (servers.stun > 0 && candidates.srflx === 0 && (stunErrored || !gathered.complete)) {
    return finish('network', { ...base, status: 'warning', code: 'stun_unreachable' });
  }
  return finish('network', { ...base, status: 'ok' });
}

/**
 * Checks, before joining, what a call needs: the camera and microphone, the signaling server, and
 * the network paths ICE can use with the room's STUN/TURN servers. Never joins; never throws.
 */
export async function runPreflight(options: PreflightOptions): Promise<PreflightResult> {
  const timeout = options.timeout ?? 8_000;
  const devices = Promise.all([
    checkDevice('video', options.video ?? true, options.cameraId),
    checkDevice('audio', options.audio ?? true, options.microphoneId),
  ]);
  const { signaling, iceServers } = await checkSignaling(options, timeout);
  const network: NetworkCheck = iceServers
    ? await checkNetwork(iceServers, { timeout })
    : finish('network', {
        status: 'skipped',
        candidates: { host: 0, srflx: 0, relay: { udp: 0, tcp: 0, tls: 0 } },
        servers: { stun: 0, turn: 0 },
        errors: [],
      });
  const [camera, microphone] = await devices;
  const checks = { signaling, network, camera, microphone };
  const order = Object.keys(checks) as PreflightCheck[];
  const reasonFrom = order.find((k) => checks[k].status === 'failed') ?? order.find((k) => checks[k].status === 'warning') ?? null;
  const verdict = !reasonFrom ? 'ok' : checks[reasonFrom].status === 'failed' ? 'failed' : 'warning';
  const partial = { reasonFrom, camera, microphone, signaling, network };
  return { verdict, reason: describeVerdict(englishStrings, partial), ...partial };
}

/** The verdict's reason in `words`' language: the most serious finding, or that all checked works (and whether the devices were checked). */
export function describeVerdict(words: RtcStrings, result: Omit<PreflightResult, 'verdict' | 'reason'>): string {
  if (result.reasonFrom) return describeCheck(words, result.reasonFrom, result[result.reasonFrom]);
  const camera = result.camera.status === 'skipped';
  const microphone = result.microphone.status === 'skipped';
  if (camera && microphone) return words.preflightOkDevicesUnchecked;
  if (camera) return words.preflightOkCameraUnchecked;
  if (microphone) return words.preflightOkMicrophoneUnchecked;
  return words.preflightAllOk;
}
