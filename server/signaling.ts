import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { ZodType } from 'zod';
import { UNAUTHORIZED_MESSAGE, type AccessTokenVerifier } from './auth/access-tokens.js';
import { SignalingError } from './errors.js';
import type { IceServerProvider } from './ice/provider.js';
import type { LimitedEvent, RateLimiter } from './limits.js';
import {
  joinRequestSchema,
  preflightRequestSchema,
  PROTOCOL_VERSION,
  mediaStateSchema,
  peerCheckRequestSchema,
  signalRequestSchema,
  type Ack,
  type ClientToServerEvents,
  type IceServersGrant,
  type JoinResult,
  type ServerToClientEvents,
  type SignalMessage,
  type SocketData,
} from '../protocol/index.js';
import { peerInfo, type Admission, type Member, type RoomStore } from './rooms/store.js';
import { sdpSending } from './sdp.js';

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

export type { SocketData };
export type RtcIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type RtcSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface SignalingOptions {
  rooms: RoomStore;
  iceProvider: IceServerProvider;
  roomCapacity: number;
  /** How long a member's place is kept after its connection drops, in ms (0: not at all). */
  reconnectGraceMs: number;
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
  /** Every event `handle` registered: the protocol's client events; anything else is ignored and counted. */
  handled: Set<string>;
}

export interface Signaling {
  /** Stops the grace timers; joins answer `unavailable` and sockets that drop are not announced from now on (the server is closing). */
  close(): void;
}

/**
 * A member's id is derived from its secret resume token, so only the holder of the token can come
 * back as that member, on this server after a restart or on another one, with no state kept.
 */
export function memberIdFor(resumeToken: string): string {
  return createHash('sha256').update(resumeToken).digest('base64url').slice(0, 22);
}

