import type { MediaState } from '../../protocol/index.js';
import { deviceStore, type DeviceKind } from './device-store.js';
import { mediaError, RtcError } from './errors.js';
import { mediaConstraints, openLocalMedia } from './local-media.js';
import { TypedEventTarget } from './typed-event-target.js';

export interface MediaControlsOptions {
  /** Whether the microphone is sent at all (`no-audio`, or a receive-only token, turns it off for good). */
  audio: boolean;
  /**
   * Whether video is sent at all (`no-video`, or a receive-only token, turns it off for good): without
   * it neither the camera nor a screen share can be started.
   */
  video: boolean;
}

export interface MediaControlsEventMap {
  /** `stream`, `state` or `selected` changed. */
  change: Event;
  /** The device list changed (`devicechange`, or labels became readable after permission). */
  devices: Event;
  /** A device could not be opened; what was there before stays. */
  error: CustomEvent<RtcError>;
}

/**
 * This member's camera, microphone and screen, and what of them is sent. No DOM, no renegotiation:
 * a {@link PeerLink} puts whatever `stream` holds on its transceivers with `replaceTrack`.
 *
 * - Microphone mute sets `track.enabled = false`: the peer receives silence, the microphone stays
 *   open, so unmuting is instant and needs no new permission.
 * - Camera off **stops** the camera track (the camera light goes off, which is what people expect
 *   of "camera off") and the sender gets no track; camera on opens it again.
 * - A screen share takes the camera's place in `stream` (the same video sender, so nobody
 *   renegotiates and a mesh does not carry two videos per member). The camera keeps running
 *   underneath, so ending the share (here or with the browser's own "stop sharing") brings the
 *   camera back at once.
 * - Device choices are remembered per origin ({@link deviceStore}) and followed on `devicechange`:
 *   a camera or microphone that appears while none is open (the member joined with `no_device`, or
 *   the one in use was pulled out with nothing to fall back on) is opened and sent.
 * - `stream` is one MediaStream for the whole call: mute, speaker choice and the like leave it as it
 *   is, and a new camera, microphone or screen is swapped into it (`removeTrack`/`addTrack`), so a
 *   `<video>` showing it never reloads.
 */
export class MediaControls extends TypedEventTarget<MediaControlsEventMap> {
  readonly #options: MediaControlsOptions;
  #mic: MediaStreamTrack | null = null;
  #camera: MediaStreamTrack | null = null;
  #screen: MediaStreamTrack | null = null;
  /** What is sent; the same object for the whole call (tracks are swapped in and out of it). */
  #stream: MediaStream | null = null;
  /** The camera should be on (it was not turned off): a camera that appears on `devicechange` is opened. */
  #cameraWanted: boolean;
  #devices: MediaDeviceInfo[] = [];
  #speaker: string | null = deviceStore.load('audiooutput');
  #error: RtcError | null = null;
  #closed = false;
  /** Device operations run one at a time, so two quick clicks cannot open two cameras. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: MediaControlsOptions) {
    super();
    this.#options = options;
    this.#cameraWanted = options.video;
  }

  /**
   * What is sent: the microphone and the screen or camera; null when empty. The same MediaStream
   * for the whole call: tracks are swapped in and out of it (`addtrack`/`removetrack`).
   */
  get stream(): MediaStream | null {
    return this.#stream?.getTracks().length ? this.#stream : null;
  }

