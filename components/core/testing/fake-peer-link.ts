import type { IceServer } from '../../../protocol/index.js';
import type { IncomingSignal, PeerLinkOptions, SendOutcome } from '../peer-link.js';
import type { PeerLinkLike } from '../session-deps.js';

/** A peer link without WebRTC: it records what the session asks of it, and the test sets its state. */
export class FakePeerLink extends EventTarget implements PeerLinkLike {
  readonly options: PeerLinkOptions;
  readonly peerId: string;
  readonly remoteStream = {} as MediaStream;
  readonly pc = { signalingState: 'stable' as RTCSignalingState, getStats: async () => new Map() as unknown as RTCStatsReport };
  connectionState: RTCPeerConnectionState = 'new';
  closed = false;
  localStream: MediaStream | null = null;
  videoScale = 1;
  readonly sent: string[] = [];
  readonly signals: IncomingSignal[] = [];
  readonly restarts: (IceServer[] | undefined)[] = [];
  readonly resyncs: (IceServer[] | undefined)[] = [];
  /** What `send()` says became of a message. */
  sendOutcome: SendOutcome = 'sent';

  constructor(options: PeerLinkOptions) {
    super();
    this.options = options;
    this.peerId = options.peerId;
  }

  send(text: string): SendOutcome {
    this.sent.push(text);
    return this.sendOutcome;
  }
  setLocalStream(stream: MediaStream | null): void {
    this.localStream = stream;
  }
  setVideoScale(scale: number): void {
    this.videoScale = scale;
  }
  async handleSignal(signal: IncomingSignal): Promise<void> {
    this.signals.push(signal);
  }
  restartIce(iceServers?: IceServer[]): void {
    this.restarts.push(iceServers);
  }
  async resync(iceServers?: IceServer[]): Promise<void> {
    this.resyncs.push(iceServers);
  }
  close(): void {
    this.closed = true;
    this.connectionState = 'closed';
  }

  /** The connection's state changes (fires `connectionstatechange`). */
  setState(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.dispatchEvent(new Event('connectionstatechange'));
  }

  /** A data-channel message arrives. */
  receive(text: string): void {
    this.dispatchEvent(new CustomEvent('message', { detail: text }));
  }
}
