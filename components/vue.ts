/**
 * `rtc-room/vue`: types the tags for Vue 3 templates under vue-tsc (and Volar in editors). Load it
 * once, with `import type {} from 'rtc-room/vue'` in any `.ts` file or `"types": ["rtc-room/vue"]`
 * in tsconfig.json. Attributes are the elements' properties (`room`, `no-video` or `:noVideo`);
 * `@rtc-peer-joined` gets the event class (`e.detail.peer`). vue-tsc lets unknown attributes and
 * events through unless `vueCompilerOptions.strictTemplates` (or `checkUnknownProps` and
 * `checkUnknownEvents`) is on; with it, `rom="x"` and `@rtc-peer-joind` are errors.
 *
 * The props come from `rtc-room/jsx` (which a test keeps in step with the manifest), renamed to
 * Vue's listener names: `onrtc-peer-joined` becomes `onRtcPeerJoined`, what `@rtc-peer-joined`
 * compiles to.
 */
import type { DefineComponent, HTMLAttributes } from 'vue';
import type { RtcElementProps } from './jsx.js';

/** `rtc-peer-joined` → `RtcPeerJoined`. */
export type PascalCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Capitalize<Head>}${PascalCase<Tail>}`
  : Capitalize<S>;

/** A tag's props with its `on<event-name>` listeners renamed `on<EventName>`. */
export type VueProps<P> = { [K in keyof P as K extends `on${infer E}` ? `on${PascalCase<E>}` : K]: P[K] };

/** Each tag as a Vue component type: its own props, the HTML attributes, and `slot`. */
export type RtcVueComponents = {
  [T in keyof RtcElementProps]: DefineComponent<VueProps<RtcElementProps[T]> & HTMLAttributes & { slot?: string }>;
};

declare module 'vue' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalComponents extends RtcVueComponents {}
}