  /** What the others are told through `media-state`. */
  get state(): MediaState {
    return { audio: !!this.#mic?.enabled, video: !!this.#camera, screen: !!this.#screen };
  }

  /**
   * Why the camera or microphone asked for at the start is missing (`media_denied`, `no_device`, ...);
   * null: all there (also once devices that appeared later were opened).
   */
  get error(): RtcError | null {
    return this.#error;
  }

  /** Cameras, microphones and speakers (labels are empty until a permission was granted). */
  get devices(): readonly MediaDeviceInfo[] {
    return this.#devices;
  }

  /** The device id in use (or chosen, for the speaker) per kind; null: the browser's default. */
  get selected(): Readonly<Record<DeviceKind, string | null>> {
    return {
      audioinput: this.#mic?.getSettings().deviceId ?? deviceStore.load('audioinput'),
      videoinput: this.#camera?.getSettings().deviceId ?? deviceStore.load('videoinput'),
      audiooutput: this.#speaker,
    };
  }

  /** Opens the camera and microphone asked for (remembered devices first). Resolves with what failed, or null. */
  async open(): Promise<RtcError | null> {
    const { stream, error } = await openLocalMedia({
      ...this.#options,
      audioDeviceId: deviceStore.load('audioinput'),
      videoDeviceId: deviceStore.load('videoinput'),
    });
    if (this.#closed) {
      for (const track of stream?.getTracks() ?? []) track.stop();
      return null;
    }
    this.#error = error;
    this.#mic = this.#watch(stream?.getAudioTracks()[0] ?? null);
    this.#camera = this.#watch(stream?.getVideoTracks()[0] ?? null);
    navigator.mediaDevices?.addEventListener('devicechange', this.#onDeviceChange);
    this.#changed();
    await this.#refreshDevices();
    return error;
  }

  /** Mutes (false) or unmutes the microphone. */
  setAudioEnabled(enabled: boolean): void {
    if (!this.#mic || this.#mic.enabled === enabled) return;
    this.#mic.enabled = enabled;
    this.#changed();
  }

  /**
   * Turns the camera off (stopping it) or on again (opening the chosen camera). Turning it on
   * rejects with `media_denied` for a member that sends no video (receive-only or `no-video`).
   */
  setVideoEnabled(enabled: boolean): Promise<void> {
    return this.#serial(async () => {
      if (!enabled) {
        this.#cameraWanted = false;
        this.#camera?.stop();
        this.#camera = null;
        return this.#changed();
      }
      this.#refuseVideo('The camera');
      this.#cameraWanted = true;
      if (this.#camera) return;
      const remembered = deviceStore.load('videoinput');
      this.#camera = await this.#openTrack('videoinput', remembered, true).catch((error: RtcError) =>
        remembered && error.code === 'no_device' ? this.#openTrack('videoinput', null, false) : Promise.reject(error),
      );
      this.#changed();
    });
  }

  /**
   * Shares a screen, window or tab (the browser asks which) in place of the camera; its sound is
   * not sent. Rejects with an RtcError and leaves the camera as it was: `media_denied` when the
   * person cancels, or without asking when this member sends no video (receive-only or `no-video`).
   */
  startScreenShare(): Promise<void> {
    return this.#serial(async () => {
      if (this.#screen) return;
      this.#refuseVideo('A screen share');
      if (!navigator.mediaDevices?.getDisplayMedia) throw new RtcError('media_failed', 'Screen sharing is not supported here');
      let stream: MediaStream;
      try {
        stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      } catch (cause) {
        throw mediaError(cause);
      }
      const track = stream.getVideoTracks()[0]!;
      if (this.#closed) return track.stop();
      // The browser's own "stop sharing" ends the track.
      track.addEventListener('ended', () => void this.stopScreenShare(), { once: true });
      this.#screen = track;
      this.#changed();
    });
  }

  /** Ends the screen share; the camera (if on) is sent again. */
  stopScreenShare(): Promise<void> {
    return this.#serial(async () => {
      if (!this.#screen) return;
      this.#screen.stop();
      this.#screen = null;
      this.#changed();
    });
  }

