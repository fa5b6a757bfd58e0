// The server's SFU: one Janus session (reconnected with the server's backoff when Janus goes away),
// this node's members of SFU rooms, and a VideoRoom per room. Signaling calls in here; members hear
// back through `emit` (`sfu-signal`, and `sfu-state` when Janus goes down and comes back).
import type { Logger } from 'pino';
import { exponentialBackoff } from '../backoff.js';
import { SignalingError } from '../errors.js';
import type { SfuSignalMessage, SfuSignalRequest } from '../../protocol/index.js';
import { toJanusCandidate } from './candidates.js';
import { JanusError, openJanusSession, type JanusConnectionOptions } from './janus-connection.js';
import type { JanusSession } from './janus-types.js';
import { VideoRoom } from './videoroom.js';

/** What the SFU sends members: a link's description or candidate, and whether the SFU is there. */
export interface SfuEmitter {
  (socketId: string, event: 'sfu-signal', message: SfuSignalMessage): void;
  (socketId: string, event: 'sfu-state', message: { ready: boolean }): void;
}

export interface SfuOptions {
  /** Janus' WebSocket API, `ws://host:8188`. */
  janusUrl: string;
  logger: Logger;
  emit: SfuEmitter;
  /** Opens a Janus session (tests pass a fake). @default openJanusSession */
  connect?: (url: string, options: JanusConnectionOptions) => Promise<JanusSession>;
  /** The wait before reconnection attempt n. @default 0.5 s doubling up to 10 s */
  backoff?: (attempt: number) => number;
  /** @default 10000 */
  transactionTimeoutMs?: number;
}

export interface SfuHealth {
  /** Whether this server has a Janus session now. */
  janus: 'up' | 'down';
  /** SFU rooms with members on this node. */
  rooms: number;
}

interface SfuMember {
  socketId: string;
  publish: boolean;
}

interface SfuRoom {
  capacity: number;
  members: Map<string, SfuMember>;
  /** Its VideoRoom on the current Janus session (made on first use). */
  janus: VideoRoom | null;
}

export interface Sfu {
  health(): SfuHealth;
  /** Resolves once the first connection attempt is over (whether Janus answered or not). */
  readonly started: Promise<void>;
  /** Whether `id` is a member of SFU room `room` on this node. */
  has(room: string, id: string): boolean;
  /**
   * A member of an SFU room joined, or came back: its links start afresh (any it had are dropped).
   * Once its join answer is out it gets a subscribe offer when others publish, or `sfu-state
   * { ready: false }` while Janus is away.
   */
  join(room: string, capacity: number, member: { id: string; socketId: string; publish: boolean }): void;
  /** A member left its room for good: its handles go; the last one out destroys the VideoRoom. */
  leave(room: string, id: string): void;
  /** An `sfu-signal` of a member: a SignalingError when it cannot be taken. */
  signal(room: string, id: string, request: SfuSignalRequest): Promise<void>;
  close(): Promise<void>;
}

const UNAVAILABLE = 'The SFU (Janus) cannot be reached; wait for sfu-state { ready: true }';

