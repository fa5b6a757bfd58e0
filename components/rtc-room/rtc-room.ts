import { provide } from '@lit/context';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import type { RtcErrorDetail } from '../events.js';
import {
  RtcAutoplayBlockedEvent,
  RtcErrorEvent,
  RtcJoinedEvent,
  RtcLeftEvent,
  RtcMessageEvent,
  RtcPeerJoinedEvent,
  RtcPeerLeftEvent,
  RtcReconnectedEvent,
  RtcReconnectingEvent,
} from '../events.js';
import { RtcError } from '../core/errors.js';
import { RemoteSlots, type RemoteSlot } from '../internal/remote-slots.js';
import { stringsFor } from '../internal/strings.js';
import { roomContext, type RoomState } from '../internal/room-context.js';
import { RoomSession, type RemotePeer, type RoomSessionOptions, type RoomStatus } from '../core/room-session.js';

/** How long a removed `<rtc-room>` waits to be put back in the page before it leaves the room (ms). */
const DETACH_GRACE_MS = 1_000;

/**
 * A video call room. Joins `room` on the signaling server when it is in the page (unless `manual`),
 * sends the camera and microphone, and shares the call with the elements inside it (through
 * `@lit/context`). The camera is asked for 640×360 (`ideal`, so any camera works): in a mesh each
 * member uploads one stream per other member. Moving it in the page (a layout change, a framework
 * re-render, React StrictMode's double mount) keeps the call: it waits one second to be put back;
 * removed for good, it then leaves the room and stops the camera and microphone. Several rooms on
 * one page are independent.
 *
 * The room plays every member's sound itself (hidden `<audio>` elements in its shadow root), so
 * you hear everyone even when no element shows their video. When the browser blocks that sound
 * until a gesture, `needs-gesture` is set and the `audio-prompt` shows until the next click, tap
 * or key press.
 *
 * Calls survive: when the signaling connection drops, `state` is `reconnecting`, media keeps
 * flowing peer to peer, and the room joins again as the same member. A broken peer connection
 * gets up to three ICE restarts (with fresh TURN credentials when they expired), then
 * `peer_unreachable`. A server that cannot be reached is tried again (`state` stays `connecting`).
 *
 * `rtc-error` codes: `room_full`, `bad_request` (e.g. an invalid room name), `connect_failed`
 * (server unreachable; tried again by itself), `timeout`, `media_denied` / `no_device` /
 * `media_failed` (the call goes on without sending that media), `peer_failed` (negotiation with
 * one peer failed), `peer_unreachable` (a peer's connection could not be restored; it is removed),
 * `autoplay_blocked`, `unauthorized` (the access token was refused; not retried), `rate_limited`
 * (tried again after the server's wait, `detail.retryAfterMs`), `unavailable` (Redis out of reach,
 * or the server shutting down; tried again by itself), `internal`. A join refused with `timeout`,
 * `unavailable`, `internal` or `rate_limited` is tried again (`state` stays `connecting` on a first
 * join); after `room_full`, `bad_request`, `already_joined` and `unauthorized`, `state` is `error`
 * and nothing is retried. Every event bubbles and crosses shadow roots, and is typed in
 * `HTMLElementEventMap`.
 *
 * @tagname rtc-room
 * @summary A live video call: put `<rtc-local-video>` and `<rtc-remote-videos>` (or `<rtc-remote-video>`s) inside.
 *
 * @slot - The call's layout: `<rtc-local-video>`, `<rtc-remote-videos>`, `<rtc-remote-video>` and any other content.
 * @slot audio-prompt - Shown while the browser blocks sound until a gesture (`needs-gesture`). Default: a "Start audio" button.
 *
 * @csspart audio-prompt - The box around the audio-prompt slot, shown above the call while `needs-gesture` is set.
 * @csspart audio-button - The default "Start audio" button.
 *
 * @fires {RtcJoinedEvent} rtc-joined - The room was joined; `detail` is `{ id, room, peers: [{ id, name }] }`.
 * @fires {RtcLeftEvent} rtc-left - The room was left (`leave()`, a new `room`, or removal); `detail` is `{ room }`.
 * @fires {RtcPeerJoinedEvent} rtc-peer-joined - Another member came in; `detail` is `{ peer: { id, name } }`.
 * @fires {RtcPeerLeftEvent} rtc-peer-left - Another member left or lost its connection; `detail` is `{ peer: { id, name } }`.
 * @fires {RtcReconnectingEvent} rtc-reconnecting - The signaling connection dropped; calls go on while it reconnects. `detail` is `{ room, reason }`.
 * @fires {RtcReconnectedEvent} rtc-reconnected - Back in the room as the same member; `detail` is `{ id, room, peers, downtimeMs }`.
 * @fires {RtcMessageEvent} rtc-message - A message from another member's `send()`; `detail` is `{ peer: { id, name }, data }`.
 * @fires {RtcAutoplayBlockedEvent} rtc-autoplay-blocked - The browser blocked the others' sound until a click, tap or key press; `detail` is `{ room }`.
 * @fires {RtcErrorEvent} rtc-error - Something failed; `detail` is `{ code, message, cause? }` (codes above).
 */
