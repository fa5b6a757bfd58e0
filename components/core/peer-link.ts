import type { IceCandidate, IceServer, SessionDescription } from '../../protocol/index.js';
import { mark } from './marks.js';
import { addRemoteCandidate } from './remote-candidates.js';

/** What a link sends to its peer through the signaling server. */
export type OutgoingSignal = { description: SessionDescription } | { candidate: IceCandidate };
/** What the signaling server delivered from the peer. */
export type IncomingSignal = { description: SessionDescription } | { candidate: IceCandidate };

export interface PeerLinkOptions {
  /** The remote member's id. */
  peerId: string;
  /** Perfect negotiation role: the polite side rolls back its own offer on glare. */
  polite: boolean;
  /**
   * The side that opens the conversation: it creates the audio and video transceivers at once, so
   * ICE and DTLS run while the camera is still starting. The other side answers on them.
   */
  initiator: boolean;
  iceServers: IceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  sendAudio: boolean;
  sendVideo: boolean;
  send: (signal: OutgoingSignal) => void;
  /** Called with errors negotiation cannot recover from on its own. */
  onError: (error: unknown) => void;
}

const KINDS = ['audio', 'video'] as const;

/** The data channel both sides create with the same id (no in-band announcement, no race). */
const DATA_CHANNEL = { label: 'rtc-room', id: 0 } as const;
/** Messages held for a data channel that is not open yet, or whose send buffer is full; more are refused. */
const MAX_QUEUED_MESSAGES = 256;
/**
 * Bytes the data channel may hold unsent before messages wait here instead (Chromium throws
 * `OperationError` past its own 16 MB send buffer); sending resumes at `bufferedamountlow`.
 */
const MAX_BUFFERED_BYTES = 1 << 20;
const BUFFERED_LOW_BYTES = 256 * 1024;

/**
 * What became of a message given to `PeerLink.send()`: `sent` (handed to the data channel),
 * `queued` (sent once the channel opens or its buffer drains), or not sent at all: `closed` (the
 * link or its channel is closing or closed), `full` (the queue is full), `too_large` (larger than
 * the peer's SCTP `maxMessageSize`).
 */
export type SendOutcome = 'sent' | 'queued' | 'closed' | 'full' | 'too_large';

/** The size of `text` on the wire (UTF-8), which is what data channel limits count. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}
type Kind = (typeof KINDS)[number];

/**
 * One RTCPeerConnection to one remote member, negotiated with the W3C "perfect negotiation"
 * pattern (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example): `makingOffer`,
 * `ignoreOffer` and `isSettingRemoteAnswerPending`, roles fixed by id. Media is attached with
 * `replaceTrack` on one audio and one video transceiver, so local tracks that arrive late never
 * cost another offer/answer round. Knows nothing of the DOM.
 *
 * A negotiated data channel carries small text messages; what is sent before it opens is queued.
 *
 * Events: `track` (the remote stream gained a track), `connectionstatechange`, `message`
 * (`CustomEvent<string>`: a text message from the peer).
 */
export class PeerLink extends EventTarget {
  readonly peerId: string;
  readonly pc: RTCPeerConnection;
  /** The remote member's audio and video, filled as tracks arrive. */
  readonly remoteStream = new MediaStream();

  readonly #polite: boolean;
  readonly #options: PeerLinkOptions;
  #makingOffer = false;
  /**
   * The peer's last offer was ignored (glare, on the impolite side): its candidates are expected to
   * fail until the peer's next offer is taken. Not cleared by an answer, which may come first.
   */
  #ignoreOffer = false;
  #isSettingRemoteAnswerPending = false;
  /** Candidates that arrived before any remote description. */
  #pendingCandidates: IceCandidate[] = [];
  /** Signals are handled one at a time, in arrival order. */
  #inbox: Promise<void> = Promise.resolve();
  #localStream: MediaStream | null = null;
  #closed = false;
  #videoScale = 1;
  #channel: RTCDataChannel | null = null;
  /** Messages waiting for the data channel to open, or for its send buffer to drain. */
  #outbox: Array<{ text: string; bytes: number }> = [];

