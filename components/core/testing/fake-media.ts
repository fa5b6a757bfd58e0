import type { MediaState } from '../../../protocol/index.js';
import type { RtcError } from '../errors.js';
import { MediaControls, type MediaControlsOptions } from '../media-controls.js';

/** Local media without devices: `open()` resolves with `openError`, and the test sets the state. */
export class FakeMedia extends MediaControls {
  readonly fakeOptions: MediaControlsOptions;
  fakeState: MediaState = { audio: true, video: true, screen: false };
  openError: RtcError | null = null;
  opened = false;
  closed = false;

  constructor(options: MediaControlsOptions) {
    super(options);
    this.fakeOptions = options;
  }

  override get state(): MediaState {
    return this.fakeState;
  }
  override get stream(): MediaStream | null {
    return null;
  }
  override async open(): Promise<RtcError | null> {
    this.opened = true;
    return this.openError;
  }
  override close(): void {
    this.closed = true;
  }

  /** The member mutes, turns the camera off, shares the screen... (fires `change`). */
  set(state: Partial<MediaState>): void {
    this.fakeState = { ...this.fakeState, ...state };
    this.dispatchEvent(new Event('change'));
  }
}
