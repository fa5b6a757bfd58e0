/**
 * Plays again the media elements in `root` that a move in the DOM paused (a media element taken
 * out of the document is paused unless it is put back in the same task). Muted video may always
 * autoplay; a refusal or an AbortError (a newer source) is not an error here.
 */
export function resumeMedia(root: ParentNode): void {
  for (const media of root.querySelectorAll<HTMLMediaElement>('video, audio')) {
    if (media.paused && media.srcObject) media.play().catch(() => {});
  }
}
