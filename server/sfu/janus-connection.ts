// One Janus session over Janus' WebSocket API (subprotocol `janus-protocol`): transactions with
// timeouts, a keepalive every 25 s, plugin handles, and Janus' own events routed by handle.
// Nothing here knows about rooms; videoroom.ts drives a VideoRoom through `JanusHandle`s.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { JanusCandidate, JanusHandle, JanusSession, HandleEvent, Jsep, PluginReply } from './janus-types.js';

export type { JanusCandidate, JanusHandle, JanusSession, HandleEvent, Jsep, PluginReply } from './janus-types.js';

/** Janus answered a request with an error (`janus: "error"`, or a plugin's `error_code`). */
export class JanusError extends Error {
  override readonly name = 'JanusError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface JanusConnectionOptions {
  /** How long a request may wait for its answer (a plugin request: for its final `event`). @default 10000 */
  transactionTimeoutMs?: number;
  /** Janus drops a session idle for 60 s (its `session_timeout`). @default 25000 */
  keepaliveMs?: number;
  /** How long the WebSocket may take to open. @default 5000 */
  connectTimeoutMs?: number;
}

export const DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEPALIVE_MS = 25_000;

interface Pending {
  resolve(message: JanusMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  /** Plugin requests: an `ack` is not the answer; the `event` (or a synchronous `success`) is. */
  async: boolean;
}

/** What Janus sends (the fields we read). */
interface JanusMessage {
  janus: string;
  transaction?: string;
  session_id?: number;
  sender?: number;
  data?: { id?: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: Jsep;
  candidate?: JanusCandidate | { completed: true };
  reason?: string;
}

/**
 * Opens a WebSocket to Janus and creates a session on it. The session ends (`closed` resolves)
 * when the socket closes, a keepalive goes unanswered, Janus times the session out, or `close()`.
 */
export async function openJanusSession(url: string, options: JanusConnectionOptions = {}): Promise<JanusSession> {
  const transactionTimeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS;
  const socket = new WebSocket(url, 'janus-protocol');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`Janus at ${url} did not open a WebSocket within ${options.connectTimeoutMs ?? 5000} ms`));
    }, options.connectTimeoutMs ?? 5000);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });

  const pending = new Map<string, Pending>();
  const handles = new Map<number, HandleState>();
  let sessionId = 0;
  let ended: Error | null = null;
  const timers: { keepalive?: NodeJS.Timeout } = {};
  let endSession!: (reason: Error) => void;
  const closed = new Promise<Error>((resolve) => (endSession = resolve));

  const end = (reason: Error) => {
    if (ended) return;
    ended = reason;
    clearInterval(timers.keepalive);
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(reason);
    }
    pending.clear();
    for (const handle of handles.values()) handle.deliver({ type: 'detached' });
    handles.clear();
    socket.removeAllListeners('message');
    socket.on('error', () => {}); // a late error on a socket we dropped is no news
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate();
    endSession(reason);
  };

  /** Sends a request and resolves with its answer; a plugin request resolves with its final `event`. */
  const send = (body: Record<string, unknown>, async = false): Promise<JanusMessage> => {
    if (ended) return Promise.reject(ended);
    const transaction = randomBytes(9).toString('base64url');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(transaction);
        const error = new JanusError(0, `Janus did not answer '${String(body.janus)}' within ${transactionTimeoutMs} ms`);
        reject(error);
        // An unanswered keepalive means the session (or Janus) is gone.
        if (body.janus === 'keepalive') end(error);
      }, transactionTimeoutMs);
      pending.set(transaction, { resolve, reject, timer, async });
      socket.send(JSON.stringify({ ...body, transaction, ...(sessionId ? { session_id: sessionId } : {}) }));
    });
  };

  socket.on('message', (raw) => {
    let message: JanusMessage;
    try {
      message = JSON.parse(String(raw)) as JanusMessage;
    } catch {
      return; // not JSON: not Janus
    }
    const p = message.transaction ? pending.get(message.transaction) : undefined;
    if (p) {
      if (message.janus === 'ack' && p.async) return; // the plugin's `event` follows
      pending.delete(message.transaction!);
      clearTimeout(p.timer);
      if (message.janus === 'error') p.reject(new JanusError(message.error?.code ?? 0, message.error?.reason ?? 'Janus error'));
      else p.resolve(message);
      return;
    }
    if (message.janus === 'timeout') return end(new Error('Janus timed the session out'));
    const handle = message.sender === undefined ? undefined : handles.get(message.sender);
    if (!handle) return;
    switch (message.janus) {
      case 'event':
        if (message.plugindata)
          handle.deliver({ type: 'plugin', data: message.plugindata.data, ...(message.jsep ? { jsep: message.jsep } : {}) });
        break;
      case 'trickle': {
        const c = message.candidate;
        handle.deliver({ type: 'trickle', candidate: !c || 'completed' in c ? null : c });
        break;
      }
      case 'webrtcup':
        handle.deliver({ type: 'webrtcup' });
        break;
      case 'hangup':
        handle.deliver({ type: 'hangup', reason: message.reason ?? '' });
        break;
      case 'detached':
        handles.delete(handle.id);
        handle.deliver({ type: 'detached' });
        break;
    }
  });
  socket.on('close', () => end(new Error('The WebSocket to Janus closed')));
  socket.on('error', (error) => end(error));

  class HandleState implements JanusHandle {
    listener: ((event: HandleEvent) => void) | undefined;
    constructor(readonly id: number) {}
    deliver(event: HandleEvent) {
      this.listener?.(event);
    }
    onEvent(listener: (event: HandleEvent) => void) {
      this.listener = listener;
    }
    async request(body: Record<string, unknown>, jsep?: Jsep): Promise<PluginReply> {
      const reply = await send({ janus: 'message', handle_id: this.id, body, ...(jsep ? { jsep } : {}) }, true);
      const data = reply.plugindata?.data ?? {};
      if (typeof data.error_code === 'number') throw new JanusError(data.error_code, String(data.error ?? 'plugin error'));
      return { data, ...(reply.jsep ? { jsep: reply.jsep } : {}) };
    }
    async trickle(candidate: JanusCandidate | null): Promise<void> {
      await send({ janus: 'trickle', handle_id: this.id, candidate: candidate ?? { completed: true } });
    }
    async detach(): Promise<void> {
      if (!handles.delete(this.id)) return;
      this.listener = undefined;
      await send({ janus: 'detach', handle_id: this.id }).catch(() => {}); // gone already: nothing to undo
    }
  }

  try {
    const created = await send({ janus: 'create' });
    sessionId = created.data?.id ?? 0;
    if (!sessionId) throw new Error('Janus created no session');
  } catch (error) {
    end(error as Error);
    throw error;
  }
  timers.keepalive = setInterval(() => void send({ janus: 'keepalive' }).catch(() => {}), options.keepaliveMs ?? DEFAULT_KEEPALIVE_MS);
  timers.keepalive.unref();

  return {
    get id() {
      return sessionId;
    },
    closed,
    async attach(plugin: string): Promise<JanusHandle> {
      const reply = await send({ janus: 'attach', plugin });
      const id = reply.data?.id;
      if (!id) throw new Error(`Janus attached no handle for ${plugin}`);
      const handle = new HandleState(id);
      handles.set(id, handle);
      return handle;
    },
    close() {
      if (!ended && socket.readyState === WebSocket.OPEN)
        socket.send(JSON.stringify({ janus: 'destroy', session_id: sessionId, transaction: 'bye' }));
      end(new Error('closed'));
    },
  };
}
