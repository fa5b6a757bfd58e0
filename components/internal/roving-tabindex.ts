import type { ReactiveController, ReactiveElement } from 'lit';

/**
 * The ARIA toolbar pattern over the host's buttons that match `selector` (each named by
 * `data-name`): one Tab stop, the button last focused (else the first enabled one); the arrow
 * keys, Home and End move between the enabled buttons. Bind `onKeyDown` and `onFocusIn` on the toolbar.
 */
export class RovingTabindexController implements ReactiveController {
  readonly #host: ReactiveElement;
  readonly #selector: string;
  /** The button that Tab reaches, by `data-name`. */
  #active = '';

  constructor(host: ReactiveElement, selector: string) {
    this.#host = host;
    this.#selector = selector;
    host.addController(this);
  }

  hostUpdated(): void {
    this.#rove();
  }

  readonly onFocusIn = (e: FocusEvent): void => {
    const name = (e.target as HTMLElement).dataset?.['name'];
    if (!name || name === this.#active) return;
    this.#active = name;
    this.#rove();
  };

  readonly onKeyDown = (e: KeyboardEvent): void => {
    const buttons = this.#buttons().filter((b) => !b.disabled);
    const at = buttons.indexOf(this.#host.renderRoot.querySelector<HTMLButtonElement>('button:focus')!);
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (next === undefined || !buttons.length) return;
    e.preventDefault();
    buttons[(next + buttons.length) % buttons.length]!.focus();
  };

  /** Gives tabindex 0 to the active button (or the first enabled one) and -1 to the others. */
  #rove(): void {
    const buttons = this.#buttons();
    const enabled = buttons.filter((b) => !b.disabled);
    const current = enabled.find((b) => b.dataset['name'] === this.#active) ?? enabled[0];
    for (const b of buttons) b.tabIndex = b === current ? 0 : -1;
  }

  #buttons(): HTMLButtonElement[] {
    return [...this.#host.renderRoot.querySelectorAll<HTMLButtonElement>(this.#selector)];
  }
}
