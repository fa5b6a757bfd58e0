import type { RoomMode } from '../../protocol/index.js';
import type { MediaTopology, TopologyHost } from './media-topology.js';
import { PeerMesh } from './peer-mesh.js';
import type { SessionDeps, SignalingLike } from './session-deps.js';
import { SfuTopology, type SfuTopologyOptions } from './sfu-topology.js';

/** The topology for a room's `mode`: a {@link PeerMesh}, or an {@link SfuTopology}. */
export function createTopology(
  mode: RoomMode,
  host: TopologyHost,
  deps: Pick<SessionDeps, 'createPeerLink' | 'createSfuLink' | 'createMediaStream' | 'clock'>,
  options: SfuTopologyOptions = {},
): MediaTopology {
  return mode === 'sfu' ? new SfuTopology(host, deps, options) : new PeerMesh(host, deps);
}

/**
 * Hands the server's events about the other members' media to the current topology: presence
 * (`peer-away`, `peer-left`, `peer-unreachable`), `media-state`, and the signals of either mode.
 * `changed`: a member's media state changed.
 */
export function routeMediaEvents(signaling: SignalingLike, topology: () => MediaTopology, changed: () => void): void {
  signaling.addEventListener('peer-away', ({ detail }) => topology().away(detail.id));
  signaling.addEventListener('peer-left', ({ detail }) => topology().remove(detail.id));
  signaling.addEventListener('peer-unreachable', ({ detail }) => topology().unreachableFrom(detail.from));
  signaling.addEventListener('media-state', ({ detail: { from, ...media } }) => {
    if (topology().setMedia(from, media)) changed();
  });
  signaling.addEventListener('signal', ({ detail }) => topology().signal(detail));
  signaling.addEventListener('sfu-signal', ({ detail }) => topology().sfuSignal?.(detail));
  signaling.addEventListener('sfu-state', ({ detail }) => topology().sfuState?.(detail.ready));
  signaling.addEventListener('room-message', ({ detail }) => topology().roomMessage?.(detail));
}
