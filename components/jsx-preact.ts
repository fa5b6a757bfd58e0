/**
 * `import type {} from 'rtc-room/jsx-preact'` (once, anywhere in a Preact app) types the tags in
 * TSX: `<rtc-room room="x" onrtc-peer-joined={(e) => e.detail.peer.name}>`.
 */
import type { HTMLAttributes } from 'preact';
import type { RtcElementClasses, RtcElementProps } from './jsx.js';

type PreactRtcElements = {
  [T in keyof RtcElementProps]: HTMLAttributes<RtcElementClasses[T]> & RtcElementProps[T];
};

declare module 'preact' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface IntrinsicElements extends PreactRtcElements {}
  }
}
