import type { IceCandidate, IceServer, SfuLink } from '../../protocol/index.js';
import type { IncomingSignal, OutgoingSignal } from './peer-link.js';
import { addRemoteCandidate } from './remote-candidates.js';

/** Upstream video layers for simulcast: `rid`, how much smaller than the capture, and a bitrate cap (bps). */
export const SIMULCAST_LAYERS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 100_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 300_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 900_000 },
] as const;

export interface SfuConnectionOptions {
  /** `publish`: this member's media up (this side offers); `subscribe`: the others' media down (the SFU offers). */
  role: SfuLink;
  iceServers: IceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** On `publish`: which media this member sends (a transceiver each). */
  sendAudio: boolean;
  sendVideo: boolean;
  /** On `publish`: send the camera in three layers ({@link SIMULCAST_LAYERS}) for the SFU to pick from. */
  simulcast?: boolean;
  /** Hands a description or candidate to the server (as `sfu-signal` on this link). */
  send: (signal: OutgoingSignal) => void;
  /** Called with errors negotiation cannot recover from on its own. */
  onError: (error: unknown) => void;
  /** Makes the RTCPeerConnection (a test passes a fake). */
  createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
}

/** One receiving transceiver of a `subscribe` link, by its `mid`. */
export interface SfuReceiver {
  mid: string;
  kind: 'audio' | 'video';
  track: MediaStreamTrack;
  getStats(): Promise<RTCStatsReport>;
}

const KINDS = ['audio', 'video'] as const;

/**
 * One RTCPeerConnection to the SFU. The `publish` link offers (one send-only transceiver per kind
 * this member sends, tracks attached with `replaceTrack`, so a late camera costs no renegotiation);
 * the `subscribe` link answers the SFU's offers, which come again whenever publishers come or go.
 * Signals are handled one at a time, and remote candidates that come before the remote description
 * are queued until it is set (the SFU may trickle before its answer or offer arrives).
 *
 * Events: `connectionstatechange`; `negotiated` (a remote description was applied: the receivers may have changed).
 */