export class RtcRoomElement extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    :host([hidden]) {
      display: none;
    }
    .audio {
      display: none;
    }
    .prompt {
      display: flex;
      justify-content: center;
      padding: 0.5em;
    }
    .prompt[hidden] {
      display: none;
    }
    .prompt button {
      font: inherit;
      padding: 0.5em 1em;
      cursor: pointer;
    }
  `;

  /** The room to join: 1 to 64 characters of `A-Z a-z 0-9 _ . -`. A new value leaves and joins the new room. */
  @property() room = '';

  /** The signaling server's URL. Empty: the page's own origin. */
  @property() server = '';

  /** This member's display name, shown to the others. */
  @property() name = '';

  /**
   * Access token from your back-end, for servers that require one (`ACCESS_TOKEN_SECRET` or
   * `ACCESS_TOKEN_PUBLIC_KEY`): it names the room (or a prefix), who you are, and whether you may
   * send. A token with `publish: false` joins receive-only: the camera and microphone stay off.
   * Refused tokens fire `rtc-error` with code `unauthorized`, and the join is not retried. A new
   * value during a call is kept for the next rejoin (after a dropped connection or a server
   * restart), so give the room a fresh token before the old one expires; the call goes on. Only a
   * token that changes whether this member may send media (`publish`) leaves and joins again.
   */
  @property() token = '';

  /** Do not send the camera (receive only, or audio only). */
  @property({ type: Boolean, attribute: 'no-video' }) noVideo = false;

  /** Do not send the microphone. */
  @property({ type: Boolean, attribute: 'no-audio' }) noAudio = false;

  /** Do not join by itself: wait for `join()`. */
  @property({ type: Boolean }) manual = false;

  /**
   * Members this room holds, 2 to 8, when this member creates it (the first to join decides for the
   * room's lifetime). The server's `ROOM_CAPACITY` wins. Empty: the server's limit.
   */
  @property({ type: Number }) capacity?: number;

  /** `relay` forces every connection through TURN (for testing a TURN set-up, or hiding addresses). */
  @property({ attribute: 'ice-transport-policy' }) iceTransportPolicy: RTCIceTransportPolicy = 'all';

  /**
   * Signal over WebSocket only, never HTTP long-polling: for servers behind a load balancer
   * without sticky sessions (long-polling needs every request of a session on one node).
   */
  @property({ type: Boolean, attribute: 'websocket-only' }) websocketOnly = false;

  /**
   * The call's state, reflected for CSS: `idle`, `connecting` (also while the server cannot be
   * reached: it is tried again), `joined`, `reconnecting` (the server connection dropped; calls go
   * on) or `error`. Read-only.
   */
  @property({ reflect: true }) state: RoomStatus = 'idle';

  @provide({ context: roomContext })
  @state()
  private _roomState: RoomState = {
    status: 'idle',
    session: null,
    localStream: null,
    peers: new Map(),
    room: this,
    slots: new RemoteSlots((a: RemoteSlot, b: RemoteSlot) =>
      (a as unknown as Node).compareDocumentPosition(b as unknown as Node) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
    ),
  };

  /**
   * Set while the browser refuses to play the others' sound until the person interacts with the
   * page (autoplay policy); the `audio-prompt` shows, and the next click, tap or key press clears it.
   * Read-only.
   */
  @property({ type: Boolean, reflect: true, attribute: 'needs-gesture' }) needsGesture = false;

  /** Members whose sound is not played (`setPeerMuted`). */
  @state() private _mutedPeers: ReadonlySet<string> = new Set();
  /** Set by `leave()`: no joining by itself until an attribute changes, `join()` or a re-attach. */
  private _stayOut = false;
  /** A speaker that could not be used (reported once). */
  private _failedSink: string | null = null;

  private _session: RoomSession | null = null;
  private _unbind: (() => void) | null = null;
  private _detachTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * The current session (the browser core's `RoomSession`), for scripts that need more than the
   * elements show: `getStats(peerId)`, `iceServers` with their expiry, `restartIce(peerId?)`.
   */
  get session(): RoomSession | null {
    return this._session;
  }

  /** The other members, in join order: `{ id, name, sub?, publish?, stream, connectionState, media }`. */
  get peers(): RemotePeer[] {
    return [...this._roomState.peers.values()];
  }

  /** Ids of the members whose sound is not played on this page (`setPeerMuted`). */
  get mutedPeers(): ReadonlySet<string> {
    return this._mutedPeers;
  }

  /**
   * Stops or resumes playing one member's sound (only here; the member is not told).
   * `<rtc-remote-video muted>` does this for the member it shows.
   */
  setPeerMuted(peerId: string, muted: boolean): void {
    if (this._mutedPeers.has(peerId) === muted) return;
    const next = new Set(this._mutedPeers);
    if (muted) next.add(peerId);
    else next.delete(peerId);
    this._mutedPeers = next;
  }

  /**
   * Sends `data` (any JSON value, at most 64 KiB as JSON in UTF-8 bytes) to every other member, or
   * to the member `peerId`, peer to peer over data channels; they receive `rtc-message`. Messages to
   * members whose connection is still opening are queued. Returns the ids it goes to: a member
   * missing from them did not get it (its connection is closing, or its queue is full).
   * @throws RtcError `not_joined` when not in a room, `unknown_peer` for an id not in the room;
   *   TypeError or RangeError for data that cannot be sent.
   */
  send(data: unknown, peerId?: string): string[] {
    const session = this._session;
    if (!session || session.status === 'idle' || session.status === 'error') throw new RtcError('not_joined', 'send(): not in a room');
    return session.send(data, peerId);
  }

  /** The camera and microphone being sent, once started. */
  get localStream(): MediaStream | null {
    return this._roomState.localStream;
  }

  /**
   * Joins `room` (leaving any room first). Resolves once joined; rejects with an `RtcError` after
   * dispatching `rtc-error`.
   */
  async join(): Promise<void> {
    await this.leave();
    this._stayOut = false;
    const session = new RoomSession(this.sessionOptions());
    this.bind(session);
    try {
      await session.join();
    } catch (error) {
      if (this._session === session && error instanceof RtcError) this.fail(error);
      throw error;
    }
  }

  /**
   * Leaves the room and stops the camera and microphone. The room stays left (even without
   * `manual`) until `join()`, a changed attribute, or the element is put back in the page.
   */
  async leave(): Promise<void> {
    this._stayOut = true;
    const session = this._session;
    if (!session) return;
    const wasJoined = session.status === 'joined' || session.status === 'reconnecting';
    this._unbind?.();
    this._unbind = null;
    this._session = null;
    await session.leave();
    this.sync(null);
    if (wasJoined) this.dispatchEvent(new RtcLeftEvent({ room: session.options.room }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A move in the DOM (a layout change, a framework re-render, React StrictMode's double mount) is
    // a removal and an insertion: the call waits a moment for the insertion before it leaves.
    clearTimeout(this._detachTimer);
    this._detachTimer = setTimeout(() => {
      this._detachTimer = undefined;
      if (this.isConnected) return;
      this.stopWaitingForGesture();
      this.needsGesture = false;
      void this.leave();
    }, DETACH_GRACE_MS);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this._detachTimer !== undefined) {
      // Moved: the same call goes on. Media elements that were paused by the removal play again.
      clearTimeout(this._detachTimer);
      this._detachTimer = undefined;
    }
    this._stayOut = false;
    // Back in the page (after a move, or after leaving when removed): play, or join again.
    if (this.hasUpdated) this.requestUpdate();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (!this.isConnected) return;
    if (!this.needsGesture) this.playAudio();
    this.applySpeaker();
    if (OWNER_PROPERTIES.some((key) => changed.has(key))) this._stayOut = false;
    const session = this._session;
    const wanted = this.sessionOptions();
    // A new token alone is kept for later rejoins; the call goes on (unless it changes publishing).
    if (session && changed.has('token') && session.status !== 'error' && session.status !== 'idle' && sameOptions(session.options, { ...wanted, token: session.options.token })) {
      session.updateToken(wanted.token);
    }
    if (session && !sameOptions(session.options, wanted)) {
      if (this.room) this.join().catch(() => {});
      else void this.leave();
    } else if (!session && !this.manual && this.room && !this._stayOut) {
      this.join().catch(() => {});
    }
  }

  protected override render() {
    // Every member's sound plays here, whether or not an element shows its video.
    return html`<div class="prompt" part="audio-prompt" ?hidden=${!this.needsGesture}>
        <slot name="audio-prompt"><button type="button" part="audio-button" @click=${this.onGesture}>${stringsFor(this).startAudio}</button></slot>
      </div>
      <slot></slot>
      <div class="audio">
        ${repeat(
          this.peers,
          (peer) => peer.id,
          (peer) => html`<audio data-peer=${peer.id} .srcObject=${live(peer.stream)} .muted=${this._mutedPeers.has(peer.id)} autoplay></audio>`,
        )}
      </div>`;
  }

  private playAudio(): void {
    for (const audio of this.renderRoot.querySelectorAll('audio')) {
      if (!audio.paused || !audio.srcObject) continue;
      audio.play().catch((error: DOMException) => this.onPlayRejected(error));
    }
  }

  /** Plays every member's sound on the chosen speaker (`session.media.selectDevice('audiooutput', id)`), where supported. */
  private applySpeaker(): void {
    const sinkId = this._session?.media.selected.audiooutput ?? '';
    if (sinkId === this._failedSink) return;
    for (const audio of this.renderRoot.querySelectorAll('audio')) {
      if (!('setSinkId' in audio) || audio.sinkId === sinkId) continue;
      audio.setSinkId(sinkId).catch((cause: DOMException) => {
        if (this._failedSink === sinkId) return;
        this._failedSink = sinkId; // said once, not on every update
        this.report(new RtcError(cause.name === 'NotFoundError' ? 'no_device' : 'media_failed', `The speaker could not be used: ${cause.message}`, { cause }));
      });
    }
  }

  private onPlayRejected(error: DOMException): void {
    if (error.name !== 'NotAllowedError' || this.needsGesture) return;
    // Sound needs a user gesture: try again on the first click, tap or key press.
    this.needsGesture = true;
    this.waitForGesture();
    this.dispatchEvent(new RtcAutoplayBlockedEvent({ room: this.room }));
    this.report(new RtcError('autoplay_blocked', 'The browser blocked sound until the page is clicked', { cause: error }));
  }

  /**
   * What may carry a user activation. A touch's pointerdown does not (Chromium grants it on
   * pointerup, touchend and click), so a tap is heard at every step.
   */
  private static readonly GESTURE_EVENTS = ['pointerdown', 'pointerup', 'touchend', 'click', 'keydown'] as const;
  /** The document whose gestures are awaited (this element's own, even inside an iframe). */
  private _gestureDoc: Document | null = null;

  private waitForGesture(): void {
    if (this._gestureDoc) return;
    this._gestureDoc = this.ownerDocument;
    for (const type of RtcRoomElement.GESTURE_EVENTS) this._gestureDoc.addEventListener(type, this.onGesture, { capture: true });
  }

  /**
   * Plays every paused sound, synchronously inside the gesture's handler (play() must be called
   * there). Once none is refused, needs-gesture clears; a gesture that gave no activation (a
   * touch's pointerdown, a synthetic event) leaves it waiting for the next one, without a new report.
   */
  private readonly onGesture = () => {
    const paused = [...this.renderRoot.querySelectorAll('audio')].filter((audio) => audio.paused && audio.srcObject);
    void Promise.allSettled(paused.map((audio) => audio.play())).then((results) => {
      if (results.some((r) => r.status === 'rejected' && (r.reason as DOMException)?.name === 'NotAllowedError')) return;
      this.stopWaitingForGesture();
      this.needsGesture = false;
    });
  };

  private stopWaitingForGesture(): void {
    for (const type of RtcRoomElement.GESTURE_EVENTS) this._gestureDoc?.removeEventListener(type, this.onGesture, { capture: true });
    this._gestureDoc = null;
  }

  private sessionOptions(): RoomSessionOptions {
    return {
      room: this.room,
      name: this.name || undefined,
      server: this.server || undefined,
      sendAudio: !this.noAudio,
      sendVideo: !this.noVideo,
      capacity: this.capacity || undefined,
      token: this.token || undefined,
      iceTransportPolicy: this.iceTransportPolicy === 'relay' ? 'relay' : 'all',
      websocketOnly: this.websocketOnly,
    };
  }

  private bind(session: RoomSession): void {
    this._session = session;
    const onChange = () => this.sync(session);
    const onJoined = (e: CustomEvent<{ id: string; room: string; peers: { id: string; name: string }[] }>) =>
      this.dispatchEvent(new RtcJoinedEvent(e.detail));
    const onPeerJoined = (e: CustomEvent<{ peer: { id: string; name: string } }>) =>
      this.dispatchEvent(new RtcPeerJoinedEvent(e.detail));
    const onPeerLeft = (e: CustomEvent<{ peer: { id: string; name: string } }>) =>
      this.dispatchEvent(new RtcPeerLeftEvent(e.detail));
    const onError = (e: CustomEvent<RtcError>) => this.report(e.detail);
    const onMessage = (e: CustomEvent<{ peer: { id: string; name: string }; data: unknown }>) =>
      this.dispatchEvent(new RtcMessageEvent(e.detail));
    const onReconnecting = (e: CustomEvent<{ reason: string }>) =>
      this.dispatchEvent(new RtcReconnectingEvent({ room: session.options.room, reason: e.detail.reason }));
    const onReconnected = (e: CustomEvent<{ id: string; room: string; peers: { id: string; name: string }[]; downtimeMs: number }>) =>
      this.dispatchEvent(new RtcReconnectedEvent(e.detail));
    session.addEventListener('change', onChange);
    session.addEventListener('joined', onJoined);
    session.addEventListener('peer-joined', onPeerJoined);
    session.addEventListener('peer-left', onPeerLeft);
    session.addEventListener('error', onError);
    session.addEventListener('reconnecting', onReconnecting);
    session.addEventListener('reconnected', onReconnected);
    session.addEventListener('message', onMessage);
    this._unbind = () => {
      session.removeEventListener('message', onMessage);
      session.removeEventListener('reconnecting', onReconnecting);
      session.removeEventListener('reconnected', onReconnected);
      session.removeEventListener('change', onChange);
      session.removeEventListener('joined', onJoined);
      session.removeEventListener('peer-joined', onPeerJoined);
      session.removeEventListener('peer-left', onPeerLeft);
      session.removeEventListener('error', onError);
    };
    this.sync(session);
  }

  /** Publishes a fresh snapshot of the session to the children. */
  private sync(session: RoomSession | null): void {
    const status = session?.status ?? 'idle';
    this.state = status;
    this._roomState = {
      ...this._roomState,
      status,
      session,
      localStream: session?.localStream ?? null,
      peers: session?.peers ?? new Map(),
      room: this,
    };
    this._roomState.slots.setPeers([...this._roomState.peers.keys()]);
  }

  private fail(error: RtcError): void {
    this.sync(this._session);
    this.state = 'error';
    this.report(error);
  }

  private report(error: RtcError): void {
    const detail: RtcErrorDetail = { code: error.code, message: error.message };
    if (error.cause !== undefined) detail.cause = error.cause;
    if (error.retryAfterMs !== undefined) detail.retryAfterMs = error.retryAfterMs;
    this.dispatchEvent(new RtcErrorEvent(detail));
  }
}

/** Properties the page sets; a change to any of them ends a `leave()`'s stay-out. */
const OWNER_PROPERTIES = ['room', 'server', 'name', 'noVideo', 'noAudio', 'manual', 'capacity', 'iceTransportPolicy'] as const;

function sameOptions(a: Readonly<RoomSessionOptions>, b: RoomSessionOptions): boolean {
  return (Object.keys(b) as (keyof RoomSessionOptions)[]).every((key) => a[key] === b[key]);
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-room': RtcRoomElement;
  }
}
