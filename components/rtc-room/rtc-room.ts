import { provide } from '@lit/context';
import { LitElement, html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { RtcError } from '../core/errors.js';
import type { RemotePeer, RoomSession, RoomSessionOptions, RoomStatus } from '../core/room-session.js';
import { AudioPlaybackController } from '../internal/audio-playback.js';
import { RemoteSlots, documentOrder } from '../internal/remote-slots.js';
import { roomContext, roomSnapshot, type RoomState } from '../internal/room-context.js';
import { SessionController } from '../internal/session-controller.js';
import { LocalizeController } from '../internal/localize.js';
import { roomStyles } from './rtc-room.styles.js';

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
 * or the server shutting down; tried again by itself), `replaced` (the same access token `sub`
 * joined the room elsewhere, another tab or device: the call ends here, `state` is `error`, and it
 * is not rejoined), `internal`. A join refused with `timeout`,
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
  static override styles = roomStyles;

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
   * value during a call goes to the server at once (fresh TURN credentials that end with it; a
   * refusal fires `rtc-error` `unauthorized` and the call goes on) and is kept for the next rejoin
   * (after a dropped connection or a server restart), so give the room a fresh token before the
   * old one expires. Only a token that changes whether this member may send media (`publish`)
   * leaves and joins again.
   */
  @property() token = '';

  /** Do not send the camera (receive only, or audio only). */
  @property({ type: Boolean, attribute: 'no-video' }) noVideo = false;

  /** Do not send the microphone. */
  @property({ type: Boolean, attribute: 'no-audio' }) noAudio = false;

  /** Do not join by itself: wait for `join()`. */
  @property({ type: Boolean }) manual = false;

  /**
   * Members this room holds, 2 to 50, when this member creates it (the first to join decides for the
   * room's lifetime). The server's `ROOM_CAPACITY` wins; above its mesh size (with an SFU
   * configured) the room is an SFU room. Empty: the server's limit.
   */
  @property({ type: Number }) capacity?: number;

  /** `relay` forces every connection through TURN (for testing a TURN set-up, or hiding addresses). */
  @property({ attribute: 'ice-transport-policy' }) iceTransportPolicy: RTCIceTransportPolicy = 'all';

  /**
   * Signal over WebSocket only, never HTTP long-polling: for servers behind a load balancer
   * without sticky sessions (long-polling needs every request of a session on one node).
   */
  @property({ type: Boolean, attribute: 'websocket-only' }) websocketOnly = false;

  /** Milliseconds a peer connection may stay `new`/`connecting` before it is treated as failed (restarts, then `peer_unreachable`). */
  @property({ type: Number, attribute: 'connect-timeout' }) connectTimeout = 20_000;

  /**
   * The call's state, reflected for CSS: `idle`, `connecting` (also while the server cannot be
   * reached: it is tried again), `joined`, `reconnecting` (the server connection dropped; calls go
   * on) or `error`. Read-only.
   */
  @property({ reflect: true }) state: RoomStatus = 'idle';

  @provide({ context: roomContext })
  @state()
  private _roomState: RoomState = roomSnapshot(this, null, new RemoteSlots(documentOrder));

  /**
   * Set while the browser refuses to play the others' sound until the person interacts with the
   * page (autoplay policy); the `audio-prompt` shows, and the next click, tap or key press clears it.
   * Read-only.
   */
  @property({ type: Boolean, reflect: true, attribute: 'needs-gesture' }) needsGesture = false;

  private readonly _localize = new LocalizeController(this);
  private readonly _audio = new AudioPlaybackController(this, () => this.session?.media.selected.audiooutput ?? '');

  private readonly _call = new SessionController(this, {
    options: () => this.sessionOptions(),
    onChange: (session, failed) => this.sync(session, failed),
    onDetach: () => this._audio.reset(),
  });

  /**
   * The current session (the browser core's `RoomSession`), for scripts that need more than the
   * elements show: `getStats(peerId)`, `iceServers` with their expiry, `restartIce(peerId?)`.
   */
  get session(): RoomSession | null {
    return this._call.session;
  }

  /** The other members, in join order: `{ id, name, sub?, publish?, stream, connectionState, media }`. */
  get peers(): RemotePeer[] {
    return [...this._roomState.peers.values()];
  }

  /** Ids of the members whose sound is not played on this page (`setPeerMuted`). */
  get mutedPeers(): ReadonlySet<string> {
    return this._audio.mutedPeers;
  }

  /**
   * Stops or resumes playing one member's sound (only here; the member is not told).
   * `<rtc-remote-video muted>` does this for the member it shows.
   */
  setPeerMuted(peerId: string, muted: boolean): void {
    this._audio.setMuted(peerId, muted);
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
    const session = this.session;
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
  join(): Promise<void> {
    return this._call.join();
  }

  /**
   * Leaves the room and stops the camera and microphone. The room stays left (even without
   * `manual`) until `join()`, a changed attribute, or the element is put back in the page.
   */
  leave(): Promise<void> {
    return this._call.leave();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (!this.isConnected) return;
    this._call.update({
      ownerChanged: OWNER_PROPERTIES.some((key) => changed.has(key)),
      tokenChanged: changed.has('token'),
      autoJoin: !this.manual,
    });
  }

  protected override render() {
    // Every member's sound plays here, whether or not an element shows its video.
    return html`<div class="prompt" part="audio-prompt" ?hidden=${!this.needsGesture}>
        <slot name="audio-prompt"
          ><button type="button" part="audio-button" @click=${this._audio.onGesture}>${this._localize.words.startAudio}</button></slot
        >
      </div>
      <slot></slot>
      ${this._audio.render(this.peers)}`;
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
      peerConnectTimeout: this.connectTimeout > 0 ? this.connectTimeout : undefined,
    };
  }

  /** Publishes a fresh snapshot of the session to the children. */
  private sync(session: RoomSession | null, failed: boolean): void {
    this.state = failed ? 'error' : (session?.status ?? 'idle');
    this._roomState = roomSnapshot(this, session, this._roomState.slots);
    this._roomState.slots.setPeers([...this._roomState.peers.keys()]);
  }
}

/** Properties the page sets; a change to any of them ends a `leave()`'s stay-out. */
const OWNER_PROPERTIES = [
  'room',
  'server',
  'name',
  'noVideo',
  'noAudio',
  'manual',
  'capacity',
  'iceTransportPolicy',
  'connectTimeout',
] as const;

declare global {
  interface HTMLElementTagNameMap {
    'rtc-room': RtcRoomElement;
  }
}
