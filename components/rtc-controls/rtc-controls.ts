import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { RtcLeaveRequestEvent } from '../events.js';
import type { DeviceKind } from '../core/device-store.js';
import { icons } from '../internal/icons.js';
import { LocalizeController } from '../internal/localize.js';
import { RovingTabindexController } from '../internal/roving-tabindex.js';
import { englishStrings, type RtcStrings } from '../core/strings.js';
import type { MediaControls } from '../core/media-controls.js';
import { roomContext, type RoomState } from '../internal/room-context.js';
import { controlsStyles } from './rtc-controls.styles.js';

/** Every text `<rtc-controls>` shows or says; set `strings` to translate some or all of them. */
export interface RtcControlsStrings {
  /** The toolbar's accessible name. */
  toolbar: string;
  /** The microphone button (pressed while muted). */
  mute: string;
  /** The camera button (pressed while the camera is off). */
  camera: string;
  /** The screen-share button (pressed while sharing). */
  screen: string;
  /** The button that opens the device menu, and the menu's name. */
  devices: string;
  leave: string;
  videoinput: string;
  audioinput: string;
  audiooutput: string;
  /** A device without a readable label (before permission), followed by its number. */
  unnamedDevice: string;
}

/** The word of the element's language that each key of `strings` replaces. */
const CONTROLS_WORDS = {
  toolbar: 'controls',
  mute: 'muteMicrophone',
  camera: 'turnOffCamera',
  screen: 'shareScreen',
  devices: 'devices',
  leave: 'leaveCall',
  videoinput: 'camera',
  audioinput: 'microphone',
  audiooutput: 'speaker',
  unnamedDevice: 'device',
} as const satisfies Record<keyof RtcControlsStrings, keyof RtcStrings>;

/** The English texts (`registerStrings()` gives other languages). */
export const DEFAULT_CONTROLS_STRINGS: Readonly<RtcControlsStrings> = Object.freeze(
  Object.fromEntries(Object.entries(CONTROLS_WORDS).map(([key, word]) => [key, englishStrings[word]])) as unknown as RtcControlsStrings,
);

const DEVICE_KINDS: readonly DeviceKind[] = ['videoinput', 'audioinput', 'audiooutput'];

/**
 * A toolbar for the enclosing `<rtc-room>`: mute, camera, screen share, device menu and leave. Real
 * `<button>`s with `aria-pressed`, operable by keyboard and with a visible focus ring: the toolbar
 * is one Tab stop (a roving tabindex: Tab comes back to the button last used), the arrow keys,
 * Home and End move inside it, Enter and Space press, Escape closes the device menu.
 *
 * A receive-only member (its access token says `publish: false`) has nothing to mute, turn off or
 * share: the microphone, camera and screen-share buttons are not shown at all (rather than shown
 * disabled, which would read as "not now" when it is "never"), and the device menu offers only the
 * speaker. A member that may publish keeps all three: the microphone button is disabled while
 * there is no microphone, the camera and screen-share buttons with `no-video`; a camera that is
 * missing or refused shows as off, and pressing the button tries to open it again.
 *
 * @tagname rtc-controls
 * @summary Mute, camera, screen share, devices and leave buttons for a call.
 *
 * @slot mute-icon - Icon of the microphone button while the microphone is on.
 * @slot muted-icon - Icon of the microphone button while it is muted.
 * @slot camera-icon - Icon of the camera button while the camera is on.
 * @slot camera-off-icon - Icon of the camera button while the camera is off.
 * @slot screen-icon - Icon of the screen-share button.
 * @slot devices-icon - Icon of the device-menu button.
 * @slot leave-icon - Icon of the leave button.
 *
 * @csspart toolbar - The row of buttons (`role="toolbar"`).
 * @csspart button - Every button; each also has its own part below.
 * @csspart mute-button - The microphone button.
 * @csspart camera-button - The camera button.
 * @csspart screen-button - The screen-share button.
 * @csspart devices-button - The button that opens the device menu.
 * @csspart leave-button - The leave button.
 * @csspart label - The text under each button's icon.
 * @csspart device-menu - The device menu (camera, microphone and speaker choices).
 * @csspart device-select - Each `<select>` in the device menu.
 *
 * @fires {RtcLeaveRequestEvent} rtc-leave-request - The leave button was pressed; cancelable (cancel it to keep the call).
 *
 * @cssproperty [--rtc-controls-background=#202124] - Background of the toolbar and device menu.
 * @cssproperty [--rtc-controls-color=#e8eaed] - Text and icon colour.
 * @cssproperty [--rtc-controls-button-background=#3c4043] - Background of a button.
 * @cssproperty [--rtc-controls-pressed-background=#d93025] - Background of a pressed button (muted, camera off, sharing).
 * @cssproperty [--rtc-controls-leave-background=#b3261e] - Background of the leave button.
 * @cssproperty [--rtc-controls-focus-color=#8ab4f8] - The keyboard focus ring.
 * @cssproperty [--rtc-controls-gap=8px] - Space between buttons.
 */
export class RtcControlsElement extends LitElement {
  static override styles = controlsStyles;

  /** Replaces some or all texts; missing keys keep the words of the element's language. */
  @property({ attribute: false }) strings: Partial<RtcControlsStrings> = {};

