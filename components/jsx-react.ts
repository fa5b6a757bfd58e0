/**
 * `import type {} from 'rtc-room/jsx-react'` (once, anywhere in a React 19 app) types the tags in
 * TSX: `<rtc-room room="x" onrtc-peer-joined={(e) => e.detail.peer.name}>`.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { RtcElementClasses, RtcElementProps } from './jsx.js';

type ReactRtcElements = {
  [T in keyof RtcElementProps]: DetailedHTMLProps<HTMLAttributes<RtcElementClasses[T]>, RtcElementClasses[T]> & RtcElementProps[T];
};

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface IntrinsicElements extends ReactRtcElements {}
  }
}