  constructor(options: PeerLinkOptions) {
    super();
    this.#options = options;
    this.peerId = options.peerId;
    this.#polite = options.polite;
    this.pc = new RTCPeerConnection({
      iceServers: options.iceServers,
      iceTransportPolicy: options.iceTransportPolicy ?? 'all',
      bundlePolicy: 'max-bundle',
    });
    this.pc.addEventListener('negotiationneeded', this.#onNegotiationNeeded);
    this.pc.addEventListener('icecandidate', this.#onIceCandidate);
    this.pc.addEventListener('track', this.#onTrack);
    this.pc.addEventListener('connectionstatechange', this.#onConnectionStateChange);
    this.pc.addEventListener('iceconnectionstatechange', () => this.pc.iceConnectionState === 'connected' && mark('ice-connected'));
    if (options.initiator) {
      for (const kind of KINDS) {
        this.pc.addTransceiver(kind, { direction: this.#wantsToSend(kind) ? 'sendrecv' : 'recvonly' });
      }
      this.#openChannel();
    }
  }

  /**
   * Sends a text message on the data channel, or queues it until the channel opens or its send
   * buffer drains (order is kept). Never throws: says what became of it (see {@link SendOutcome}).
   * Messages still queued when the channel closes are dropped.
   */
  send(text: string, bytes = utf8Length(text)): SendOutcome {
    const channel = this.#channel;
    if (this.#closed || channel?.readyState === 'closing' || channel?.readyState === 'closed') return 'closed';
    const max = this.pc.sctp?.maxMessageSize;
    if (max && bytes > max) return 'too_large';
    if (this.#outbox.length >= MAX_QUEUED_MESSAGES) return 'full';
    this.#outbox.push({ text, bytes });
    this.#drain();
    return this.#outbox.length ? 'queued' : 'sent';
  }

  /** Hands queued messages to the open channel while its send buffer has room. */
  #drain(): void {
    const channel = this.#channel;
    while (channel?.readyState === 'open' && this.#outbox.length) {
      const { text, bytes } = this.#outbox[0]!;
      // An empty buffer takes any message; a fuller one waits for 'bufferedamountlow'.
      if (channel.bufferedAmount > 0 && channel.bufferedAmount + bytes > MAX_BUFFERED_BYTES) return;
      const max = this.pc.sctp?.maxMessageSize;
      this.#outbox.shift();
      if (max && bytes > max) continue; // queued before the peer's limit was known: it cannot take it
      try {
        channel.send(text);
      } catch {
        // The channel started closing under us (its 'close' clears the rest) or refused this one
        // message: either way it is not sent, and it must not hold up the others.
      }
    }
  }

  /**
   * Both sides create the same negotiated channel. The initiator does it before its first offer;
   * the answering side when it answers that offer (earlier would start an offer of its own).
   */
  #openChannel(): void {
    if (this.#channel || this.#closed) return;
    const channel = this.pc.createDataChannel(DATA_CHANNEL.label, { negotiated: true, id: DATA_CHANNEL.id, ordered: true });
    this.#channel = channel;
    channel.bufferedAmountLowThreshold = BUFFERED_LOW_BYTES;
    channel.addEventListener('open', () => this.#drain());
    channel.addEventListener('bufferedamountlow', () => this.#drain());
    channel.addEventListener('close', () => {
      this.#outbox = [];
    });
    channel.addEventListener('message', ({ data }: MessageEvent) => {
      if (typeof data === 'string') this.dispatchEvent(new CustomEvent('message', { detail: data }));
    });
  }

  get connectionState(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  /** Sends these tracks (or stops sending, with null) without renegotiating. */
  setLocalStream(stream: MediaStream | null): void {
    this.#localStream = stream;
    this.#attachLocalTracks();
  }

  /**
   * Sends the camera scaled down by this factor (1: as captured). In a large mesh every member
   * encodes one stream per other member; smaller pictures keep that within a laptop's CPU.
   */
  setVideoScale(scale: number): void {
    this.#videoScale = scale;
    this.#applyVideoScale();
  }

  #applyVideoScale(): void {
    const sender = this.#transceiverFor('video')?.sender;
    if (!sender?.track || this.#closed) return;
    const parameters = sender.getParameters();
    const encoding = parameters.encodings?.[0];
    if (!encoding || (encoding.scaleResolutionDownBy ?? 1) === this.#videoScale) return;
    encoding.scaleResolutionDownBy = this.#videoScale;
    sender.setParameters(parameters).catch(() => {});
  }

  /** Queues a signal from the peer; errors are reported through `onError`. */
  handleSignal(signal: IncomingSignal): Promise<void> {
    this.#inbox = this.#inbox
      .then(() => this.#process(signal))
      .catch((error) => {
        if (!this.#closed) this.#options.onError(error);
      });
    return this.#inbox;
  }

  /**
   * Restarts ICE (new candidates, same media), optionally with new STUN/TURN servers first.
   * Perfect negotiation carries the restart offer, whichever side calls this.
   */
  restartIce(iceServers?: IceServer[]): void {
    if (this.#closed) return;
    if (iceServers) this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    this.pc.restartIce();
  }

  /**
   * Brings negotiation back after signals may have been lost (the signaling server was away): an
   * offer of ours that was never answered is rolled back, then ICE restarts with a new offer. Runs
   * in turn with incoming signals.
   */
  resync(iceServers?: IceServer[]): Promise<void> {
    this.#inbox = this.#inbox
      .then(async () => {
        if (this.#closed) return;
        if (this.pc.signalingState === 'have-local-offer') await this.pc.setLocalDescription({ type: 'rollback' });
        this.restartIce(iceServers);
      })
      .catch((error) => {
        if (!this.#closed) this.#options.onError(error);
      });
    return this.#inbox;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pc.removeEventListener('negotiationneeded', this.#onNegotiationNeeded);
    this.pc.removeEventListener('icecandidate', this.#onIceCandidate);
    this.pc.removeEventListener('track', this.#onTrack);
    this.pc.removeEventListener('connectionstatechange', this.#onConnectionStateChange);
    this.#outbox = [];
    this.#channel?.close();
    this.pc.close();
    for (const track of this.remoteStream.getTracks()) this.remoteStream.removeTrack(track);
  }

  #wantsToSend(kind: Kind): boolean {
    return kind === 'audio' ? this.#options.sendAudio : this.#options.sendVideo;
  }

  #transceiverFor(kind: Kind): RTCRtpTransceiver | undefined {
    return this.pc.getTransceivers().find((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === kind);
  }

  /** Puts the local tracks on the transceivers; on the answering side also sets their direction. */
  #attachLocalTracks(): void {
    if (this.#closed) return;
    for (const kind of KINDS) {
      const transceiver = this.#transceiverFor(kind);
      if (!transceiver) continue;
      const send = this.#wantsToSend(kind);
      const wanted: RTCRtpTransceiverDirection = send ? 'sendrecv' : 'recvonly';
      if (transceiver.direction !== wanted) transceiver.direction = wanted;
      const track = send ? (this.#localStream?.getTracks().find((t) => t.kind === kind) ?? null) : null;
      if (transceiver.sender.track !== track) {
        transceiver.sender
          .replaceTrack(track)
          .then(() => kind === 'video' && this.#applyVideoScale())
          .catch((error) => this.#options.onError(error));
      }
    }
  }

  async #process(signal: IncomingSignal): Promise<void> {
    if (this.#closed) return;
    const pc = this.pc;
    if ('description' in signal) {
      const description = signal.description;
      const readyForOffer = !this.#makingOffer && (pc.signalingState === 'stable' || this.#isSettingRemoteAnswerPending);
      const offerCollision = description.type === 'offer' && !readyForOffer;
      if (description.type === 'offer') {
        this.#ignoreOffer = !this.#polite && offerCollision;
        if (this.#ignoreOffer) return;
      }
      // An answer to an offer this side no longer has (rolled back by `resync` or by glare, or
      // answered already) would fail in `stable` and end the link: it is late, and dropped.
      if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') return;
      this.#isSettingRemoteAnswerPending = description.type === 'answer';
      try {
        await pc.setRemoteDescription(description);
        if (description.type === 'answer') mark('answer-received');
      } finally {
        this.#isSettingRemoteAnswerPending = false;
      }
      await this.#flushCandidates();
      if (description.type === 'offer') {
        this.#openChannel();
        this.#attachLocalTracks();
        await pc.setLocalDescription();
        this.#sendDescription();
        this.#applyVideoScale();
      }
    } else {
      if (!pc.remoteDescription) {
        this.#pendingCandidates.push(signal.candidate);
        return;
      }
      await this.#addCandidate(signal.candidate);
    }
  }

  async #flushCandidates(): Promise<void> {
    const queued = this.#pendingCandidates;
    this.#pendingCandidates = [];
    for (const candidate of queued) await this.#addCandidate(candidate);
  }

  /** Late candidates of an old or ignored description are dropped quietly; real failures are thrown. */
  async #addCandidate(candidate: IceCandidate): Promise<void> {
    await addRemoteCandidate(this.pc, candidate, this.#ignoreOffer);
  }

  #sendDescription(): void {
    const local = this.pc.localDescription;
    if (!local || this.#closed) return;
    this.#options.send({ description: { type: local.type as 'offer' | 'answer', sdp: local.sdp } });
    if (local.type === 'offer') mark('offer-sent');
  }

  readonly #onNegotiationNeeded = async () => {
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      this.#sendDescription();
      this.#applyVideoScale();
    } catch (error) {
      if (!this.#closed) this.#options.onError(error);
    } finally {
      this.#makingOffer = false;
    }
  };

  readonly #onIceCandidate = ({ candidate }: RTCPeerConnectionIceEvent) => {
    if (!candidate || this.#closed) return;
    const { candidate: c, sdpMid, sdpMLineIndex, usernameFragment } = candidate.toJSON();
    this.#options.send({ candidate: { candidate: c ?? '', sdpMid, sdpMLineIndex, usernameFragment } });
  };

  readonly #onTrack = ({ track }: RTCTrackEvent) => {
    for (const old of this.remoteStream.getTracks()) {
      if (old.kind === track.kind && old !== track) this.remoteStream.removeTrack(old);
    }
    if (!this.remoteStream.getTrackById(track.id)) this.remoteStream.addTrack(track);
    this.dispatchEvent(new Event('track'));
  };

  readonly #onConnectionStateChange = () => {
    this.dispatchEvent(new Event('connectionstatechange'));
  };
}