const MAX_MESSAGE_LENGTH = 200;
/** How long a member's socket has to answer the server's `peer-check` before it is disconnected. */
export const PEER_CHECK_TIMEOUT_MS = 2_000;

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
  context.handled.add(event);
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
export function attachSignaling(io: RtcIo, options: SignalingOptions): Signaling {
  const { rooms, iceProvider, roomCapacity, reconnectGraceMs, logger, accessTokens, rateLimiter } = options;
  const counters = options.counters ?? createSignalingCounters();
  const context: HandleContext = { logger, counters, handled: new Set(), ...(rateLimiter ? { rateLimiter } : {}) };
  /** Members whose connection dropped, by `room\nid`: removed when the timer fires. */
  const away = new Map<string, NodeJS.Timeout>();
  let closing = false;
  /** Sockets whose `join` is waiting for the token check or the store (a second `join` meanwhile is `already_joined`). */
  const joining = new Set<string>();

  const comeBack = (room: string, id: string) => {
    clearTimeout(away.get(`${room}\n${id}`));
    away.delete(`${room}\n${id}`);
  };

  const remove = async (room: string, id: string, socketId?: string) => {
    comeBack(room, id);
    for (const member of await rooms.remove(room, id, socketId)) io.to(member.socketId).emit('peer-left', { id });
  };

  /** Members of dead nodes that an admission removed: the members left behind hear they left. */
  const announcePurged = (purged: Admission['purged'] = []) => {
    for (const { id, others } of purged) for (const member of others) io.to(member.socketId).emit('peer-left', { id });
  };

  const leave = async (socket: RtcSocket) => {
    const { id, room } = socket.data;
    if (!id || !room) return false;
    socket.data = { ip: socket.data.ip };
    await remove(room, id);
    return true;
  };

  /** Store failures on disconnect paths have no ack to go to: they are logged. */
  const logged = (promise: Promise<unknown>) =>
    void promise.catch((error: unknown) => logger.error({ err: error }, 'room store failed'));

  /** A dropped connection keeps the member's place for the grace period; the others hear `peer-away`. */
  const drop = async (socket: RtcSocket) => {
    const { id, room } = socket.data;
    if (!id || !room || closing) return;
    socket.data = { ip: socket.data.ip };
    if (reconnectGraceMs <= 0) return remove(room, id, socket.id);
    // If the store cannot say (Redis away), the timer still runs: its removal checks the socket.
    const marked = await rooms.markAway(room, id, socket.id).catch((error: unknown) => {
      logger.warn({ err: error, room, id }, 'could not mark a member away');
      return true;
    });
    if (!marked) return; // already back on another socket
    const key = `${room}\n${id}`;
    away.set(
      key,
      setTimeout(() => {
        away.delete(key);
        logged(remove(room, id, socket.id));
      }, reconnectGraceMs).unref(),
    );
    for (const member of await rooms.members(room)) if (member.id !== id) io.to(member.socketId).emit('peer-away', { id });
  };

  const grant = async (room: string, peerId: string): Promise<IceServersGrant> => {
    const ice = await iceProvider.getIceServers({ room, peerId });
    return { iceServers: ice.iceServers, iceServersExpireAt: ice.expiresAt, ...(ice.degraded ? { iceServersDegraded: true as const } : {}) };
  };

  /** Probes in flight, by socket id: members that check the same peer at once share one probe. */
  const probes = new Map<string, Promise<boolean>>();
  /**
   * Whether the socket answers a `peer-check` within PEER_CHECK_TIMEOUT_MS (on any node, through
   * the adapter). One that does not is disconnected: the member is then away, as after any drop.
   */
  const probe = (socketId: string): Promise<boolean> => {
    let pending = probes.get(socketId);
    if (!pending) {
      pending = io
        .to(socketId)
        .timeout(PEER_CHECK_TIMEOUT_MS)
        .emitWithAck('peer-check')
        // no answer at all (the socket is on no node) is no sign of life either
        .then((answers) => answers.length > 0, () => false)
        .then((alive) => {
          if (!alive) io.in(socketId).disconnectSockets(true);
          return alive;
        })
        .finally(() => probes.delete(socketId));
      probes.set(socketId, pending);
    }
    return pending;
  };

  rooms.onPurge?.(announcePurged);

  io.on('connection', (socket) => {
    socket.data = { ip: socket.data.ip ?? socket.handshake.address };
    // (Runs when an event arrives: by then this connection's handlers below are all registered.)
    socket.onAny((event: string) => {
      if (!context.handled.has(event)) counters.unknownEvents++;
    });

    handle(socket, 'join', joinRequestSchema, context, async ({ room, name = '', capacity, resume, token }): Promise<JoinResult> => {
      if (closing) throw new SignalingError('unavailable', 'The server is shutting down; join again once reconnected (to another instance)');
      if (socket.data.id || joining.has(socket.id)) throw new SignalingError('already_joined', `Already in room '${socket.data.room ?? room}'; leave first`);
      const resumeToken = resume ?? randomBytes(32).toString('base64url');
      const id = memberIdFor(resumeToken);
      joining.add(socket.id);
      let access: Awaited<ReturnType<NonNullable<typeof accessTokens>['verify']>> | undefined;
      let member: Member;
      let admission: Admission;
      try {
        access = accessTokens ? await accessTokens.verify(token, room) : undefined;
        if (!socket.connected) throw new SignalingError('not_joined', 'Left before the join completed');
        // With a token, who the member is comes from the token: its sub, and its name when it has one.
        member = {
          id,
          name: access?.name ?? name,
          socketId: socket.id,
          ...(access ? { sub: access.sub } : {}),
          ...(access?.publish === false ? { publish: false as const } : {}),
        };
        // A client may lower a new room's capacity, never raise it above the server's.
        admission = await rooms.admit(room, member, Math.min(capacity ?? roomCapacity, roomCapacity));
      } finally {
        joining.delete(socket.id);
      }
      announcePurged(admission.purged);
      if (!admission.ok) throw new SignalingError('room_full', `Room '${room}' is full (${admission.capacity} members)`);
      if (!socket.connected) {
        await remove(room, id, socket.id); // it went while the store answered: no ghost left behind
        throw new SignalingError('not_joined', 'Left before the join completed');
      }
      comeBack(room, id);
      const previousSocketId = admission.previousSocketId;
      if (previousSocketId && previousSocketId !== socket.id) {
        // The member is back on a new connection while the old one lingers: the old one goes quietly.
        const previous = io.sockets.sockets.get(previousSocketId);
        if (previous) {
          previous.data = { ip: previous.data.ip };
          previous.disconnect(true);
        } else {
          io.in(previousSocketId).disconnectSockets(true); // on another node (through the adapter)
        }
      }
      const others = admission.peers;
      socket.data = { ...socket.data, id, room, publish: access?.publish ?? true, ...(access ? { tokenExpiresAt: access.expiresAt } : {}) };
      let ice;
      try {
        ice = await grant(room, id);
      } catch (error) {
        await leave(socket);
        throw error;
      }
      if (!socket.connected || socket.data.id !== id) {
        throw new SignalingError('not_joined', 'Left before the join completed');
      }
      // Those who were there before (and still are) hear of the newcomer before it hears back,
      // so its first offer never reaches a member that does not know it.
      // Their latest media state too: one may have changed it while the ICE servers were fetched.
      const present = new Map((await rooms.members(room)).map((m) => [m.id, m]));
      const peers = others.flatMap((peer) => {
        const m = present.get(peer.id);
        return m ? [peerInfo(m)] : [];
      });
      const self = peerInfo(member);
      for (const peer of peers) io.to(present.get(peer.id)!.socketId).emit('peer-joined', self);
      logger.debug({ room, id, resumed: !!admission.previousSocketId }, 'joined');
      const { id: _id, ...identity } = self;
      return { id, ...identity, room, capacity: admission.capacity, peers, resumeToken, reconnectGraceMs, ...ice };
    });

    handle(socket, 'preflight', preflightRequestSchema, context, async ({ room, token }) => {
      // The same servers a join would hand out, under the same conditions as a join (the same
      // token), for a one-off identity: no member is created and nobody is told.
      if (accessTokens) await accessTokens.verify(token, room);
      return { protocol: PROTOCOL_VERSION, ...(await grant(room, `preflight-${randomBytes(8).toString('hex')}`)) };
    });

    handle(socket, 'ice-servers', undefined, context, async () => {
      const { id, room } = socket.data;
      if (!id || !room) throw new SignalingError('not_joined', 'ICE servers are for room members: join first');
      // Fresh (paid) TURN credentials need a token that is still valid: join again with a new one.
      if (socket.data.tokenExpiresAt !== undefined && Date.now() >= socket.data.tokenExpiresAt) {
        throw new SignalingError('unauthorized', UNAUTHORIZED_MESSAGE);
      }
      return grant(room, id);
    });

    handle(socket, 'signal', signalRequestSchema, context, async (request) => {
      const { id, room } = socket.data;
      if (!id || !room) throw new SignalingError('not_joined', 'Join a room before signaling');
      if (socket.data.publish === false && 'description' in request) {
        const sending = sdpSending(request.description.sdp);
        if (sending === 'ambiguous') throw new SignalingError('bad_request', 'description: each media section takes at most one direction line, exactly a=<direction>');
        if (sending === 'sends') throw new SignalingError('unauthorized', 'A receive-only member cannot send audio or video (its description must be recvonly)');
      }
      const target = request.to === id ? undefined : await rooms.get(room, request.to);
      if (!target) throw new SignalingError('unknown_peer', 'No such member in this room');
      if (target.away) throw new SignalingError('peer_away', 'That member is reconnecting');
      const message: SignalMessage =
        'description' in request ? { from: id, description: request.description } : { from: id, candidate: request.candidate };
      // Straight to the socket when it is on this node (no Redis round trip); else through the adapter.
      (io.sockets.sockets.has(target.socketId) ? io.local.to(target.socketId) : io.to(target.socketId)).emit('signal', message);
      return {};
    });

    handle(socket, 'media-state', mediaStateSchema, context, async (media) => {
      const { id, room } = socket.data;
      if (!id || !room) throw new SignalingError('not_joined', 'Join a room before sending media state');
      // A receive-only member sends no media, whatever it says.
      if (socket.data.publish === false) media = { audio: false, video: false, screen: false };
      for (const member of await rooms.setMedia(room, id, media)) io.to(member.socketId).emit('media-state', { from: id, ...media });
      return {};
    });

    handle(socket, 'peer-check', peerCheckRequestSchema, context, async ({ id: target }) => {
      const { id, room } = socket.data;
      if (!id || !room) throw new SignalingError('not_joined', 'Join a room before checking a peer');
      // Members of other rooms and of none look alike: the answer says nothing about other rooms.
      const member = target === id ? undefined : await rooms.get(room, target);
      if (!member) throw new SignalingError('not_in_room', 'No other member with that id in this room');
      if (member.away) return { alive: false }; // already gone: its grace period runs
      return { alive: await probe(member.socketId) };
    });

    handle(socket, 'leave', undefined, context, async () => {
      if (!(await leave(socket))) throw new SignalingError('not_joined', 'Not in a room');
      return {};
    });

    socket.on('disconnect', () => {
      logged(drop(socket));
      rateLimiter?.forget(socket.id);
    });
  });

  return {
    close() {
      closing = true;
      for (const timer of away.values()) clearTimeout(timer);
      away.clear();
    },
  };
}