export function createSfu(options: SfuOptions): Sfu {
  const { logger, emit, janusUrl } = options;
  const connect = options.connect ?? openJanusSession;
  const backoff = options.backoff ?? exponentialBackoff({ initialMs: 500, maxMs: 10_000 });
  const rooms = new Map<string, SfuRoom>();
  let session: JanusSession | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  /** Whether members were told the SFU is away (they hear `ready: true` once it is back). */
  let lost = false;

  const everyone = function* () {
    for (const room of rooms.values()) yield* room.members.values();
  };

  const up = (next: JanusSession) => {
    session = next;
    logger.info({ janus: janusUrl, session: next.id }, 'Janus session open');
    if (lost) for (const member of everyone()) emit(member.socketId, 'sfu-state', { ready: true });
    lost = false;
    // Every VideoRoom is made again on first use; members that do not publish are offered the others'.
    for (const [name, room] of rooms) for (const id of room.members.keys()) videoRoom(name, room)?.add(id);
    void next.closed.then((reason) => down(next, reason));
  };

  const down = (old: JanusSession, reason: Error) => {
    if (session !== old) return;
    session = null;
    // Its handles died with the session: the old VideoRooms stop (no requests on a dead session).
    for (const room of rooms.values()) {
      void room.janus?.destroy();
      room.janus = null;
    }
    if (closed) return;
    logger.warn({ janus: janusUrl, reason: reason.message }, 'Janus session lost; reconnecting');
    lost = true;
    for (const member of everyone()) emit(member.socketId, 'sfu-state', { ready: false });
    schedule(1);
  };

  const attempt = async (n: number) => {
    try {
      const next = await connect(janusUrl, { transactionTimeoutMs: options.transactionTimeoutMs });
      if (closed) return next.close();
      up(next);
    } catch (error) {
      if (closed) return;
      if (n % 10 === 0) logger.warn({ err: error, janus: janusUrl, attempt: n }, 'still cannot reach Janus');
      schedule(n + 1);
    }
  };

  const schedule = (n: number) => {
    clearTimeout(retry);
    retry = setTimeout(() => void attempt(n), backoff(n));
    retry.unref();
  };

  /** The room's VideoRoom on the current session; null while Janus is away. */
  const videoRoom = (name: string, room: SfuRoom): VideoRoom | null => {
    if (!session) return null;
    if (!room.janus) {
      const send = (memberId: string, message: SfuSignalMessage) => {
        const member = room.members.get(memberId);
        if (member) emit(member.socketId, 'sfu-signal', message);
      };
      room.janus = new VideoRoom({ session, capacity: room.capacity, send, logger: logger.child({ room: name }) });
    }
    return room.janus;
  };

  const started = (async () => {
    try {
      up(await connect(janusUrl, { transactionTimeoutMs: options.transactionTimeoutMs }));
    } catch (error) {
      logger.warn({ err: error, janus: janusUrl }, 'cannot reach Janus; SFU rooms wait for it');
      lost = true;
      schedule(1);
    }
  })();

  return {
    started,
    health: () => ({ janus: session ? 'up' : 'down', rooms: rooms.size }),
    has: (room, id) => rooms.get(room)?.members.has(id) ?? false,
    join(name, capacity, { id, socketId, publish }) {
      let room = rooms.get(name);
      if (!room) rooms.set(name, (room = { capacity, members: new Map(), janus: null }));
      const comingBack = room.members.has(id);
      room.members.set(id, { socketId, publish });
      const janus = room.janus;
      if (comingBack) void janus?.remove(id);
      // After the join answer (its ack goes out once the handler returns): the offer or state follows it.
      setImmediate(() => {
        if (room.members.get(id)?.socketId !== socketId) return;
        const current = videoRoom(name, room);
        if (current) current.add(id);
        else emit(socketId, 'sfu-state', { ready: false });
      });
    },
    leave(name, id) {
      const room = rooms.get(name);
      if (!room?.members.delete(id)) return;
      const janus = room.janus;
      if (room.members.size > 0) return void janus?.remove(id);
      rooms.delete(name);
      void janus?.destroy();
    },
    async signal(name, id, request) {
      const room = rooms.get(name);
      const member = room?.members.get(id);
      if (!room || !member) throw new SignalingError('not_joined', 'Not a member of an SFU room');
      if (request.link === 'publish' && !member.publish) {
        throw new SignalingError('unauthorized', 'A receive-only member does not publish');
      }
      const janus = videoRoom(name, room);
      if (!janus) throw new SignalingError('unavailable', UNAVAILABLE);
      try {
        if ('candidate' in request) return await janus.candidate(id, request.link, toJanusCandidate(request.candidate));
        const { description } = request;
        if (request.link === 'publish') {
          if (description.type !== 'offer') throw new SignalingError('bad_request', 'The publish link takes an offer (the SFU answers)');
          return await janus.publish(id, description);
        }
        if (description.type !== 'answer') throw new SignalingError('bad_request', 'The subscribe link takes an answer (the SFU offers)');
        return await janus.answer(id, description);
      } catch (error) {
        throw asSignalingError(error);
      }
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await started;
      const open = session;
      await Promise.all([...rooms.values()].map((room) => room.janus?.destroy()));
      rooms.clear();
      open?.close();
      session = null;
    },
  };
}

/** Janus' refusals as our error codes: a plugin error is the member's request; anything else is Janus being away. */
function asSignalingError(error: unknown): SignalingError {
  if (error instanceof SignalingError) return error;
  if (error instanceof JanusError && error.code !== 0) return new SignalingError('bad_request', `The SFU refused: ${error.message}`);
  return new SignalingError('unavailable', `${UNAVAILABLE} (${(error as Error).message})`);
}
