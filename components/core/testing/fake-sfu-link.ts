import type { IceServer } from '../../../protocol/index.js';
import type { IncomingSignal } from '../peer-link.js';
import type { SfuLinkLike } from '../session-deps.js';
import type { SfuConnectionOptions, SfuReceiver } from '../sfu-link.js';

/** A track without a device: `kind` and `id` are all the stream map looks at. */
export function fakeTrack(kind: 'audio' | 'video', id: string): MediaStreamTrack {
  return { kind, id } as MediaStreamTrack;
}

/** The media sections of an SDP as [mid, kind] (what a browser makes a transceiver for). */
export function sdpMids(sdp: string): Array<[string, 'audio' | 'video']> {
  return sdp
    .split(/^m=/m)
    .slice(1)
    .flatMap((section) => {
      const kind = section.split(' ')[0];
      const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
      return (kind === 'audio' || kind === 'video') && mid ? [[mid, kind] as [string, 'audio' | 'video']] : [];
    });
}

/** A fake SFU offer with one media section per [mid, kind]. */
export function sfuOffer(mids: Array<[string, 'audio' | 'video']>): { type: 'offer'; sdp: string } {
  const sections = mids.map(([mid, kind]) => `m=${kind} 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:${mid}\r\na=sendonly\r\n`);
  return { type: 'offer', sdp: `v=0\r\n${sections.join('')}` };
}

/** A MediaStream without WebRTC: an ordered list of tracks. */
export class FakeMediaStream {
  readonly #tracks: MediaStreamTrack[] = [];
  getTracks(): MediaStreamTrack[] {
    return [...this.#tracks];
  }
  getTrackById(id: string): MediaStreamTrack | null {
    return this.#tracks.find((t) => t.id === id) ?? null;
  }
  addTrack(track: MediaStreamTrack): void {
    if (!this.#tracks.includes(track)) this.#tracks.push(track);
  }
  removeTrack(track: MediaStreamTrack): void {
    const i = this.#tracks.indexOf(track);
    if (i >= 0) this.#tracks.splice(i, 1);
  }
}

/**
 * A link to the SFU without WebRTC: it records the signals it is given and what the topology asks
 * of it; the test sets its state and its receivers (what the SFU's offer created).
 */
export class FakeSfuLink extends EventTarget implements SfuLinkLike {
  readonly options: SfuConnectionOptions;
  readonly role: SfuConnectionOptions['role'];
  connectionState: RTCPeerConnectionState = 'new';
  closed = false;
  localStream: MediaStream | null = null;
  readonly signals: IncomingSignal[] = [];
  readonly restarts: (IceServer[] | undefined)[] = [];
  /** The receiving transceivers (`subscribe`), as the test says the last offer made them. */
  fakeReceivers: SfuReceiver[] = [];
  /** Per mid, what `getStats()` of its receiver answers. */
  readonly stats = new Map<string, Map<string, unknown>>();

  constructor(options: SfuConnectionOptions) {
    super();
    this.options = options;
    this.role = options.role;
  }

  receivers(): SfuReceiver[] {
    return this.fakeReceivers;
  }
  setLocalStream(stream: MediaStream | null): void {
    this.localStream = stream;
  }
  /** Records the signal; an offer's media sections become the receivers, as in a browser. */
  async handleSignal(signal: IncomingSignal): Promise<void> {
    this.signals.push(signal);
    if ('description' in signal && signal.description.type === 'offer') this.setReceivers(sdpMids(signal.description.sdp));
  }
  restartIce(iceServers?: IceServer[]): void {
    this.restarts.push(iceServers);
  }
  close(): void {
    this.closed = true;
    this.connectionState = 'closed';
  }

  /** Sets the receivers as an SFU offer with these `mid`s would (a fresh fake track for each new mid). */
  setReceivers(mids: Array<[mid: string, kind: 'audio' | 'video']>): void {
    const old = new Map(this.fakeReceivers.map((r) => [r.mid, r]));
    this.fakeReceivers = mids.map(
      ([mid, kind]) =>
        old.get(mid) ?? {
          mid,
          kind,
          track: fakeTrack(kind, `track-${mid}`),
          getStats: async () => (this.stats.get(mid) ?? new Map()) as unknown as RTCStatsReport,
        },
    );
  }

  /** The connection's state changes (fires `connectionstatechange`). */
  setState(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.dispatchEvent(new Event('connectionstatechange'));
  }
}
