// A member's subscribe link: one multistream subscriber handle that receives every other member's
// feed. Janus offers (on `join`, `subscribe`, `unsubscribe`, or on its own); the browser answers and
// the answer goes back with `start`. One change is in flight at a time: a new offer is made only
// once the browser has answered the last one, so an answer always belongs to Janus' latest offer.
import type { Logger } from 'pino';
import type { SfuSignalMessage, SfuStream } from '../../protocol/index.js';
import type { JanusCandidate, JanusHandle, Jsep, PluginReply } from './janus-types.js';
import { SignalingError } from '../errors.js';
import { fromJanusCandidate } from './candidates.js';

export interface SubscriberOptions {
  memberId: string;
  roomId: number;
  /** Attaches a new handle (after the room exists). */
  attach(): Promise<JanusHandle>;
  /** The feeds this member should receive now. */
  wanted(): number[];
  /** Whose a feed is (a member id), if it is still published. */
  ownerOf(feed: number): string | undefined;
  send(message: SfuSignalMessage): void;
  logger: Logger;
}

/** Janus' description of one stream of a subscriber (the fields we read). */
interface JanusStream {
  type?: string;
  active?: boolean;
  mid?: string;
  feed_id?: number;
}

export class Subscriber {
  private handle: JanusHandle | null = null;
  /** Feeds Janus sends on this link (from its last description of the streams). */
  private subscribed = new Set<number>();
  /** An offer is with the browser: no other change until its answer. */
  private offered = false;
  private busy = false;
  private closed = false;
  /** Janus' candidates held until the browser has the first offer (null: it has). */
  private held: (JanusCandidate | null)[] | null = [];

  constructor(private readonly options: SubscriberOptions) {}

  /** Subscribes to feeds that are wanted and unsubscribes from those that are not, one change at a time. */
  sync(): void {
    if (this.busy || this.offered || this.closed) return;
    const wanted = new Set(this.options.wanted());
    const add = [...wanted].filter((feed) => !this.subscribed.has(feed));
    const drop = [...this.subscribed].filter((feed) => !wanted.has(feed));
    if (add.length === 0 && drop.length === 0) return;
    if (!this.handle && add.length === 0) return;
    this.busy = true;
    void this.change(add, drop).then(
      () => {
        this.busy = false;
        this.sync(); // what changed meanwhile
      },
      (error: unknown) => {
        this.busy = false;
        // Tried again on the next change of the room (a feed Janus no longer has is forgotten).
        this.options.logger.warn({ err: error, member: this.options.memberId }, 'SFU subscription change failed');
        for (const feed of drop) this.subscribed.delete(feed);
      },
    );
  }

  private async change(add: number[], drop: number[]): Promise<void> {
    let reply: PluginReply;
    if (!this.handle) {
      const handle = await this.options.attach();
      if (this.closed) return void (await handle.detach());
      this.handle = handle;
      handle.onEvent((event) => {
        if (event.type === 'trickle') this.deliver(event.candidate);
        else if (event.type === 'plugin' && event.jsep?.type === 'offer') this.offer(event.data, event.jsep);
      });
      reply = await handle.request({
        request: 'join',
        ptype: 'subscriber',
        room: this.options.roomId,
        streams: add.map((feed) => ({ feed })),
      });
    } else if (drop.length > 0) {
      reply = await this.handle.request({ request: 'unsubscribe', streams: drop.map((feed) => ({ feed })) });
    } else {
      reply = await this.handle.request({ request: 'subscribe', streams: add.map((feed) => ({ feed })) });
    }
    if (this.closed) return;
    if (reply.jsep?.type === 'offer') this.offer(reply.data, reply.jsep);
    else this.learn(reply.data);
  }

  /** Janus' offer (an answer to our request, or its own after a feed went away): to the browser. */
  private offer(data: Record<string, unknown>, jsep: Jsep): void {
    if (this.closed) return;
    const streams = this.learn(data);
    this.offered = true;
    this.options.send({ link: 'subscribe', description: { type: 'offer', sdp: jsep.sdp }, streams });
    const held = this.held ?? [];
    this.held = null;
    for (const candidate of held) this.options.send({ link: 'subscribe', candidate: fromJanusCandidate(candidate) });
  }

  /** Reads Janus' list of streams: which feeds it sends, and whose media each mid carries. */
  private learn(data: Record<string, unknown>): SfuStream[] {
    if (!Array.isArray(data.streams)) return [];
    const streams: SfuStream[] = [];
    const subscribed = new Set<number>();
    for (const stream of data.streams as JanusStream[]) {
      if (stream.active === false || stream.feed_id === undefined || !stream.mid) continue;
      if (stream.type !== 'audio' && stream.type !== 'video') continue;
      subscribed.add(stream.feed_id);
      const from = this.options.ownerOf(stream.feed_id);
      if (from) streams.push({ mid: stream.mid, from, kind: stream.type });
    }
    this.subscribed = subscribed;
    return streams;
  }

  private deliver(candidate: JanusCandidate | null): void {
    if (this.held) return void this.held.push(candidate);
    this.options.send({ link: 'subscribe', candidate: fromJanusCandidate(candidate) });
  }

  /** The browser's answer to the last offer: Janus starts (or goes on) sending. */
  async start(answer: Jsep): Promise<void> {
    if (!this.handle || !this.offered) throw noOffer();
    try {
      await this.handle.request({ request: 'start' }, answer);
    } finally {
      this.offered = false;
      this.sync();
    }
  }

  async trickle(candidate: JanusCandidate | null): Promise<void> {
    await this.handle?.trickle(candidate);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.handle?.detach();
    this.handle = null;
  }
}

/** A subscribe answer with no subscribe offer to answer. */
export function noOffer(): SignalingError {
  return new SignalingError('bad_request', 'No subscribe offer to answer: the server offers on the subscribe link');
}
