import { LitElement, html } from 'lit';
import { property, state } from 'lit/decorators.js';
import { RtcPreflightEvent } from '../events.js';
import { describeCheck, describeVerdict, runPreflight, type CheckResult, type PreflightResult } from '../core/preflight.js';
import { LocalizeController } from '../internal/localize.js';
import type { RtcStrings } from '../core/strings.js';
import { preflightStyles } from './rtc-preflight.styles.js';

const CHECKS = [
  ['signaling', 'callServer'],
  ['network', 'network'],
  ['camera', 'camera'],
  ['microphone', 'microphone'],
] as const satisfies ReadonlyArray<readonly [keyof PreflightResult, keyof RtcStrings]>;

/**
 * Checks, before joining, what a call needs and says whether it will work: the camera and the
 * microphone, the signaling server, and the network paths (direct, STUN, TURN over UDP, TCP or TLS)
 * with the room's own ICE servers. It never joins the room. The result is also an object for
 * scripts (`result`, the `rtc-preflight` event).
 *
 * @tagname rtc-preflight
 * @summary A "check my setup" panel with a verdict.
 *
 * @fires {RtcPreflightEvent} rtc-preflight - A check finished; `detail` is the `PreflightResult` (`verdict`, `reason`, `camera`, `microphone`, `signaling`, `network`).
 *
 * @csspart run-button - The button that starts a check.
 * @csspart checks - The list of checks.
 * @csspart check - One check; it also has the part of its status: `ok`, `warning`, `failed` or `skipped`.
 * @csspart verdict - The verdict and its reason.
 *
 * @cssproperty [--rtc-preflight-ok=#188038] - Colour of what works.
 * @cssproperty [--rtc-preflight-warning=#b06000] - Colour of caveats.
 * @cssproperty [--rtc-preflight-failed=#c5221f] - Colour of what does not work.
 */
export class RtcPreflightElement extends LitElement {
  static override styles = preflightStyles;

  /** The signaling server's URL. Empty: the page's own origin. */
  @property() server = '';
  /** The room whose STUN/TURN servers are checked. */
  @property() room = '';
  /**
   * The access token a join into `room` would need, on servers that require one (the same as
   * `<rtc-room token>`). Without it such a server answers `unauthorized`, and the verdict says so.
   */
  @property() token = '';
  /** Do not check the camera. */
  @property({ type: Boolean, attribute: 'no-video' }) noVideo = false;
  /** Do not check the microphone. */
  @property({ type: Boolean, attribute: 'no-audio' }) noAudio = false;
  /**
   * The camera to check, by device id (`enumerateDevices()`). Empty: the camera chosen earlier on
   * this origin (the one a call opens), else the browser's default. An id that does not exist
   * gives `no_device`; the default is not checked in its place.
   */
  @property({ attribute: 'camera-id' }) cameraId = '';
  /** The microphone to check, by device id, as `camera-id` does for the camera. */
  @property({ attribute: 'microphone-id' }) microphoneId = '';
  /** Run the check as soon as the element is in the page. */
  @property({ type: Boolean }) auto = false;
  /** Set while a check runs. Read-only. */
  @property({ type: Boolean, reflect: true }) running = false;
  /** The last check's verdict (`ok`, `warning`, `failed`), reflected for CSS. Read-only. */
  @property({ reflect: true }) verdict: PreflightResult['verdict'] | '' = '';

  @state() private _result: PreflightResult | null = null;
  private readonly _localize = new LocalizeController(this);
  private _run: Promise<PreflightResult> | null = null;

  /** The last check's result, or null. */
  get result(): PreflightResult | null {
    return this._result;
  }

  /** Runs the checks (once at a time) and resolves with the result. Never rejects. */
  run(): Promise<PreflightResult> {
    this._run ??= (async () => {
      this.running = true;
      try {
        const result = await runPreflight({
          server: this.server || undefined,
          room: this.room || 'preflight',
          token: this.token || undefined,
          video: !this.noVideo,
          audio: !this.noAudio,
          cameraId: this.cameraId || undefined,
          microphoneId: this.microphoneId || undefined,
        });
        this._result = result;
        this.verdict = result.verdict;
        this.dispatchEvent(new RtcPreflightEvent(result));
        return result;
      } finally {
        this.running = false;
        this._run = null;
      }
    })();
    return this._run;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.auto && !this._result) void this.run();
  }

  protected override render() {
    const words = this._localize.words;
    const result = this._result;
    const verdictWord = result
      ? words[result.verdict === 'ok' ? 'verdictOk' : result.verdict === 'warning' ? 'verdictWarning' : 'verdictFailed']
      : '';
    return html`
      <button part="run-button" type="button" ?disabled=${this.running} @click=${() => void this.run()}>
        ${this.running ? words.checking : words.checkSetup}
      </button>
      ${
        result
          ? html`<ul part="checks" aria-label=${words.checkSetup}>
                ${CHECKS.map(([key, word]) => {
                  const check = result[key] as CheckResult;
                  return html`<li part="check ${check.status}" class=${check.status} data-check=${key}>
                    <span class="name">${words[word]}</span><span class="detail">${describeCheck(words, key, check)}</span>
                  </li>`;
                })}
              </ul>
              <p part="verdict" class=${result.verdict} role="status">
                <strong>${verdictWord}</strong>${words.separator}${describeVerdict(words, result)}
              </p>`
          : ''
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-preflight': RtcPreflightElement;
  }
}
