import { realClock, type Clock } from './clock.js';
import { MediaControls, type MediaControlsOptions } from './media-controls.js';
import { PeerLink, type PeerLinkOptions } from './peer-link.js';
import { takeEarlySignaling } from './early-signaling.js';
import { SfuConnection, type SfuConnectionOptions } from './sfu-link.js';
import { SignalingClient, type SignalingClientOptions } from './signaling-client.js';

/** What the session uses of a {@link PeerLink}; a test passes a fake with the same shape. */
export type PeerLinkLike = Pick<
  PeerLink,
  | 'peerId'
  | 'remoteStream'
  | 'connectionState'
  | 'send'
  | 'setLocalStream'
  | 'setVideoScale'
  | 'handleSignal'
  | 'restartIce'
  | 'resync'
  | 'close'
  | 'addEventListener'
  | 'removeEventListener'
> & { readonly pc: Pick<RTCPeerConnection, 'signalingState' | 'getStats'> };

/** What an SFU room uses of an {@link SfuConnection}; a test passes a fake with the same shape. */
export type SfuLinkLike = Pick<
  SfuConnection,
  | 'role'
  | 'connectionState'
  | 'receivers'
  | 'setLocalStream'
  | 'handleSignal'
  | 'restartIce'
  | 'close'
  | 'addEventListener'
  | 'removeEventListener'
>;

/** What the session uses of a {@link SignalingClient}; a test passes a fake with the same shape. */
export type SignalingLike = Pick<
  SignalingClient,
  | 'connected'
  | 'connect'
  | 'join'
  | 'signal'
  | 'leave'
  | 'leaveBeacon'
  | 'peerCheck'
  | 'peerUnreachable'
  | 'iceServers'
  | 'refreshToken'
  | 'mediaState'
  | 'sfuSignal'
  | 'roomMessage'
  | 'close'
  | 'addEventListener'
  | 'removeEventListener'
>;

/** The parts a `RoomSession` is built from; each defaults to the real one. */
export interface SessionDeps {
  /** Timers and `now()` for every wait of the session. */
  clock: Clock;
  createSignaling(options: SignalingClientOptions): SignalingLike;
  createPeerLink(options: PeerLinkOptions): PeerLinkLike;
  /** One connection to the SFU (SFU rooms: one `publish`, one `subscribe`). */
  createSfuLink(options: SfuConnectionOptions): SfuLinkLike;
  /** An empty MediaStream (SFU rooms: one per member, filled from the `subscribe` link). */
  createMediaStream(): MediaStream;
  /** The camera, microphone and screen (what `session.media` is). */
  createMedia(options: MediaControlsOptions): MediaControls;
  /** Listens for the page going away for good (`pagehide`); returns the undo. */
  onPageHide(listener: (event: Event) => void): () => void;
  /** Random numbers in [0, 1) for the retries' jitter. */
  random(): number;
}

export const defaultDeps: SessionDeps = {
  clock: realClock,
  // a connection /rtc-room.js opened early for these options, else a new one
  createSignaling: (options) => takeEarlySignaling(options) ?? new SignalingClient(options),
  createPeerLink: (options) => new PeerLink(options),
  createSfuLink: (options) => new SfuConnection(options),
  createMediaStream: () => new MediaStream(),
  createMedia: (options) => new MediaControls(options),
  onPageHide(listener) {
    globalThis.addEventListener?.('pagehide', listener);
    return () => globalThis.removeEventListener?.('pagehide', listener);
  },
  random: Math.random,
};

/** The deps given in `options`, the real ones for the rest. */
export function resolveDeps(options: Partial<SessionDeps>): SessionDeps {
  return {
    clock: options.clock ?? defaultDeps.clock,
    createSignaling: options.createSignaling ?? defaultDeps.createSignaling,
    createPeerLink: options.createPeerLink ?? defaultDeps.createPeerLink,
    createSfuLink: options.createSfuLink ?? defaultDeps.createSfuLink,
    createMediaStream: options.createMediaStream ?? defaultDeps.createMediaStream,
    createMedia: options.createMedia ?? defaultDeps.createMedia,
    onPageHide: options.onPageHide ?? defaultDeps.onPageHide,
    random: options.random ?? defaultDeps.random,
  };
}
