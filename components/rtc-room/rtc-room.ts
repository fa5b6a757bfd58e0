import { provide } from '@lit/context';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import type { RtcErrorDetail } from '../events.js';
import { RtcErrorEvent, RtcJoinedEvent, RtcLeftEvent, RtcPeerJoinedEvent, RtcPeerLeftEvent } from '../events.js';
import { RtcError } from '../internal/errors.js';
import { RemoteSlots, type RemoteSlot } from '../internal/remote-slots.js';
import { roomContext, type RoomState } from '../internal/room-context.js';
import { RoomSession, type RemotePeer, type RoomSessionOptions, type RoomStatus } from '../internal/room-session.js';

/**
 * A video call room. Joins `room` on the signaling server when it is in the page (unless `manual`),
 * sends the camera and microphone, and shares the call with the `<rtc-local-video>` and
 * `<rtc-remote-video>` elements inside it.
 *
 * @tagname rtc-room
 * @summary A live video call: put `<rtc-local-video>` and `<rtc-remote-video>` inside.
 *
 * @slot - The call's layout: `<rtc-local-video>`, `<rtc-remote-video>` and any other content.
 *
 * @fires {RtcJoinedEvent} rtc-joined - The room was joined; `detail` is `{ id, room, peers }`.
 * @fires {RtcLeftEvent} rtc-left - The room was left; `detail` is `{ room }`.
 * @fires {RtcPeerJoinedEvent} rtc-peer-joined - Another member came in; `detail.peer` is `{ id, name }`.
 * @fires {RtcPeerLeftEvent} rtc-peer-left - Another member left; `detail.peer` is `{ id, name }`.
 * @fires {RtcErrorEvent} rtc-error - Something failed; `detail` is `{ code, message }`, e.g. `room_full`, `unauthorized` (the access token was refused), `media_denied`, `autoplay_blocked` (sound starts at the next click or key press).
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
   * value leaves and joins again with it (tokens are checked at join).
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
   * room's lifetime). The server's own limit wins. Empty: the server's limit.
   */
  @property({ type: Number }) capacity?: number;

  /** `relay` forces every connection through TURN (for testing a TURN set-up, or hiding addresses). */
  @property({ attribute: 'ice-transport-policy' }) iceTransportPolicy: RTCIceTransportPolicy = 'all';

  /** The call's state, reflected for CSS: `idle`, `connecting`, `joined` or `error`. Read-only. */
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

  /** Members whose sound is not played (`setPeerMuted`). */
  @state() private _mutedPeers: ReadonlySet<string> = new Set();
  private _audioBlocked = false;

  private _session: RoomSession | null = null;
  private _unbind: (() => void) | null = null;

  /** The current session (the browser core), for scripts that need more than the elements show. */
  get session(): RoomSession | null {
    return this._session;
  }

  /** The other members, in join order (`{ id, name, sub?, publish?, stream, connectionState }`). */
  get peers(): RemotePeer[] {
    return [...this._roomState.peers.values()];
  }

  /** Ids of the members whose sound is not played. */
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
    const session = new RoomSession(this.sessionOptions());
    this.bind(session);
    try {
      await session.join();
    } catch (error) {
      if (this._session === session && error instanceof RtcError) this.fail(error);
      throw error;
    }
  }

  /** Leaves the room and stops the camera and microphone. */
  async leave(): Promise<void> {
    const session = this._session;
    if (!session) return;
    const wasJoined = session.status === 'joined';
    this._unbind?.();
    this._unbind = null;
    this._session = null;
    await session.leave();
    this.sync(null);
    if (wasJoined) this.dispatchEvent(new RtcLeftEvent({ room: session.options.room }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopWaitingForGesture();
    void this.leave();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back in the page after a move: join again (updated() only runs on property changes).
    if (this.hasUpdated) this.requestUpdate();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (!this.isConnected) return;
    if (!this._audioBlocked) this.playAudio();
    const session = this._session;
    const wanted = this.sessionOptions();
    if (session && !sameOptions(session.options, wanted)) {
      if (this.room) this.join().catch(() => {});
      else void this.leave();
    } else if (!session && !this.manual && this.room) {
      this.join().catch(() => {});
    }
  }

  protected override render() {
    // Every member's sound plays here, whether or not an element shows its video.
    return html`<slot></slot>
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

  private onPlayRejected(error: DOMException): void {
    if (error.name !== 'NotAllowedError' || this._audioBlocked) return;
    // Sound needs a user gesture: try again on the first click or key press.
    this._audioBlocked = true;
    document.addEventListener('pointerdown', this.onGesture, { capture: true });
    document.addEventListener('keydown', this.onGesture, { capture: true });
    this.report(new RtcError('autoplay_blocked', 'The browser blocked sound until the page is clicked', { cause: error }));
  }

  private readonly onGesture = () => {
    this.stopWaitingForGesture();
    this._audioBlocked = false;
    this.playAudio();
  };

  private stopWaitingForGesture(): void {
    document.removeEventListener('pointerdown', this.onGesture, { capture: true });
    document.removeEventListener('keydown', this.onGesture, { capture: true });
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
    session.addEventListener('change', onChange);
    session.addEventListener('joined', onJoined);
    session.addEventListener('peer-joined', onPeerJoined);
    session.addEventListener('peer-left', onPeerLeft);
    session.addEventListener('error', onError);
    this._unbind = () => {
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
    this.dispatchEvent(new RtcErrorEvent(detail));
  }
}

function sameOptions(a: Readonly<RoomSessionOptions>, b: RoomSessionOptions): boolean {
  return (Object.keys(b) as (keyof RoomSessionOptions)[]).every((key) => a[key] === b[key]);
}