  /**
   * Uses another camera, microphone or speaker and remembers it for this origin. A camera or
   * microphone in use is switched mid-call (the new track replaces the old, no renegotiation).
   */
  selectDevice(kind: DeviceKind, deviceId: string): Promise<void> {
    return this.#serial(async () => {
      deviceStore.save(kind, deviceId);
      if (kind === 'audiooutput') {
        this.#speaker = deviceId;
        return this.#changed();
      }
      const current = kind === 'audioinput' ? this.#mic : this.#camera;
      if (!current || current.getSettings().deviceId === deviceId) return this.#changed();
      await this.#switchTo(kind, deviceId, true);
    });
  }

  /** Stops every track and stops listening for device changes. */
  close(): void {
    this.#closed = true;
    navigator.mediaDevices?.removeEventListener('devicechange', this.#onDeviceChange);
    for (const track of [this.#mic, this.#camera, this.#screen]) track?.stop();
    this.#mic = this.#camera = this.#screen = null;
    this.#stream = null;
  }

  /** Throws `media_denied` when this member may not send video (a receive-only token, `no-video`, or closed). */
  #refuseVideo(what: string): void {
    if (this.#closed)
      throw new RtcError('media_denied', `${what} cannot start: this member no longer sends media (it left, or is receive-only)`);
    if (!this.#options.video) {
      throw new RtcError('media_denied', `${what} cannot start: this member sends no video (a receive-only access token, or no-video)`);
    }
  }

  /** Replaces the microphone or camera with a freshly opened one (keeping the microphone's mute). */
  async #switchTo(kind: 'audioinput' | 'videoinput', deviceId: string | null, exact: boolean): Promise<void> {
    const track = await this.#openTrack(kind, deviceId, exact);
    if (kind === 'audioinput') {
      track.enabled = this.#mic?.enabled ?? true;
      this.#mic?.stop();
      this.#mic = track;
    } else {
      this.#camera?.stop();
      this.#camera = track;
    }
    this.#changed();
  }

  async #openTrack(kind: 'audioinput' | 'videoinput', deviceId: string | null, exact: boolean): Promise<MediaStreamTrack> {
    const type = kind === 'audioinput' ? 'audio' : 'video';
    let track: MediaStreamTrack;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ [type]: mediaConstraints(type, deviceId, exact) });
      track = stream.getTracks()[0]!;
    } catch (cause) {
      throw mediaError(cause);
    }
    if (this.#closed) {
      track.stop();
      throw new RtcError('media_failed', 'Closed while the device was opening');
    }
    return this.#watch(track);
  }

  /** A device that is pulled out ends its track: fall back to another one. */
  #watch<T extends MediaStreamTrack | null>(track: T): T {
    track?.addEventListener('ended', () => void this.#recover(track).catch(() => {}), { once: true });
    return track;
  }

  #recover(track: MediaStreamTrack): Promise<void> {
    return this.#serial(async () => {
      const kind = track === this.#mic ? 'audioinput' : track === this.#camera ? 'videoinput' : null;
      if (!kind || this.#closed) return;
      await this.#switchTo(kind, null, false).catch((error: RtcError) => {
        if (kind === 'audioinput') this.#mic = null;
        else this.#camera = null;
        this.#changed();
        throw error;
      });
    });
  }

  readonly #onDeviceChange = () => {
    void this.#refreshDevices()
      .then(() =>
        this.#serial(async () => {
          for (const kind of ['audioinput', 'videoinput'] as const) {
            if (this.#closed) return;
            const wanted = deviceStore.load(kind);
            const current = kind === 'audioinput' ? this.#mic : this.#camera;
            if (!current) {
              // One appeared while none is open (joined with no_device, or the last one was pulled
              // out): open it; #changed hands it to the peer links (replaceTrack), as selectDevice does.
              if (this.#wantsDevice(kind) && this.#devices.some((d) => d.kind === kind)) {
                const present = !!wanted && this.#devices.some((d) => d.kind === kind && d.deviceId === wanted);
                await this.#switchTo(kind, present ? wanted : null, present);
              }
              continue;
            }
            // A remembered device that is back (a headset plugged in again) is taken up.
            const present = this.#devices.some((d) => d.kind === kind && d.deviceId === wanted);
            if (wanted && present && current.getSettings().deviceId !== wanted) await this.#switchTo(kind, wanted, true);
          }
          this.#settleError();
        }),
      )
      .catch(() => {}); // reported as `error` by #serial
  };

  /**
   * Whether a camera or microphone of this kind should be opened when one appears: it is sent, the
   * camera was not turned off, and permission was not refused (asking again unprompted would only be refused again).
   */
  #wantsDevice(kind: 'audioinput' | 'videoinput'): boolean {
    if (this.#closed || this.#error?.code === 'media_denied') return false;
    return kind === 'audioinput' ? this.#options.audio : this.#options.video && this.#cameraWanted;
  }

  /** Forgets the start's error once everything asked for is open. */
  #settleError(): void {
    if (!this.#error || (this.#options.audio && !this.#mic) || (this.#options.video && !this.#camera)) return;
    this.#error = null;
    this.#changed();
  }

  async #refreshDevices(): Promise<void> {
    if (!navigator.mediaDevices?.enumerateDevices || this.#closed) return;
    const devices = await navigator.mediaDevices.enumerateDevices();
    if (this.#closed) return; // closed while enumerating: nobody listens any more
    this.#devices = devices;
    this.dispatchEvent(new Event('devices'));
  }

  /** Runs device work one job at a time; a failure is reported as `error` and rethrown to the caller. */
  #serial(job: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(job).catch((error: unknown) => {
      const rtc = error instanceof RtcError ? error : mediaError(error);
      this.dispatchEvent(new CustomEvent('error', { detail: rtc }));
      throw rtc;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  #changed(): void {
    if (this.#closed) return;
    const tracks = [this.#mic, this.#screen ?? this.#camera].filter((t): t is MediaStreamTrack => !!t);
    // Swap tracks in and out of the one stream: a <video> showing it keeps its srcObject.
    const stream = (this.#stream ??= new MediaStream());
    for (const track of stream.getTracks()) if (!tracks.includes(track)) stream.removeTrack(track);
    for (const track of tracks) if (!stream.getTrackById(track.id)) stream.addTrack(track);
    this.dispatchEvent(new Event('change'));
  }
}
