import { mediaError, type RtcError } from './errors.js';

export interface LocalMediaRequest {
  audio: boolean;
  video: boolean;
  /** Preferred microphone; the default one is taken when it is gone. */
  audioDeviceId?: string | null;
  /** Preferred camera; the default one is taken when it is gone. */
  videoDeviceId?: string | null;
}

export interface LocalMediaResult {
  /** What could be opened; null when nothing was asked for or nothing could be opened. */
  stream: MediaStream | null;
  /** Why something asked for is missing; null when everything asked for was opened. */
  error: RtcError | null;
}

/**
 * 360p by default: in a mesh every member uploads one stream per other member, tiles are small, and
 * a 720p first key frame costs about 100 ms more to capture, encode and decode before a call shows
 * its first picture (`npm run bench`). `ideal`, so any camera satisfies it.
 */
export const DEFAULT_VIDEO_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 } };

/**
 * Opens the camera and microphone. When both are asked for and that fails (no camera, say),
 * it tries each alone, so a call can still go on with what is there. Never throws.
 */
export async function openLocalMedia(request: LocalMediaRequest): Promise<LocalMediaResult> {
  if (!request.audio && !request.video) return { stream: null, error: null };
  const get = (audio: boolean, video: boolean) =>
    navigator.mediaDevices.getUserMedia({
      audio: audio && mediaConstraints('audio', request.audioDeviceId, true),
      video: video && mediaConstraints('video', request.videoDeviceId, true),
    });
  if (!navigator.mediaDevices?.getUserMedia) {
    return { stream: null, error: mediaError(new Error('getUserMedia is not available (is the page served over https?)')) };
  }
  try {
    return { stream: await get(request.audio, request.video), error: null };
  } catch (first) {
    // `exact`, then the default: Chromium's permission UI would otherwise pick its own default
    // over an `ideal` device id.
    const gone = (first as Error | null)?.name === 'OverconstrainedError' || (first as Error | null)?.name === 'NotFoundError';
    if (gone && (request.audioDeviceId || request.videoDeviceId)) {
      return openLocalMedia({ ...request, audioDeviceId: null, videoDeviceId: null });
    }
    const error = mediaError(first);
    if (!(request.audio && request.video) || error.code === 'media_denied') return { stream: null, error };
    for (const [audio, video] of [
      [true, false],
      [false, true],
    ] as const) {
      try {
        return { stream: await get(audio, video), error };
      } catch {
        // try the next kind
      }
    }
    return { stream: null, error };
  }
}

/** The constraints for one kind: 360p for cameras; `exact` device ids fail when it is gone, `ideal` ones fall back. */
export function mediaConstraints(kind: 'audio' | 'video', deviceId?: string | null, exact = false): MediaTrackConstraints | true {
  const base = kind === 'video' ? DEFAULT_VIDEO_CONSTRAINTS : {};
  if (!deviceId) return kind === 'video' ? base : true;
  return { ...base, deviceId: exact ? { exact: deviceId } : { ideal: deviceId } };
}

/** Stops every track of a stream (the camera light goes off). */
export function stopStream(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
