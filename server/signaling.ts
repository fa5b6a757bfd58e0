import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { ZodType } from 'zod';
import type { AccessTokenVerifier } from './auth/access-tokens.js';
import { SignalingError } from './errors.js';
import type { IceServerProvider } from './ice/provider.js';
import type { LimitedEvent, RateLimiter } from './limits.js';
import {
  joinRequestSchema,
  signalRequestSchema,
  type Ack,
  type ClientToServerEvents,
  type IceServersGrant,
  type JoinResult,
  type ServerToClientEvents,
  type SignalMessage,
} from './protocol.js';
import { peerInfo, type Member, type Rooms } from './rooms.js';
import { sdpSendsMedia } from './sdp.js';

/** What the server keeps on each socket. `id` is the member id stamped as `from`. */
export interface SocketData {
  id?: string;
  room?: string;
  /** False for a receive-only member (its access token said `publish: false`). */
  publish?: boolean;
  /** The client's IP address (for per-IP limits), set at connection. */
  ip?: string;
}

/** Plain counters of refused or ignored client input, for health checks and metrics. */
export interface SignalingCounters {
  /** Events that are not part of the protocol (ignored). */
  unknownEvents: number;
  /** Known events sent without an acknowledgement callback (ignored). */
  eventsWithoutAck: number;
  /** Requests answered `bad_request`. */
  badRequests: number;
  /** Joins answered `unauthorized`. */
  unauthorized: number;
  /** Requests answered `rate_limited`. */
  rateLimited: number;
}

export function createSignalingCounters(): SignalingCounters {
  return { unknownEvents: 0, eventsWithoutAck: 0, badRequests: 0, unauthorized: 0, rateLimited: 0 };
}

/** The client-to-server events of protocol v1; anything else is ignored and counted. */
const KNOWN_EVENTS: ReadonlySet<string> = new Set<keyof ClientToServerEvents>(['join', 'signal', 'leave', 'ice-servers']);

export type RtcIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type RtcSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface SignalingOptions {
  rooms: Rooms;
  iceProvider: IceServerProvider;
  roomCapacity: number;
  logger: Logger;
  /** When set, `join` requires a valid access token. */
  accessTokens?: AccessTokenVerifier;
  /** When set, `join`, `signal` and `ice-servers` are rate limited. */
  rateLimiter?: RateLimiter;
  /** @default fresh counters */
  counters?: SignalingCounters;
}

interface HandleContext {
  logger: Logger;
  counters: SignalingCounters;
  rateLimiter?: RateLimiter;
}

const MAX_MESSAGE_LENGTH = 200;

/** Turns a zod failure into one short readable line. */
function describeIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.');
  return `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid payload'}`.slice(0, MAX_MESSAGE_LENGTH);
}

/**
 * Registers a client event whose last argument is the ack. The payload is parsed with `schema`
 * (undefined: no payload), the handler's result or error always becomes exactly one ack, and
 * nothing a client sends can throw past this point. Events without an ack are ignored.
 */
function handle<T, R extends object>(
  socket: RtcSocket,
  event: keyof ClientToServerEvents,
  schema: ZodType<T> | undefined,
  context: HandleContext,
  handler: (payload: T) => Promise<R> | R,
): void {
  const { logger, counters, rateLimiter } = context;
  (socket as unknown as Socket).on(event, async (...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack !== 'function') {
      counters.eventsWithoutAck++;
      return;
    }
    const reply = (response: Ack<R>) => (ack as (r: Ack<R>) => void)(response);
    try {
      // Counted before parsing: a flood of junk costs the sender its budget, not the server CPU.
      if (rateLimiter && event !== 'leave') await rateLimiter.consume(event as LimitedEvent, socket.id, socket.data.ip ?? 'unknown');
      let payload = undefined as T;
      if (schema) {
        const parsed = schema.safeParse(args.length > 1 ? args[0] : undefined);
        if (!parsed.success) throw new SignalingError('bad_request', describeIssue(parsed.error));
        payload = parsed.data;
      } else if (args.length > 1) {
        throw new SignalingError('bad_request', `'${event}' takes no payload`);
      }
      reply({ ok: true, ...(await handler(payload)) });
    } catch (error) {
      if (error instanceof SignalingError) {
        if (error.code === 'bad_request') counters.badRequests++;
        else if (error.code === 'rate_limited') counters.rateLimited++;
        else if (error.code === 'unauthorized') counters.unauthorized++;
        reply({ ok: false, error: error.toBody() });
      } else {
        logger.error({ err: error, event }, 'signaling handler failed');
        reply({ ok: false, error: { code: 'internal', message: 'Internal server error' } });
      }
    }
  });
}

