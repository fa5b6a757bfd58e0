import type { SfuStream } from '../../protocol/index.js';
import type { SfuReceiver } from './sfu-link.js';

/**
 * Which member each track of the `subscribe` link belongs to, and one MediaStream per member
 * holding its tracks. The SFU says it with every offer (`streams`: `mid` to member); tracks are
 * moved between the members' streams when a `mid` is given to another member (the SFU reuses the
 * transceivers of publishers that left), and taken out when it is given to nobody. Each member's
 * MediaStream is the same object for its whole stay, so a `<video>` showing it never reloads.
 */
export class SfuStreams {
  readonly #createStream: () => MediaStream;
  readonly #streams = new Map<string, MediaStream>();
  /** `mid` to member, as the SFU's latest offer said. */
  #owners = new Map<string, string>();

  constructor(createStream: () => MediaStream) {
    this.#createStream = createStream;
  }

  /** The member's stream (made empty the first time it is asked for). */
  streamOf(id: string): MediaStream {
    let stream = this.#streams.get(id);
    if (!stream) this.#streams.set(id, (stream = this.#createStream()));
    return stream;
  }

  /** The `mid`s that carry this member's media now. */
  midsOf(id: string): string[] {
    return [...this.#owners].filter(([, owner]) => owner === id).map(([mid]) => mid);
  }

  /** Takes the SFU's latest list of streams (from its offer). */
  setStreams(streams: readonly SfuStream[]): void {
    this.#owners = new Map(streams.map((s) => [s.mid, s.from]));
  }

  /**
   * Puts each receiver's track into its owner's stream and takes out every track that is not its
   * member's any more. Returns the members whose stream changed.
   */
  apply(receivers: readonly SfuReceiver[]): Set<string> {
    const wanted = new Map<string, MediaStreamTrack[]>();
    for (const receiver of receivers) {
      const owner = this.#owners.get(receiver.mid);
      if (owner === undefined) continue;
      const tracks = wanted.get(owner) ?? [];
      // One track per kind per member: a later mid of the same kind replaces an earlier one.
      wanted.set(owner, [...tracks.filter((t) => t.kind !== receiver.track.kind), receiver.track]);
    }
    const changed = new Set<string>();
    for (const id of new Set([...this.#streams.keys(), ...wanted.keys()])) {
      const tracks = wanted.get(id) ?? [];
      if (!tracks.length && !this.#streams.has(id)) continue;
      const stream = this.streamOf(id);
      for (const track of stream.getTracks()) {
        if (tracks.includes(track)) continue;
        stream.removeTrack(track);
        changed.add(id);
      }
      for (const track of tracks) {
        if (stream.getTrackById(track.id)) continue;
        stream.addTrack(track);
        changed.add(id);
      }
    }
    return changed;
  }

  /** Forgets a member (it left): its stream is emptied. */
  delete(id: string): void {
    const stream = this.#streams.get(id);
    for (const track of stream?.getTracks() ?? []) stream!.removeTrack(track);
    this.#streams.delete(id);
  }

  /** Every stream emptied (the links closed); the members keep their streams for when media comes back. */
  empty(): Set<string> {
    const changed = new Set<string>();
    for (const [id, stream] of this.#streams) {
      for (const track of stream.getTracks()) {
        stream.removeTrack(track);
        changed.add(id);
      }
    }
    this.#owners = new Map();
    return changed;
  }
}
