import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { fillIn, wordsFor, type RtcStrings } from '../core/strings.js';

/** The nearest `lang` around `el`, crossing shadow roots; empty when none is set. */
export function langOf(el: Element): string {
  let node: Node | null = el;
  while (node) {
    if (node instanceof Element && node.hasAttribute('lang')) return node.getAttribute('lang')!;
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return '';
}

/** The words for `el`'s language (its nearest `lang`): `registerStrings()` dictionaries over English. */
export function stringsFor(el: Element): RtcStrings {
  return wordsFor(langOf(el));
}

/**
 * The one way an element finds the words it shows: those of the nearest `lang` around it (crossing
 * shadow roots), its language's for a regional tag, else English; what the page set on the element
 * itself (`overrides`: its attributes or `strings` property) wins. Looked up again at each update,
 * so `registerStrings()` and a new `lang` show at the element's next render.
 */
export class LocalizeController implements ReactiveController {
  readonly #host: ReactiveControllerHost & Element;
  readonly #overrides: () => Partial<Record<keyof RtcStrings, string | undefined>>;
  #words: RtcStrings | null = null;

  constructor(host: ReactiveControllerHost & Element, overrides: () => Partial<Record<keyof RtcStrings, string | undefined>> = () => ({})) {
    this.#host = host;
    this.#overrides = overrides;
    host.addController(this);
  }

  /** Every word, in the host's language, with the host's own overrides. */
  get words(): RtcStrings {
    if (this.#words) return this.#words;
    const words = stringsFor(this.#host);
    for (const [key, value] of Object.entries(this.#overrides())) if (value !== undefined) words[key as keyof RtcStrings] = value;
    return (this.#words = words);
  }

  /** One word, with each `{name}` filled in from `params`. */
  term(key: keyof RtcStrings, params?: Readonly<Record<string, string | number>>): string {
    return params ? fillIn(this.words[key], params) : this.words[key];
  }

  hostUpdate(): void {
    this.#words = null; // the language, a dictionary or an override may have changed
  }
}
