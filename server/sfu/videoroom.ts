// One of our SFU rooms as a Janus VideoRoom: the room itself (random numeric id, a secret kept here),
// a publisher handle per publishing member and a multistream subscriber handle per member, and the
// translation between our `sfu-signal` messages and Janus' JSEP, requests and trickles.
import { randomBytes, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { SessionDescription, SfuLink, SfuSignalMessage } from '../../protocol/index.js';
import { fromJanusCandidate } from './candidates.js';
import type { JanusCandidate, JanusHandle, JanusSession, Jsep } from './janus-types.js';
import { noOffer, Subscriber } from './subscriber.js';

export const VIDEOROOM_PLUGIN = 'janus.plugin.videoroom';

/** A member's publish link: its handle (joined as a publisher) and its feed once it publishes. */
interface Publisher {
  handle: JanusHandle;
  /** Janus' id for the member as a publisher (its feed). */
  feed: number;
  /** True while Janus forwards its media (answered, and not hung up since). */
  live: boolean;
  /** Janus' candidates held until the browser has the answer they belong to. */
  held: (JanusCandidate | null)[] | null;
}

export interface VideoRoomOptions {
  session: Pick<JanusSession, 'attach'>;
  /** The room's capacity: its VideoRoom takes as many publishers. */
  capacity: number;
  /** Delivers an `sfu-signal` to a member. */
  send(memberId: string, message: SfuSignalMessage): void;
  logger: Logger;
  /** @default a random id */
  roomId?: number;
}

/** Runs tasks one after the other per key (a member's link): Janus sees one request of a link at a time. */
class Serial {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => this.tails.get(key) === tail && this.tails.delete(key));
    return result;
  }
}

export class VideoRoom {
  /** Janus' id for the room. */
  readonly roomId: number;
  /** Needed to destroy the room; never leaves this server. */
  private readonly secret = randomBytes(18).toString('base64url');
  private created: Promise<JanusHandle> | null = null;
  private readonly publishers = new Map<string, Publisher>();
  private readonly subscribers = new Map<string, Subscriber>();
  /** Feeds that Janus forwards, and whose they are. */
  private readonly feeds = new Map<number, string>();
  /** Members of the room (publishing or not): each gets a subscriber once somebody else publishes. */
  private readonly members = new Set<string>();
  private readonly serial = new Serial();
  private destroyed = false;

  constructor(private readonly options: VideoRoomOptions) {
    this.roomId = options.roomId ?? randomInt(1, 2 ** 47);
  }

  get size(): number {
    return this.members.size;
  }

  /** Creates the VideoRoom on first use; the handle that created it stays for `destroy`. */
  private room(): Promise<JanusHandle> {
    this.created ??= (async () => {
      const handle = await this.options.session.attach(VIDEOROOM_PLUGIN);
      await handle.request({
        request: 'create',
        room: this.roomId,
        secret: this.secret,
        permanent: false,
        is_private: true,
        publishers: this.options.capacity,
        videocodec: 'vp8',
        audiocodec: 'opus',
        notify_joining: false,
      });
      return handle;
    })();
    this.created.catch(() => (this.created = null)); // the next request tries again
    return this.created;
  }

  /** A member is in the room: it gets the others' media (a subscribe offer) once anyone publishes. */
  add(memberId: string): void {
    this.members.add(memberId);
    this.sync(memberId);
  }

  /** The member's publish offer: joins it as a publisher (first time) and configures; the answer goes back to it. */
  publish(memberId: string, offer: SessionDescription): Promise<void> {
    return this.serial.run(`${memberId}/publish`, async () => {
      let publisher = this.publishers.get(memberId);
      if (!publisher) {
        await this.room();
        const handle = await this.options.session.attach(VIDEOROOM_PLUGIN);
        try {
          const joined = await handle.request({ request: 'join', ptype: 'publisher', room: this.roomId, display: memberId });
          publisher = { handle, feed: Number(joined.data.id), live: false, held: [] };
        } catch (error) {
          await handle.detach();
          throw error;
        }
        this.publishers.set(memberId, publisher);
        const joinedAs = publisher;
        handle.onEvent((event) => {
          if (event.type === 'trickle') this.deliver(memberId, 'publish', joinedAs, event.candidate);
          // Janus offers a feed to subscribers once its media is up (before that: "No such feed").
          else if (event.type === 'webrtcup') this.published(memberId, joinedAs);
          else if (event.type === 'hangup' || event.type === 'detached') this.unpublished(memberId, joinedAs);
        });
      }
      publisher.held ??= [];
      const reply = await publisher.handle.request({ request: 'configure', audio: true, video: true }, offer);
      if (reply.jsep?.type !== 'answer') throw new Error('Janus configured the publisher without an answer');
      this.options.send(memberId, { link: 'publish', description: reply.jsep });
      const held = publisher.held;
      publisher.held = null;
      for (const candidate of held) this.deliver(memberId, 'publish', publisher, candidate);
    });
  }