  /** The element's language; `strings` wins. */
  private readonly _localize = new LocalizeController(this, () =>
    Object.fromEntries(Object.entries(CONTROLS_WORDS).map(([key, word]) => [word, this.strings[key as keyof RtcControlsStrings]])),
  );

  @consume({ context: roomContext, subscribe: true })
  @state()
  private _room?: RoomState;

  @state() private _menuOpen = false;
  private readonly _toolbar = new RovingTabindexController(this, '.toolbar button');

  /** The media controls whose device list is being listened to. */
  private _media: MediaControls | null = null;
  private readonly _onDevices = () => this.requestUpdate();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._listen(null);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this._listen((this.isConnected && this._room?.session?.media) || null);
  }

  private _listen(media: MediaControls | null): void {
    if (media === this._media) return;
    this._media?.removeEventListener('devices', this._onDevices);
    this._media = media;
    media?.addEventListener('devices', this._onDevices);
  }

  protected override render() {
    const w = this._localize.words;
    const session = this._room?.session ?? null;
    const media = session?.media;
    const state = media?.state ?? { audio: false, video: false, screen: false };
    // Outside a room nothing is known yet: every button is shown, disabled.
    const publishes = session?.publish !== false;
    const hasMic = !!media?.stream?.getAudioTracks().length;
    const canVideo = !!session?.publish && session.options.sendVideo;
    const canShare = canVideo && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
    const muted = hasMic && !state.audio;
    const cameraOff = canVideo && !state.video;
    const kinds = DEVICE_KINDS.filter((kind) => (kind === 'audiooutput' ? 'setSinkId' in HTMLMediaElement.prototype : publishes));
    return html`
      <div
        class="toolbar"
        part="toolbar"
        role="toolbar"
        aria-label=${w.controls}
        @keydown=${this._toolbar.onKeyDown}
        @focusin=${this._toolbar.onFocusIn}
      >
        ${
          publishes
            ? html`${this._button(
                'mute',
                w.muteMicrophone,
                muted,
                !hasMic,
                muted ? 'muted-icon' : 'mute-icon',
                muted ? icons.micOff : icons.mic,
                () => media?.setAudioEnabled(muted),
              )}
              ${this._button(
                'camera',
                w.turnOffCamera,
                cameraOff,
                !canVideo,
                cameraOff ? 'camera-off-icon' : 'camera-icon',
                cameraOff ? icons.cameraOff : icons.camera,
                () => media?.setVideoEnabled(cameraOff),
              )}
              ${this._button('screen', w.shareScreen, state.screen, !canShare, 'screen-icon', icons.screen, () =>
                state.screen ? media?.stopScreenShare() : media?.startScreenShare(),
              )}`
            : nothing
        }
        <button
          part="button devices-button"
          data-name="devices"
          aria-label=${w.devices}
          aria-expanded=${this._menuOpen ? 'true' : 'false'}
          aria-controls="menu"
          ?disabled=${!media || !kinds.length}
          @click=${() => (this._menuOpen = !this._menuOpen)}
        >
          <slot name="devices-icon">${icons.devices}</slot><span part="label">${w.devices}</span>
        </button>
        <button
          class="leave"
          part="button leave-button"
          data-name="leave"
          aria-label=${w.leaveCall}
          ?disabled=${!session}
          @click=${this._leave}
        >
          <slot name="leave-icon">${icons.leave}</slot><span part="label">${w.leaveCall}</span>
        </button>
      </div>
      <div
        id="menu"
        class="menu"
        part="device-menu"
        role="group"
        aria-label=${w.devices}
        ?hidden=${!this._menuOpen || !media || !kinds.length}
        @keydown=${this._onMenuKey}
      >
        ${media ? kinds.map((kind) => this._deviceSelect(media, kind, w)) : nothing}
      </div>
    `;
  }

  private _button(name: string, label: string, pressed: boolean, disabled: boolean, slot: string, icon: unknown, action: () => unknown) {
    const run = () => void Promise.resolve(action()).catch(() => {}); // failures arrive as rtc-error from the room
    return html`<button
      part="button ${name}-button"
      data-name=${name}
      aria-label=${label}
      aria-pressed=${pressed ? 'true' : 'false'}
      ?disabled=${disabled}
      @click=${run}
    >
      <slot name=${slot}>${icon}</slot><span part="label">${label}</span>
    </button>`;
  }

  private _deviceSelect(media: MediaControls, kind: DeviceKind, w: RtcStrings) {
    const devices = media.devices.filter((d) => d.kind === kind);
    const selected = media.selected[kind] ?? devices[0]?.deviceId ?? '';
    const choose = (e: Event) => void media.selectDevice(kind, (e.target as HTMLSelectElement).value).catch(() => {});
    return html`<label
      >${w[CONTROLS_WORDS[kind]]}
      <select part="device-select" data-kind=${kind} ?disabled=${!devices.length} @change=${choose}>
        ${devices.map(
          (d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === selected}>${d.label || `${w.device} ${i + 1}`}</option>`,
        )}
      </select></label
    >`;
  }

  private readonly _leave = () => {
    if (!this.dispatchEvent(new RtcLeaveRequestEvent())) return;
    this._menuOpen = false;
    void this._room?.room?.leave();
  };

  private readonly _onMenuKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    this._menuOpen = false;
    this.renderRoot.querySelector<HTMLButtonElement>('[part~="devices-button"]')?.focus();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-controls': RtcControlsElement;
  }
}
