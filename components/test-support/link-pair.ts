// Two PeerLinks in one page, wired to each other directly (no server): `a` offers, `b` is polite.
import { PeerLink, type OutgoingSignal } from '../core/peer-link.js';

export function linkPair(media: { sendAudio: boolean; sendVideo: boolean }) {
  const links: PeerLink[] = [];
  const make = (peerId: string, polite: boolean, initiator: boolean, other: () => PeerLink) =>
    new PeerLink({
      peerId,
      polite,
      initiator,
      iceServers: [],
      ...media,
      send: (signal: OutgoingSignal) => void other().handleSignal(signal),
      onError: (error) => {
        throw error;
      },
    });
  links.push(
    make('b', false, true, () => links[1]!),
    make('a', true, false, () => links[0]!),
  );
  const [a, b] = links as [PeerLink, PeerLink];
  return { a, b };
}