  /** The member's answer to the last subscribe offer: Janus starts sending. */
  answer(memberId: string, answer: Jsep): Promise<void> {
    const subscriber = this.subscribers.get(memberId);
    if (!subscriber) return Promise.reject(noOffer());
    return subscriber.start(answer);
  }

  /** A candidate of the member's browser for one of its links (null: no more). */
  candidate(memberId: string, link: SfuLink, candidate: JanusCandidate | null): Promise<void> {
    if (link === 'subscribe') return this.subscribers.get(memberId)?.trickle(candidate) ?? Promise.resolve();
    // After its offer (the same queue): a candidate never reaches Janus before the handle exists.
    return this.serial.run(`${memberId}/publish`, async () => {
      await this.publishers.get(memberId)?.handle.trickle(candidate);
    });
  }

  /** The member left: its handles go, and the others stop receiving its media. */
  async remove(memberId: string): Promise<void> {
    this.members.delete(memberId);
    const publisher = this.publishers.get(memberId);
    this.publishers.delete(memberId);
    const subscriber = this.subscribers.get(memberId);
    this.subscribers.delete(memberId);
    if (publisher) this.unpublished(memberId, publisher);
    await Promise.all([publisher?.handle.detach(), subscriber?.close()]);
  }

  /** Destroys the VideoRoom (the room is empty, or the server closes). */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const handles = [...this.publishers.values()].map((p) => p.handle.detach());
    const subscribers = [...this.subscribers.values()].map((s) => s.close());
    this.publishers.clear();
    this.subscribers.clear();
    await Promise.all([...handles, ...subscribers]);
    const created = this.created;
    if (!created) return;
    const handle = await created.catch(() => null);
    await handle?.request({ request: 'destroy', room: this.roomId, secret: this.secret }).catch((error: unknown) => {
      this.options.logger.debug({ err: error, room: this.roomId }, 'could not destroy a Janus VideoRoom');
    });
    await handle?.detach();
  }

  private deliver(memberId: string, link: SfuLink, publisher: Publisher, candidate: JanusCandidate | null): void {
    if (publisher.held) return void publisher.held.push(candidate);
    this.options.send(memberId, { link, candidate: fromJanusCandidate(candidate) });
  }

  private published(memberId: string, publisher: Publisher): void {
    if (publisher.live || this.publishers.get(memberId) !== publisher) return;
    publisher.live = true;
    this.feeds.set(publisher.feed, memberId);
    for (const other of this.members) if (other !== memberId) this.sync(other);
  }

  private unpublished(memberId: string, publisher: Publisher): void {
    if (!publisher.live) return;
    publisher.live = false;
    this.feeds.delete(publisher.feed);
    for (const other of this.members) if (other !== memberId) this.sync(other);
  }

  /** Brings a member's subscriber in line with the feeds of the others. */
  private sync(memberId: string): void {
    if (this.destroyed || !this.members.has(memberId)) return;
    const wanted = [...this.feeds].filter(([, owner]) => owner !== memberId).map(([feed]) => feed);
    let subscriber = this.subscribers.get(memberId);
    if (!subscriber) {
      if (wanted.length === 0) return;
      subscriber = new Subscriber({
        memberId,
        attach: async () => {
          await this.room();
          return this.options.session.attach(VIDEOROOM_PLUGIN);
        },
        roomId: this.roomId,
        wanted: () => (this.members.has(memberId) ? [...this.feeds].filter(([, owner]) => owner !== memberId).map(([feed]) => feed) : []),
        ownerOf: (feed) => this.feeds.get(feed),
        send: (message) => this.options.send(memberId, message),
        logger: this.options.logger,
      });
      this.subscribers.set(memberId, subscriber);
    }
    subscriber.sync();
  }
}
