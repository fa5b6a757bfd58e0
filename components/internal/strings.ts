/**
 * The words the elements show, per language. English is built in; French ships as an example of
 * another language; `registerStrings()` adds or changes any. An element speaks the language of the
 * nearest `lang` attribute around it (crossing shadow roots), else the page's, else English.
 * Attributes and slots of each element still win over these.
 */
export interface RtcStrings {
  /** `<rtc-remote-video>` while nobody is shown. */
  waitingForOne: string;
  /** `<rtc-remote-videos>` while nobody else is in the room. */
  waitingForOthers: string;
  /** `<rtc-room>`'s button while the browser blocks sound. */
  startAudio: string;
  /** `<rtc-chat>`: the message list's name, the input's placeholder, the button, you, a nameless member. */
  chat: string;
  message: string;
  send: string;
  you: string;
  guest: string;
}

const en: RtcStrings = {
  waitingForOne: 'Waiting for someone to join…',
  waitingForOthers: 'Waiting for others to join…',
  startAudio: 'Start audio',
  chat: 'Chat',
  message: 'Message',
  send: 'Send',
  you: 'You',
  guest: 'Guest',
};

const fr: RtcStrings = {
  waitingForOne: 'En attente d’un participant…',
  waitingForOthers: 'En attente des autres participants…',
  startAudio: 'Activer le son',
  chat: 'Discussion',
  message: 'Message',
  send: 'Envoyer',
  you: 'Vous',
  guest: 'Invité',
};

const dictionaries = new Map<string, Partial<RtcStrings>>([
  ['en', en],
  ['fr', fr],
]);

/**
 * Adds a language, or changes words of one (`registerStrings('fr', { send: 'Go' })`). `lang` is a
 * BCP 47 tag; `de-CH` falls back to `de`, then to English, word by word. Elements rendered before
 * the call pick the words up at their next render.
 */
export function registerStrings(lang: string, strings: Partial<RtcStrings>): void {
  const key = lang.toLowerCase();
  dictionaries.set(key, { ...dictionaries.get(key), ...strings });
}

/** The nearest `lang` around `el`, crossing shadow roots; the page's otherwise. */
export function langOf(el: Element): string {
  let node: Node | null = el;
  while (node) {
    if (node instanceof Element && node.hasAttribute('lang')) return node.getAttribute('lang')!;
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return '';
}

/** The words for `el`'s language. */
export function stringsFor(el: Element): RtcStrings {
  const lang = langOf(el).toLowerCase();
  const base = lang.split('-')[0]!;
  return { ...en, ...dictionaries.get(base), ...dictionaries.get(lang) };
}
