/** The device kinds a person chooses: camera, microphone, speaker. */
export type DeviceKind = 'videoinput' | 'audioinput' | 'audiooutput';

const KEY_PREFIX = 'rtc-room.device.';

/**
 * Remembers the chosen camera, microphone and speaker in `localStorage`, which is per origin: every
 * page of a site opens the same devices, another site knows nothing of them. Storage that is
 * unavailable (private mode, a sandboxed frame) only means nothing is remembered.
 */
export const deviceStore = {
  /** The remembered device id, or null. */
  load(kind: DeviceKind): string | null {
    try {
      return globalThis.localStorage?.getItem(KEY_PREFIX + kind) ?? null;
    } catch {
      return null;
    }
  },
  /** Remembers a device id (null forgets it). */
  save(kind: DeviceKind, deviceId: string | null): void {
    try {
      if (deviceId) globalThis.localStorage?.setItem(KEY_PREFIX + kind, deviceId);
      else globalThis.localStorage?.removeItem(KEY_PREFIX + kind);
    } catch {
      // storage refused: nothing remembered
    }
  },
};
