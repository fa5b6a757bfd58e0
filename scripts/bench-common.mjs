// What the call benchmarks share: the first-decoded-frame probe installed in every page, and the median.

/**
 * Installed in every page (`context.addInitScript`): records, per remote stream, the wall-clock time
 * at which a remote video (in <rtc-remote-video> or <rtc-remote-videos>) first has a decoded frame:
 * its `resize` event (the first frame's size became known). Event-driven, so neither timer nor
 * paint throttling of a page in the background skews it.
 */
export function watchRemoteFrames() {
  window.__frames = {};
  const desc = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    ...desc,
    set(value) {
      desc.set.call(this, value);
      if (this.__benchWatched) return;
      this.__benchWatched = true;
      this.addEventListener('resize', () => {
        const host = this.getRootNode()?.host?.localName;
        const stream = this.srcObject;
        if ((host === 'rtc-remote-video' || host === 'rtc-remote-videos') && stream && this.videoWidth > 0) {
          window.__frames[stream.id] ??= performance.timeOrigin + performance.now();
        }
      });
    },
  });
}

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
