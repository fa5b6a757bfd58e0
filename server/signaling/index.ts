// Room membership and relay: protocol v1 (PROTOCOL.md), one module per event group over `handle()`.
import type { Logger } from 'pino';
import type { AccessTokenVerifier } from '../auth/access-tokens.js';
import type { IceServerProvider } from '../ice/provider.js';
import type { RateLimit, RateLimiter } from '../limits.js';
import type { RoomStore } from '../rooms/store.js';
import { createBackpressure, cutOff, sendQueueOf } from './backpressure.js';
import { createAddressBudgets, meterPackets } from './budget.js';
import { packetBudgetPerIp } from '../limits.js';
import type { SignalingContext } from './context.js';
import { createSignalingCounters, type RtcIo, type SignalingCounters } from './handle.js';
import { createIceGrant, registerIce } from './ice.js';
import { registerJoin } from './join.js';
import { createProbe, registerPeerCheck } from './peer-check.js';
import { createPresence } from './presence.js';
import { registerRelay } from './relay.js';
import { registerSfu } from './sfu.js';
import type { Sfu } from '../sfu/service.js';
import { watchRemovals } from '../sfu/removals.js';

export type { SocketData } from '../../protocol/index.js';
export { createSignalingCounters, type RtcIo, type RtcSocket, type SignalingCounters } from './handle.js';
export { memberIdFor } from './join.js';
export { memberKey } from '../rooms/member-key.js';
export { PEER_CHECK_TIMEOUT_MS } from './peer-check.js';

export interface SignalingOptions {
  rooms: RoomStore;
  iceProvider: IceServerProvider;
  roomCapacity: number;
  /** How long a member's place is kept after its connection drops, in ms (0: not at all). */
  reconnectGraceMs: number;
  /** Without access tokens: seats one IP may hold in grace in a room (see `RtcServerOptions.graceSeatsPerIp`). @default 0: no cap */
  graceSeatsPerIp?: number;
  logger: Logger;
  /** When set, `join` requires a valid access token. */
  accessTokens?: AccessTokenVerifier;
  /** When set, requests are rate limited (per event, per socket and per IP). */
  rateLimiter?: RateLimiter;
  /** Packets each connection may send (any packet); past it the connection is closed. Unset: no budget. */
  packetBudget?: RateLimit | false | undefined;
  /**
   * Packets all connections of one IP address may send together, so that reconnecting does not
   * refill the budget; past it the connection that sent the packet is closed.
   * @default ten times `packetBudget` (see `packetBudgetPerIp`)
   */
  packetBudgetPerIp?: RateLimit | false | undefined;
  /** Bytes that may wait to be sent to a connection; past it the connection is closed (its member is away). Unset: no bound. */
  maxQueuedBytes?: number | undefined;
  /** @default fresh counters */
  counters?: SignalingCounters;
  /** With an SFU: rooms whose capacity is above `meshMax` are SFU rooms. */
  sfu?: { service: Sfu; meshMax: number } | undefined;
}

export interface Signaling {
  /** Stops the grace timers; joins answer `unavailable` and sockets that drop are not announced from now on (the server is closing). */
  close(): void;
}

export function attachSignaling(io: RtcIo, options: SignalingOptions): Signaling {
  const { logger, roomCapacity, reconnectGraceMs, packetBudget, maxQueuedBytes, sfu } = options;
  // The SFU hears of every member that leaves for good (left, grace expired, seat taken over).
  const rooms = sfu ? watchRemovals(options.rooms, (room, id) => sfu.service.leave(room, id)) : options.rooms;
  let closing = false;
  const counters = options.counters ?? createSignalingCounters();
  const context: SignalingContext = {
    io,
    rooms,
    logger,
    accessTokens: options.accessTokens,
    rateLimiter: options.rateLimiter,
    counters,
    backpressure:
      maxQueuedBytes === undefined
        ? undefined
        : createBackpressure(maxQueuedBytes, (socket) => {
            counters.slowReaders++;
            logger.info({ ip: socket.data?.ip, maxQueuedBytes }, 'connection closed: it does not read what is sent to it');
          }),
    handled: new Set(),
    closing: () => closing,
  };
  const presence = createPresence(context, { reconnectGraceMs });
  const grant = createIceGrant(options.iceProvider);
  const probe = createProbe(io);
  const joining = new Set<string>();
  const perIp = options.packetBudgetPerIp ?? (packetBudget ? packetBudgetPerIp(packetBudget) : false);
  const addressBudgets = packetBudget && perIp ? createAddressBudgets(perIp) : undefined;

  rooms.onPurge?.(presence.announcePurged);

  io.on('connection', (socket) => {
    socket.data = { ip: socket.data.ip ?? socket.handshake.address };
    // Every packet counts, before it is decoded: unknown events, refused requests and `leave` too.
    if (packetBudget) {
      // Its address's budget too: a client that reconnects keeps spending the same one.
      const shared = addressBudgets?.acquire(socket.data.ip ?? 'unknown');
      if (shared) socket.conn.once('close', () => shared.release());
      const over = () => {
        counters.overBudget++;
        logger.info({ ip: socket.data.ip, budget: packetBudget, perIp }, 'connection closed: past its packet budget');
        cutOff(sendQueueOf(socket.conn));
      };
      meterPackets(socket.conn, packetBudget, over, undefined, shared);
    }
    context.backpressure?.watch(socket);
    // (Runs when an event arrives: by then this connection's handlers below are all registered.)
    socket.onAny((event: string) => {
      if (!context.handled.has(event)) context.counters.unknownEvents++;
    });
    registerJoin(socket, context, {
      roomCapacity,
      reconnectGraceMs,
      graceSeatsPerIp: options.graceSeatsPerIp ?? 0,
      presence,
      grant,
      joining,
      sfu,
    });
    registerIce(socket, context, grant);
    registerRelay(socket, context);
    registerPeerCheck(socket, context, probe);
    registerSfu(socket, context, sfu?.service);
    presence.register(socket);
  });

  return {
    close() {
      closing = true;
      presence.close();
      addressBudgets?.clear();
    },
  };
}
