import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { ZodType } from 'zod';
import { SignalingError } from '../errors.js';
import type { LimitedEvent, RateLimiter } from '../limits.js';
import type { Backpressure } from './backpressure.js';
import type { Ack, ClientToServerEvents, ServerToClientEvents, SocketData } from '../../protocol/index.js';

export type RtcIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type RtcSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

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
  /** Connections closed for sending more packets than their budget. */
  overBudget: number;
  /** Connections closed because more than the bound waited to be sent to them (they did not read). */
  slowReaders: number;
}

export function createSignalingCounters(): SignalingCounters {
  return { unknownEvents: 0, eventsWithoutAck: 0, badRequests: 0, unauthorized: 0, rateLimited: 0, overBudget: 0, slowReaders: 0 };
}

export interface HandleContext {
  logger: Logger;
  counters: SignalingCounters;
  rateLimiter?: RateLimiter | undefined;
  /** When set, a socket with too much waiting for it is cut off instead of answered. */
  backpressure?: Backpressure | undefined;
  /** Every event `handle` registered: the protocol's client events; anything else is ignored and counted. */
  handled: Set<string>;
}

/** The handler-facing part of a socket: where `handle` listens (a real Socket.IO socket, or a fake in tests). */
export interface HandledSocket {
  readonly id: string;
  readonly data: Partial<SocketData>;
  /** Its Engine.IO connection (what waits to be sent to it). */
  readonly conn?: object;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

const MAX_MESSAGE_LENGTH = 200;

/** Turns a zod failure into one short readable line. */
export function describeIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.');
  return `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid payload'}`.slice(0, MAX_MESSAGE_LENGTH);
}

/**
 * Registers a client event whose last argument is the ack. The payload is parsed with `schema`
 * (undefined: no payload), the handler's result or error always becomes exactly one ack, and
 * nothing a client sends can throw past this point. Events without an ack are ignored.
 */
export function handle<T, R extends object>(
  socket: HandledSocket | RtcSocket,
  event: keyof ClientToServerEvents,
  schema: ZodType<T> | undefined,
  context: HandleContext,
  handler: (payload: T) => Promise<R> | R,
): void {
  const { logger, counters, rateLimiter, backpressure } = context;
  context.handled.add(event);
  (socket as HandledSocket).on(event, async (...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack !== 'function') {
      counters.eventsWithoutAck++;
      return;
    }
    // A socket that leaves its answers unread gets no more of them: past the bound it is cut off.
    const reply = (response: Ack<R>) => {
      if (!backpressure?.overflowing(socket as HandledSocket)) (ack as (r: Ack<R>) => void)(response);
    };
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
