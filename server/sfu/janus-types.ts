// The parts of a Janus session that the VideoRoom logic uses: small interfaces, so that the
// translation between our protocol and Janus' is unit-tested with a fake (janus-fake in tests).

/** A JSEP description as Janus takes and gives it. */
export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}

/** An ICE candidate as Janus takes and gives it in `trickle`. */
export interface JanusCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** What a plugin answered: its data, and a JSEP description when it made one. */
export interface PluginReply {
  data: Record<string, unknown>;
  jsep?: Jsep;
}

/** What Janus says about a handle on its own (not as the answer to a request of ours). */
export type HandleEvent =
  | { type: 'plugin'; data: Record<string, unknown>; jsep?: Jsep }
  /** null: Janus has no more candidates (`completed`). */
  | { type: 'trickle'; candidate: JanusCandidate | null }
  | { type: 'webrtcup' }
  | { type: 'hangup'; reason: string }
  /** The handle is gone (detached, or its session ended). */
  | { type: 'detached' };

/** One plugin handle of a session. */
export interface JanusHandle {
  readonly id: number;
  /** A plugin request; resolves with the plugin's answer, rejects with a JanusError for its `error_code`. */
  request(body: Record<string, unknown>, jsep?: Jsep): Promise<PluginReply>;
  /** Hands Janus a candidate of the browser's; null: the browser has no more. */
  trickle(candidate: JanusCandidate | null): Promise<void>;
  /** Releases the handle (its PeerConnection too). Never rejects. */
  detach(): Promise<void>;
  /** The one listener for Janus' own events about this handle. */
  onEvent(listener: (event: HandleEvent) => void): void;
}

/** A Janus session: where handles are attached. */
export interface JanusSession {
  readonly id: number;
  attach(plugin: string): Promise<JanusHandle>;
  /** Resolves with the reason once the session is gone (socket closed, keepalive unanswered, Janus timed it out, `close()`). */
  readonly closed: Promise<Error>;
  close(): void;
}
