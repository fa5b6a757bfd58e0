/**
 * An `EventTarget` whose `addEventListener` / `removeEventListener` know the event class of each
 * event name in `M`, so that listeners get `CustomEvent<Detail>` rather than `Event`.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- M is used by the interface merged below
export class TypedEventTarget<M> extends EventTarget {}

export interface TypedEventTarget<M> {
  addEventListener<K extends keyof M>(type: K, listener: (event: M[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof M>(type: K, listener: (event: M[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