/** Room membership and relay: protocol v1 (PROTOCOL.md). */
export function attachSignaling(io: RtcIo, options: SignalingOptions): void {
  const { rooms, iceProvider, roomCapacity, logger, accessTokens, rateLimiter } = options;
  const counters = options.counters ?? createSignalingCounters();
  const context: HandleContext = { logger, counters, ...(rateLimiter ? { rateLimiter } : {}) };

  const leave = (socket: RtcSocket) => {
    const { id, room } = socket.data;
    if (!id || !room) return false;
    socket.data = { ip: socket.data.ip };
    for (const member of rooms.remove(room, id)) io.to(member.socketId).emit('peer-left', { id });
    return true;
  };

  const grant = async (room: string, peerId: string): Promise<IceServersGrant> => {
    const ice = await iceProvider.getIceServers({ room, peerId });
    return { iceServers: ice.iceServers, iceServersExpireAt: ice.expiresAt, ...(ice.degraded ? { iceServersDegraded: true as const } : {}) };
  };

  io.on('connection', (socket) => {
    socket.data = { ip: socket.data.ip ?? socket.handshake.address };
    socket.onAny((event: string) => {
      if (!KNOWN_EVENTS.has(event)) counters.unknownEvents++;
    });

    handle(socket, 'join', joinRequestSchema, context, async ({ room, name = '', capacity, token }): Promise<JoinResult> => {
      const alreadyJoined = () => new SignalingError('already_joined', `Already in room '${socket.data.room}'; leave first`);
      if (socket.data.id) throw alreadyJoined();
      const access = accessTokens ? await accessTokens.verify(token, room) : undefined;
      if (socket.data.id) throw alreadyJoined(); // another join won while the token was checked
      if (!socket.connected) throw new SignalingError('not_joined', 'Left before the join completed');
      const id = randomUUID();
      // With a token, who the member is comes from the token: its sub, and its name when it has one.
      const member: Member = {
        id,
        name: access?.name ?? name,
        socketId: socket.id,
        ...(access ? { sub: access.sub } : {}),
        ...(access?.publish === false ? { publish: false as const } : {}),
      };
      // A client may lower a new room's capacity, never raise it above the server's.
      const admission = rooms.admit(room, member, Math.min(capacity ?? roomCapacity, roomCapacity));
      if (!admission.ok) throw new SignalingError('room_full', `Room '${room}' is full (${admission.capacity} members)`);
      const others = admission.peers;
      socket.data = { ...socket.data, id, room, publish: access?.publish ?? true };
      let ice;
      try {
        ice = await grant(room, id);
      } catch (error) {
        leave(socket);
        throw error;
      }
      if (!socket.connected || socket.data.id !== id) {
        throw new SignalingError('not_joined', 'Left before the join completed');
      }
      // Those who were there before (and still are) hear of the newcomer before it hears back,
      // so its first offer never reaches a member that does not know it.
      const peers = others.filter((peer) => rooms.get(room, peer.id));
      const self = peerInfo(member);
      for (const peer of peers) io.to(rooms.get(room, peer.id)!.socketId).emit('peer-joined', self);
      logger.debug({ room, id }, 'joined');
      const { id: _id, ...identity } = self;
      return { id, ...identity, room, capacity: admission.capacity, peers, ...ice };
    });

    handle(socket, 'ice-servers', undefined, context, async () => {
      const { id, room } = socket.data;
      if (!id || !room) throw new SignalingError('not_joined', 'ICE servers are for room members: join first');
      return grant(room, id);
    });

    handle(socket, 'signal', signalRequestSchema, context, (request) => {
      const { id, room } = socket.data;
      if (!id || !room) throw new SignalingError('not_joined', 'Join a room before signaling');
      if (socket.data.publish === false && 'description' in request && sdpSendsMedia(request.description.sdp)) {
        throw new SignalingError('unauthorized', 'A receive-only member cannot send audio or video (its description must be recvonly)');
      }
      const target = request.to === id ? undefined : rooms.get(room, request.to);
      if (!target) throw new SignalingError('unknown_peer', 'No such member in this room');
      const message: SignalMessage =
        'description' in request ? { from: id, description: request.description } : { from: id, candidate: request.candidate };
      io.to(target.socketId).emit('signal', message);
      return {};
    });

    handle(socket, 'leave', undefined, context, () => {
      if (!leave(socket)) throw new SignalingError('not_joined', 'Not in a room');
      return {};
    });

    socket.on('disconnect', () => {
      leave(socket);
      rateLimiter?.forget(socket.id);
    });
  });
}
