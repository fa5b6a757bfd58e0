// Backpressure: what waits to be sent to one connection is bounded. Before the server relays to a
// socket or answers it, it looks at what is queued for it; past the bound the connection is closed
// (for the room, a dropped connection: its member is away and may come back) instead of being
// sent more that it does not read.

/** A packet Engine.IO holds for a connection until its transport can take it. */
export interface QueuedPacket {
  readonly data?: unknown;
}

/**
 * The parts of an Engine.IO connection (`socket.conn`) that hold what waits to be sent: its write
 * buffer, and for the WebSocket transport the `ws` socket (`bufferedAmount`: bytes given to it and
 * not yet to the network). A fake in unit tests.
 */
export interface SendQueue {
  /** `open` until it closes (a closed connection sends nothing more: there is nothing to bound). */
  readonly readyState?: string;
  readonly writeBuffer: readonly QueuedPacket[];
  readonly transport?: { readonly socket?: { readonly bufferedAmount?: unknown; terminate?: () => void } } | null;
  /** Engine.IO's close; `true` discards the write buffer instead of waiting for it to drain. */
  close(discard?: boolean): unknown;
}

/**
 * A Socket.IO socket's `conn` as a `SendQueue`. Engine.IO's types call the write buffer private,
 * but it is there (Engine.IO hands the same array out with its `flush` event).
 */
export function sendQueueOf(conn: object): SendQueue {
  return conn as SendQueue;
}

function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/**
 * Bytes waiting to be sent on `conn`: what the WebSocket holds, then Engine.IO's write buffer
 * (string lengths: about the bytes of the JSON the server writes). Counting stops past `limit`.
 */
export function queuedBytes(conn: SendQueue, limit = Infinity): number {
  const buffered = conn.transport?.socket?.bufferedAmount;
  let bytes = typeof buffered === 'number' ? buffered : 0;
  for (const packet of conn.writeBuffer) {
    if (bytes > limit) break;
    bytes += sizeOf(packet.data);
  }
  return bytes;
}

/**
 * Closes `conn` now, dropping what waits for it: Engine.IO's buffer (without waiting for a drain
 * that a client that does not read never gives) and the WebSocket's (which would otherwise linger
 * until its closing handshake times out). Socket.IO then sees a closed transport, as when a
 * network drops.
 */
export function cutOff(conn: SendQueue): void {
  const ws = conn.transport?.socket;
  conn.close(true);
  ws?.terminate?.();
}

/** A socket as backpressure sees it: a Socket.IO socket, or a fake in tests (with or without a connection). */
export interface Receiver {
  readonly conn?: object;
  readonly data?: { readonly ip?: string | undefined };
}

export interface Backpressure {
  /**
   * True when more than the bound waits to be sent to `socket`: it is then cut off (and must not
   * be sent anything). False otherwise: send.
   */
  overflowing(socket: Receiver): boolean;
  /**
   * Checks `socket` again each time a packet is queued for it, whoever sends it (a signal relayed
   * from another node, an announcement to the room, a heartbeat): past the bound it is cut off.
   */
  watch(socket: Receiver & { readonly conn: { on(event: 'packetCreate', listener: () => void): unknown } }): void;
}

/** Backpressure with a bound of `maxQueuedBytes`; `onCutOff` hears of each socket cut off (a counter, a log line). */
export function createBackpressure(maxQueuedBytes: number, onCutOff: (socket: Receiver) => void = () => {}): Backpressure {
  const overflowing = (socket: Receiver) => {
    const conn = socket.conn && sendQueueOf(socket.conn);
    if (!conn || (conn.readyState ?? 'open') !== 'open' || queuedBytes(conn, maxQueuedBytes) <= maxQueuedBytes) return false;
    onCutOff(socket);
    cutOff(conn);
    return true;
  };
  return {
    overflowing,
    watch(socket) {
      // (Engine.IO emits this just before it queues the packet; once cut off, it queues nothing.)
      socket.conn.on('packetCreate', () => void overflowing(socket));
    },
  };
}
