import { consume } from '@lit/context';
import { LitElement, html, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { roomContext, type RoomState } from '../internal/room-context.js';
import type { RoomSession } from '../core/room-session.js';
import { LocalizeController } from '../internal/localize.js';
import { TokenBuckets } from '../core/token-bucket.js';
import { chatStyles } from './rtc-chat.styles.js';

/** One line of the chat. `from` is null for this member's own messages. */
export interface RtcChatMessage {
  readonly seq: number;
  readonly from: { id: string; name: string } | null;
  readonly text: string;
  /** When it was sent or received (ms since the epoch). */
  readonly at: number;
  /** A line the chat wrote itself: lines from `from` left out because they came too fast. */
  readonly notice?: boolean;
}

/** The longest chat message, in characters. */
const MAX_TEXT_LENGTH = 2_000;
/** Lines shown per member: a burst, then a steady rate; the rest are counted in one notice. */
const PER_MEMBER = { burst: 30, perSecond: 5 };
/** How long after the first line left out its notice is shown (counting the others left out meanwhile). */
const NOTICE_MS = 500;
/** Incoming lines are shown once per animation frame, or after this long when frames do not run (a hidden tab). */
const BATCH_MS = 100;

/** Chat messages travel as `{ "rtc-chat": text }` through `send()`, apart from the app's own messages. */
function chatText(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const text = (data as Record<string, unknown>)['rtc-chat'];
  return typeof text === 'string' ? text.slice(0, MAX_TEXT_LENGTH) : null;
}

/**
 * A text chat with the other members of the enclosing `<rtc-room>`, peer to peer over the calls'
 * data channels (the server never sees it). Messages typed while someone's connection is still
 * opening reach them once it opens. Put it anywhere inside `<rtc-room>`. A member sending faster
 * than 30 lines at once then 5 a second gets, instead of the extra lines, a notice saying how many
 * were left out, and incoming lines are shown together once per frame, so that a flood cannot
 * freeze the page (3,000 lines of 2,000 characters: no task over 200 ms).
 *
 * @tagname rtc-chat
 * @summary A text chat for the room.
 *
 * @csspart log - The list of messages (`role="log"`, read out politely by screen readers).
 * @csspart message - One message; yours also have the part `own`.
 * @csspart own - Your own messages.
 * @csspart notice - A line saying how many messages from a member were left out (sent too fast).
 * @csspart sender - The sender's name in a message.
 * @csspart text - The text of a message.
 * @csspart form - The form with the input and the button.
 * @csspart input - The text input.
 * @csspart send-button - The send button.
 *
 * @cssproperty [--rtc-chat-height=16em] - Height of the message list.
 * @cssproperty [--rtc-chat-background=#fff] - Background of the message list.
 * @cssproperty [--rtc-chat-own-color=#1a73e8] - Colour of your own name.
 */
export class RtcChatElement extends LitElement {
  static override styles = chatStyles;

  /** Accessible name of the message list. Default: "Chat" in the element's language. */
  @property() label?: string;
  /** Placeholder and accessible name of the input. Default: "Message" in the element's language. */
  @property() placeholder?: string;
  /** Text of the send button. Default: "Send" in the element's language. */
  @property({ attribute: 'send-label' }) sendLabel?: string;
  /** Shown as the sender of your own messages. Default: "You" in the element's language. */
  @property({ attribute: 'you-label' }) youLabel?: string;
  /** Shown for a member without a name. Default: "Guest" in the element's language. */
  @property({ attribute: 'unnamed-label' }) unnamedLabel?: string;
  /** Messages kept; older ones are dropped. */
  @property({ type: Number, attribute: 'max-messages' }) maxMessages = 200;

  @consume({ context: roomContext, subscribe: true })
  @state()
  private _room?: RoomState;

  @state() private _messages: readonly RtcChatMessage[] = [];
  /** The element's language; its label attributes win. */
  private readonly _localize = new LocalizeController(this, () => ({
    chat: this.label,
    message: this.placeholder,
    send: this.sendLabel,
    you: this.youLabel,
    guest: this.unnamedLabel,
  }));
  @query('ol') private _log!: HTMLOListElement;
  @query('input') private _input!: HTMLInputElement;
  private _session: RoomSession | null = null;
  private _seq = 0;
  private readonly _buckets = new TokenBuckets(PER_MEMBER);
  /** Per member, the lines left out since the last notice. */
  private readonly _dropped = new Map<string, { from: { id: string; name: string }; count: number }>();
  private _notice: ReturnType<typeof setTimeout> | undefined;
  /** Incoming lines not shown yet: they go into the log together, at the next frame. */
  private _incoming: RtcChatMessage[] = [];
  private _batch: { frame: number; timer: ReturnType<typeof setTimeout> } | undefined;

  /** The conversation so far, oldest first. */
  get messages(): readonly RtcChatMessage[] {
    return this._messages;
  }

  /**
   * Sends a chat message to everyone in the room and shows it. Returns false when not in a room
   * or the text is empty.
   */
  sendMessage(text: string): boolean {
    const clean = text.trim().slice(0, MAX_TEXT_LENGTH);
    const session = this._room?.session;
    const status = this._room?.status;
    if (!clean || !session || !(status === 'joined' || status === 'reconnecting')) return false;
    session.send({ 'rtc-chat': clean });
    this.add([this.line(null, clean)]);
    return true;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('_room' as keyof RtcChatElement) && this.isConnected) this.bindSession(this._room?.session ?? null);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.bindSession(this._room?.session ?? null);
  }

  /**
   * Stays bound while out of the page: when the room is being moved (a layout change, a framework
   * re-render), lines that arrive in the meantime still reach the log. It lets go when the room
   * hands it another session (or none), or when the session ends while this element is out.
   */
  private bindSession(session: RoomSession | null): void {
    if (session === this._session) return;
    this._session?.removeEventListener('message', this.onMessage);
    this._session?.removeEventListener('change', this.onSessionChange);
    this._session = session;
    session?.addEventListener('message', this.onMessage);
    session?.addEventListener('change', this.onSessionChange);
  }

  private readonly onSessionChange = () => {
    // In the page, the room's context says when its session goes; out of it, nothing else will.
    const status = this._session?.status;
    if (!this.isConnected && (status === 'idle' || status === 'error')) this.bindSession(null);
  };

  private readonly onMessage = (event: CustomEvent<{ peer: { id: string; name: string }; data: unknown }>) => {
    const text = chatText(event.detail.data);
    if (text === null) return;
    const from = event.detail.peer;
    if (this._buckets.take(from.id)) return this.queue(this.line(from, text));
    const dropped = this._dropped.get(from.id) ?? { from, count: 0 };
    dropped.count += 1;
    this._dropped.set(from.id, dropped);
    this._notice ??= setTimeout(() => this.showNotices(), NOTICE_MS);
  };

  private line(from: RtcChatMessage['from'], text: string, notice = false): RtcChatMessage {
    return { seq: ++this._seq, from, text, at: Date.now(), ...(notice ? { notice } : {}) };
  }

  /** Shows a notice per member whose lines were left out. */
  private showNotices(): void {
    this._notice = undefined;
    const words = this._localize.words;
    const lines = [...this._dropped.values()].map(({ from, count }) =>
      this.line(from, this._localize.term('chatDropped', { count, name: from.name || words.guest }), true),
    );
    this._dropped.clear();
    this.add(lines);
  }

  /**
   * Holds an incoming line for the next frame: a burst of lines costs one render and one layout
   * (the log scrolls to its end), not one per line, so a flood never blocks the page for long.
   */
  private queue(line: RtcChatMessage): void {
    this._incoming.push(line);
    if (this._batch) return;
    const flush = () => {
      if (!this._batch) return;
      cancelAnimationFrame(this._batch.frame);
      clearTimeout(this._batch.timer);
      this._batch = undefined;
      const lines = this._incoming;
      this._incoming = [];
      this.add(lines);
    };
    this._batch = { frame: requestAnimationFrame(flush), timer: setTimeout(flush, BATCH_MS) };
  }

  private add(lines: readonly RtcChatMessage[]): void {
    const keep = Math.max(1, this.maxMessages);
    const next = this._messages.length + lines.length > keep ? [...this._messages, ...lines].slice(-keep) : [...this._messages, ...lines];
    this._messages = next;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.sendMessage(this._input.value)) this._input.value = '';
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('_messages')) this._log.scrollTop = this._log.scrollHeight;
  }

  protected override render() {
    const status = this._room?.status;
    const inRoom = status === 'joined' || status === 'reconnecting';
    const words = this._localize.words;
    return html`
      <ol part="log" role="log" aria-live="polite" aria-label=${words.chat} tabindex="0">
        ${repeat(
          this._messages,
          (m) => m.seq,
          (m) =>
            m.notice
              ? html`<li part="message notice" class="notice"><span part="text">${m.text}</span></li>`
              : html`<li part=${m.from ? 'message' : 'message own'} class=${m.from ? '' : 'own'}>
                  <span class="sender" part="sender">${m.from ? m.from.name || words.guest : words.you}</span
                  ><span part="text">${m.text}</span>
                </li>`,
        )}
      </ol>
      <form part="form" @submit=${this.onSubmit}>
        <input
          part="input"
          type="text"
          maxlength=${MAX_TEXT_LENGTH}
          autocomplete="off"
          placeholder=${words.message}
          aria-label=${words.message}
          ?disabled=${!inRoom}
        />
        <button part="send-button" type="submit" ?disabled=${!inRoom}>${words.send}</button>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-chat': RtcChatElement;
  }
}
