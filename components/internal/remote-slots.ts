/** Something that shows one other member: an `<rtc-remote-video>`, seen without its DOM. */
export interface RemoteSlot {
  /** A pinned member id, or null to take the first member nobody else shows. */
  readonly pinnedPeer: string | null;
  /** Told which member to show (null: nobody). */
  assign(peerId: string | null): void;
}

/**
 * Decides which member each slot shows: pinned slots get their member; the others, in the order
 * given by `compare` (document order for elements), get the remaining members in join order.
 */
export class RemoteSlots {
  readonly #slots = new Set<RemoteSlot>();
  #peerIds: readonly string[] = [];
  readonly #assigned = new Map<RemoteSlot, string | null>();

  readonly #compare: (a: RemoteSlot, b: RemoteSlot) => number;

  constructor(compare: (a: RemoteSlot, b: RemoteSlot) => number) {
    this.#compare = compare;
  }

  register(slot: RemoteSlot): void {
    this.#slots.add(slot);
    this.arrange();
  }

  unregister(slot: RemoteSlot): void {
    this.#slots.delete(slot);
    this.#assigned.delete(slot);
    this.arrange();
  }

  /** The members present, in join order. */
  setPeers(peerIds: readonly string[]): void {
    this.#peerIds = peerIds;
    this.arrange();
  }

  /** Recomputes every slot's member; call when a slot's pin changes. */
  arrange(): void {
    const present = new Set(this.#peerIds);
    const slots = [...this.#slots].sort(this.#compare);
    const pinned = new Set(slots.map((s) => s.pinnedPeer).filter((id): id is string => id !== null));
    const free = this.#peerIds.filter((id) => !pinned.has(id));
    for (const slot of slots) {
      const peer = slot.pinnedPeer !== null ? (present.has(slot.pinnedPeer) ? slot.pinnedPeer : null) : (free.shift() ?? null);
      if (this.#assigned.get(slot) === peer && this.#assigned.has(slot)) continue;
      this.#assigned.set(slot, peer);
      slot.assign(peer);
    }
  }
}

/** Orders slots that are nodes (`<rtc-remote-video>` elements) in document order. */
export function documentOrder(a: RemoteSlot, b: RemoteSlot): number {
  return (a as unknown as Node).compareDocumentPosition(b as unknown as Node) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
}