export class SfuConnection extends EventTarget {
  readonly role: SfuLink;
  readonly pc: RTCPeerConnection;
  readonly #options: SfuConnectionOptions;
  /** Remote candidates that came before the remote description. */
  #pendingCandidates: IceCandidate[] = [];
  #inbox: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: SfuConnectionOptions) {
    super();
    this.#options = options;
    this.role = options.role;
    const create = options.createPeerConnection ?? ((configuration) => new RTCPeerConnection(configuration));
    this.pc = create({
      iceServers: options.iceServers,
      iceTransportPolicy: options.iceTransportPolicy ?? 'all',
      bundlePolicy: 'max-bundle',
    });
    this.pc.addEventListener('icecandidate', this.#onIceCandidate);
    this.pc.addEventListener('connectionstatechange', this.#onConnectionStateChange);
    if (options.role === 'publish') {
      this.pc.addEventListener('negotiationneeded', this.#onNegotiationNeeded);
      for (const kind of KINDS) {
        if (!(kind === 'audio' ? options.sendAudio : options.sendVideo)) continue;
        const sendEncodings = kind === 'video' && options.simulcast ? SIMULCAST_LAYERS.map((layer) => ({ ...layer })) : undefined;
        this.pc.addTransceiver(kind, { direction: 'sendonly', ...(sendEncodings ? { sendEncodings } : {}) });
      }
    }
  }

  get connectionState(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  /** The receiving transceivers of a `subscribe` link that have a `mid` (after the SFU's offer). */
  receivers(): SfuReceiver[] {
    return this.pc
      .getTransceivers()
      .filter((t) => t.mid !== null && t.currentDirection !== 'stopped')
      .map((t) => ({
        mid: t.mid!,
        kind: t.receiver.track.kind as 'audio' | 'video',
        track: t.receiver.track,
        getStats: () => t.receiver.getStats(),
      }));
  }

  /** On `publish`: sends these tracks (or nothing, with null) without renegotiating. */
  setLocalStream(stream: MediaStream | null): void {
    if (this.#closed || this.role !== 'publish') return;
    for (const transceiver of this.pc.getTransceivers()) {
      const kind = transceiver.sender.track?.kind ?? transceiver.receiver.track.kind;
      const track = stream?.getTracks().find((t) => t.kind === kind) ?? null;
      if (transceiver.sender.track !== track) transceiver.sender.replaceTrack(track).catch((error) => this.#options.onError(error));
    }
  }

  /** Queues a description or candidate from the SFU; resolves once it is applied (errors go to `onError`). */
  handleSignal(signal: IncomingSignal): Promise<void> {
    this.#inbox = this.#inbox
      .then(() => this.#process(signal))
      .catch((error) => {
        if (!this.#closed) this.#options.onError(error);
      });
    return this.#inbox;
  }

  /** On `publish`: restarts ICE (a new offer), optionally with new STUN/TURN servers first. */
  restartIce(iceServers?: IceServer[]): void {
    if (this.#closed || this.role !== 'publish') return;
    if (iceServers) this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    this.pc.restartIce();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pc.removeEventListener('negotiationneeded', this.#onNegotiationNeeded);
    this.pc.removeEventListener('icecandidate', this.#onIceCandidate);
    this.pc.removeEventListener('connectionstatechange', this.#onConnectionStateChange);
    this.#pendingCandidates = [];
    this.pc.close();
    this.dispatchEvent(new Event('connectionstatechange'));
  }

  async #process(signal: IncomingSignal): Promise<void> {
    if (this.#closed) return;
    const pc = this.pc;
    if ('candidate' in signal) {
      if (!pc.remoteDescription) return void this.#pendingCandidates.push(signal.candidate);
      return void (await addRemoteCandidate(pc, signal.candidate, false));
    }
    const { description } = signal;
    // The publish link only takes answers, the subscribe link only offers: anything else is the server's mistake.
    const expected = this.role === 'publish' ? 'answer' : 'offer';
    if (description.type !== expected) throw new Error(`The SFU sent an ${description.type} on the ${this.role} link`);
    if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') return; // an answer to an offer we replaced
    await pc.setRemoteDescription(description);
    const queued = this.#pendingCandidates.splice(0);
    for (const candidate of queued) await addRemoteCandidate(pc, candidate, false);
    if (description.type === 'offer') {
      await pc.setLocalDescription();
      this.#sendDescription();
    }
    this.dispatchEvent(new Event('negotiated'));
  }

  #sendDescription(): void {
    const local = this.pc.localDescription;
    if (!local || this.#closed) return;
    this.#options.send({ description: { type: local.type as 'offer' | 'answer', sdp: local.sdp } });
  }

  readonly #onNegotiationNeeded = () => {
    // Runs in turn with incoming signals, so an answer is never applied to an offer being replaced.
    this.#inbox = this.#inbox
      .then(async () => {
        if (this.#closed || this.pc.signalingState !== 'stable') return; // negotiationneeded fires again once stable
        await this.pc.setLocalDescription();
        this.#sendDescription();
      })
      .catch((error) => {
        if (!this.#closed) this.#options.onError(error);
      });
  };

  readonly #onIceCandidate = ({ candidate }: RTCPeerConnectionIceEvent) => {
    if (this.#closed) return;
    if (!candidate) return this.#options.send({ candidate: { candidate: '' } }); // end of candidates
    const { candidate: c, sdpMid, sdpMLineIndex, usernameFragment } = candidate.toJSON();
    if (!c) return; // a generation's end-of-candidates: the null one above covers it
    this.#options.send({ candidate: { candidate: c, sdpMid, sdpMLineIndex, usernameFragment } });
  };

  readonly #onConnectionStateChange = () => {
    this.dispatchEvent(new Event('connectionstatechange'));
  };
}
